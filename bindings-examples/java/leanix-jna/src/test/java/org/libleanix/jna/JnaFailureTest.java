package org.libleanix.jna;

import org.libleanix.FailureContractTest;

/** The shared failure contract, through the Jna backend. */
class JnaFailureTest extends FailureContractTest {
    @Override
    protected String backend() {
        return "jna";
    }
}
