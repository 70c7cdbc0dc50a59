package org.libleanix.panama;

import org.libleanix.WritesContractTest;

/** The shared LDIF-run and write contract, through the Panama backend. */
class PanamaWritesTest extends WritesContractTest {
    @Override
    protected String backend() {
        return "panama";
    }
}
