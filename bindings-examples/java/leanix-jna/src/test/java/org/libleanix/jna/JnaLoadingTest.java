package org.libleanix.jna;

import org.libleanix.LoadingContractTest;

/** Where the JNA backend loads libleanix from (child JVMs). */
class JnaLoadingTest extends LoadingContractTest {
    @Override
    protected String backend() {
        return "jna";
    }
}
