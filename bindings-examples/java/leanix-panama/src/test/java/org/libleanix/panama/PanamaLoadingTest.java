package org.libleanix.panama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.libleanix.LoadingContractTest;

/**
 * Where the Panama backend loads libleanix from (child JVMs), and the fallback to JNA when
 * Panama cannot load it. (leanix-jna is on this module's test class path, so the automatic
 * choice sees both backends, as an application with both dependencies does.)
 */
class PanamaLoadingTest extends LoadingContractTest {
    @Override
    protected String backend() {
        return "panama";
    }

    @Test
    void whenPanamaMayNotCallNativeCodeJnaIsTriedNext() throws Exception {
        // --illegal-native-access=deny (the JDK's announced future default), and no
        // --enable-native-access: FFM's restricted methods throw IllegalCallerException.
        Run run = probe(null, Map.of(), List.of("--illegal-native-access=deny",
            "-Dleanix.library.path=" + System.getProperty("leanix.library.path")), "auto");
        assertEquals(3, run.exit, run::toString);
        String error = run.get("error");
        assertTrue(error.startsWith("java.lang.UnsatisfiedLinkError: no libleanix backend could load the library; "
            + "panama: "), run::toString);
        assertTrue(error.contains("native access is not enabled for this code"), run::toString);
        assertTrue(error.contains("; jna: "), () -> "JNA was tried after Panama\n" + run);
    }
}
