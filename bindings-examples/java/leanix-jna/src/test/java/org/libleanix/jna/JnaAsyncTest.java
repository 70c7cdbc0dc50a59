package org.libleanix.jna;

import org.libleanix.AsyncContractTest;

/** The shared async contract, through the Jna backend. */
class JnaAsyncTest extends AsyncContractTest {
    @Override
    protected String backend() {
        return "jna";
    }
}
