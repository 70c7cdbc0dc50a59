package org.libleanix.jna;

import org.libleanix.ClientContractTest;

/** The shared contract, through the JNA backend. */
class JnaClientTest extends ClientContractTest {
    @Override
    protected String backend() {
        return "jna";
    }
}
