package org.libleanix.jna;

import org.libleanix.WebhooksContractTest;

/** The webhooks and routing contract, through the Jna backend. */
class JnaWebhooksTest extends WebhooksContractTest {
    @Override
    protected String backend() {
        return "jna";
    }
}
