package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.libleanix.sandbox.LxSandbox;
import org.libleanix.spi.LibraryLocator;

/**
 * Where a backend loads libleanix from, each case in a fresh child JVM (a JVM loads the library
 * once) running {@link LoadProbe}, with no {@code leanix.library.path} and no
 * {@code LEANIX_LIBRARY} unless the case sets one, and a working directory below planted
 * libraries: {@code libleanix.so} in {@code target/release/} and {@code target/debug/} of two
 * parent directories and in the working directory itself. Each planted copy is a real shared
 * library whose constructor writes a marker file the moment anything {@code dlopen()}s it, so
 * "not loaded" means its code never ran, not merely that it was rejected afterwards. A backend's
 * test module subclasses it and names its backend.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class LoadingContractTest {
    private static final String FACT_SHEETS_200 = "factSheets";

    /** @return the backend under test ({@code "jna"} or {@code "panama"}) */
    protected abstract String backend();

    @TempDir
    Path root;

    /** The marker file the planted libraries write when loaded. */
    private Path marker;
    /** The working directory of the child JVMs, below the planted libraries. */
    private Path workingDirectory;
    /** One of the planted copies. */
    private Path planted;

    @BeforeEach
    void plantLibraries() throws Exception {
        marker = root.resolve("planted-library-was-loaded");
        Path lib = compile("planted.c", "-DMARKER=\"" + marker + "\"");
        List<Path> plantedDirs = List.of(root.resolve("target/release"), root.resolve("target/debug"),
            root.resolve("a/target/release"), root.resolve("a/target/debug"), root.resolve("a/b"));
        for (Path dir : plantedDirs) {
            Files.createDirectories(dir);
            Files.copy(lib, dir.resolve(System.mapLibraryName("leanix")));
        }
        planted = root.resolve("target/release").resolve(System.mapLibraryName("leanix"));
        workingDirectory = root.resolve("a/b");
    }

    /** Compiles one of the C sources of this test into a shared library with the system's cc. */
    private Path compile(String source, String... defines) throws Exception {
        Path dir = Files.createDirectories(root.resolve("build"));
        Path c = dir.resolve(source);
        try (InputStream in = LoadingContractTest.class.getResourceAsStream("native/" + source)) {
            Files.copy(in, c);
        }
        Path out = dir.resolve(source.replace(".c", ".so"));
        List<String> cmd = new ArrayList<>(List.of("cc", "-shared", "-fPIC", "-o", out.toString()));
        cmd.addAll(Arrays.asList(defines));
        cmd.add(c.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "cc failed: " + cmd + "\n" + output);
        return out;
    }

    /** A child JVM's output, stdout and stderr apart. */
    protected static final class Run {
        /** The exit code. */
        public final int exit;
        /** The {@code key=value} lines of stdout. */
        public final Map<String, String> values = new LinkedHashMap<>();
        /** Everything printed to stdout. */
        public final String stdout;
        /** Everything printed to stderr. */
        public final String stderr;

        Run(int exit, String stdout, String stderr) {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
            for (String line : stdout.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }

        /**
         * @param key e.g. {@code backend}, {@code library}, {@code error}
         * @return its value, or null
         */
        public String get(String key) {
            return values.get(key);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + stdout + "stderr:\n" + stderr;
        }
    }

    /**
     * Runs {@link LoadProbe} in a child JVM from the planted working directory.
     *
     * @param extraClassPath prepended to the test class path (or null)
     * @param env variables to set (after LEANIX_LIBRARY, LD_LIBRARY_PATH and the LeanIX variables
     *     are removed)
     * @param jvmArgs the JVM options (see {@link #nativeAccess})
     * @param probeArgs the probe's arguments
     * @return its output
     */
    protected Run probe(Path extraClassPath, Map<String, String> env, List<String> jvmArgs, String... probeArgs)
            throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        if (extraClassPath != null) {
            classPath = extraClassPath + java.io.File.pathSeparator + classPath;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(root.resolve("tmp")));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(LoadProbe.class.getName());
        cmd.addAll(Arrays.asList(probeArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workingDirectory.toFile());
        for (String name : List.of(LibraryLocator.ENV, "LD_LIBRARY_PATH", "LEANIX_HOST", "LEANIX_API_TOKEN",
                "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            pb.environment().remove(name);
        }
        pb.environment().putAll(env);
        pb.redirectOutput(root.resolve("stdout.txt").toFile());
        pb.redirectError(root.resolve("stderr.txt").toFile());
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the child JVM did not finish within 90 s: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(root.resolve("stdout.txt")),
            Files.readString(root.resolve("stderr.txt")));
    }

    /**
     * JVM options with native access enabled for class path code on Java 22+, as the README tells
     * users to run (FFM needs it; JNA's JNI calls warn without it from Java 24 on).
     *
     * @param more further options
     * @return the options
     */
    protected static List<String> nativeAccess(String... more) {
        List<String> args = new ArrayList<>();
        if (Runtime.version().feature() >= 22) {
            args.add("--enable-native-access=ALL-UNNAMED");
        }
        args.addAll(Arrays.asList(more));
        return args;
    }

    /** A class path directory that carries {@code lib} as the bundled library. */
    private Path bundle(Path lib) throws IOException {
        Path dir = root.resolve("bundle");
        Path resource = dir.resolve(LibraryLocator.resourceName());
        Files.createDirectories(resource.getParent());
        Files.copy(lib, resource);
        return dir;
    }

    private static Path realLibrary() {
        return Paths.get(System.getProperty(LibraryLocator.PROPERTY));
    }

    @Test
    void aLibraryPlantedAboveTheWorkingDirectoryIsNeverLoaded() throws Exception {
        Run run = probe(null, Map.of(), nativeAccess(), backend());
        assertFalse(Files.exists(marker), () -> "a planted library ran its code in the JVM\n" + run);
        // Nothing else names a library here, so the lookup ends at the system loader, which has
        // none (a machine with libleanix.so installed system-wide would load that one instead).
        if (run.exit != 0) {
            assertEquals(3, run.exit, run::toString);
            String error = run.get("error");
            assertTrue(error.startsWith("java.lang.UnsatisfiedLinkError: libleanix not found: no "
                + LibraryLocator.resourceName() + " on the class path"), run::toString);
            assertFalse(error.contains(root.toString()), () -> "no planted path was tried\n" + run);
        } else {
            assertEquals("libleanix.so from the system library path", run.get("library"), run::toString);
        }

        // The control: the same library, named explicitly, is loaded (and its marker written),
        // then refused because it has no lx_abi_version(). So the marker does show a load.
        Run named = probe(null, Map.of(), nativeAccess("-D" + LibraryLocator.PROPERTY + "=" + planted), backend());
        assertTrue(Files.exists(marker), () -> "the control did not load the planted library\n" + named);
        assertEquals(3, named.exit, named::toString);
        assertTrue(named.get("error").startsWith("java.lang.UnsatisfiedLinkError: " + planted
            + " (system property leanix.library.path) has no usable lx_abi_version()"), named::toString);
    }

    @Test
    void theBundledLibraryComesFirstAndWorks() throws Exception {
        Path classPath = bundle(realLibrary());
        Path extractRoot = Files.createDirectories(root.resolve("extract"));
        try (LxSandbox sandbox = LxSandbox.start()) {
            // LEANIX_LIBRARY names a planted library: the bundled one comes first, so it is not even opened.
            Map<String, String> env = Map.of("LEANIX_HOST", sandbox.url(), "LEANIX_API_TOKEN", sandbox.adminToken(),
                LibraryLocator.ENV, planted.toString());
            Run run = probe(classPath, env, nativeAccess("-D" + LibraryLocator.TMPDIR_PROPERTY + "=" + extractRoot),
                "auto", "get");
            assertEquals(0, run.exit, run::toString);
            assertEquals(backend(), run.get("backend"), "the automatic choice on Java " + Runtime.version().feature());
            assertEquals("class path resource " + LibraryLocator.resourceName() + " (file:" + classPath.resolve(
                LibraryLocator.resourceName()) + ")", run.get("library"), run::toString);
            assertEquals("200", run.get("status"), run::toString);
            assertEquals(1, sandbox.tokenExchanges(), "one token exchange");
            assertEquals(1, sandbox.requests(FACT_SHEETS_200, 200), "one authenticated GET");
            assertFalse(run.stderr.contains("WARNING"), run::toString);
        }
        assertFalse(Files.exists(marker), "LEANIX_LIBRARY was not used: the class path comes first");
        try (var left = Files.list(extractRoot)) {
            assertEquals(0, left.count(), "the extracted copy and its private directory are gone");
        }
    }

    @Test
    void aBundledLibraryOfAnotherAbiIsRefused() throws Exception {
        Path classPath = bundle(compile("wrong_abi.c"));
        Run run = probe(classPath, Map.of(), nativeAccess(), backend());
        assertEquals(3, run.exit, run::toString);
        assertTrue(run.get("error").startsWith("java.lang.UnsatisfiedLinkError: libleanix at class path resource "
            + LibraryLocator.resourceName()), run::toString);
        assertTrue(run.get("error").contains("has ABI version 999 but this binding needs ABI version 1"), run::toString);
        assertFalse(Files.exists(marker));
    }
}
