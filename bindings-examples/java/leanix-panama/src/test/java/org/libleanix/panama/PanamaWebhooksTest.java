package org.libleanix.panama;

import org.libleanix.WebhooksContractTest;

/** The webhooks and routing contract, through the Panama backend. */
class PanamaWebhooksTest extends WebhooksContractTest {
    @Override
    protected String backend() {
        return "panama";
    }
}
