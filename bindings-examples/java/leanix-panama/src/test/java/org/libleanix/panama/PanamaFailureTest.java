package org.libleanix.panama;

import org.libleanix.FailureContractTest;

/** The shared failure contract, through the Panama backend. */
class PanamaFailureTest extends FailureContractTest {
    @Override
    protected String backend() {
        return "panama";
    }
}
