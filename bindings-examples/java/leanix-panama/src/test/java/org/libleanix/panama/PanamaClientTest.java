package org.libleanix.panama;

import org.libleanix.ClientContractTest;

/** The shared contract, through the Panama backend. */
class PanamaClientTest extends ClientContractTest {
    @Override
    protected String backend() {
        return "panama";
    }
}
