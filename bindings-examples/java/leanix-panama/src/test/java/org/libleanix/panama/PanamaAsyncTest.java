package org.libleanix.panama;

import org.libleanix.AsyncContractTest;

/** The shared async contract, through the Panama backend. */
class PanamaAsyncTest extends AsyncContractTest {
    @Override
    protected String backend() {
        return "panama";
    }
}
