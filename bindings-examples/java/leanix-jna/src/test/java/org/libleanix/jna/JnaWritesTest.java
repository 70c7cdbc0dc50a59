package org.libleanix.jna;

import org.libleanix.WritesContractTest;

/** The shared LDIF-run and write contract, through the Jna backend. */
class JnaWritesTest extends WritesContractTest {
    @Override
    protected String backend() {
        return "jna";
    }
}
