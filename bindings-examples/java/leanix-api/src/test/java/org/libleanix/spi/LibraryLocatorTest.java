package org.libleanix.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lookup order and the extraction of the bundled library, with an {@link LibraryLocator.Opener}
 * that records what it is asked to open (the real backends' loading is tested through them, in
 * child JVMs: {@code LoadingContractTest}).
 */
class LibraryLocatorTest {
    private static final byte[] LIBRARY_BYTES = {0x7f, 'E', 'L', 'F', 1, 2, 3};

    /** Records every open and what the extracted copy looked like at that moment. */
    private static final class RecordingOpener implements LibraryLocator.Opener<Path> {
        final List<Path> opened = new ArrayList<>();
        final List<String> directoryModes = new ArrayList<>();
        final List<String> fileModes = new ArrayList<>();
        final List<byte[]> contents = new ArrayList<>();
        final long abi;

        RecordingOpener(long abi) {
            this.abi = abi;
        }

        @Override
        public Path open(Path file) {
            opened.add(file);
            try {
                directoryModes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
                fileModes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                contents.add(Files.readAllBytes(file));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            return file;
        }

        @Override
        public Path openSystem(String name) {
            throw new UnsatisfiedLinkError("no " + name + " on the system path (test)");
        }

        @Override
        public long abiVersion(Path library) {
            return abi;
        }
    }

    /** Runs {@code body} with a context class loader that has {@code resourceRoot} on its class path. */
    private static <T> T withClassPath(Path resourceRoot, Supplier<T> body) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader old = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {resourceRoot.toUri().toURL()}, null)) {
            thread.setContextClassLoader(loader);
            return body.get();
        } finally {
            thread.setContextClassLoader(old);
        }
    }

    private static Path bundle(Path root) throws Exception {
        Path lib = root.resolve(LibraryLocator.resourceName());
        Files.createDirectories(lib.getParent());
        Files.write(lib, LIBRARY_BYTES);
        return lib;
    }

    @Test
    void resourceNameIsJnasLayout() {
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertEquals("linux-x86-64/libleanix.so", LibraryLocator.resourceName());
        }
    }

    @Test
    void theBundledLibraryIsExtractedPrivatelyLoadedAndRemoved(@TempDir Path dir) throws Exception {
        Path extractRoot = Files.createDirectories(dir.resolve("extract"));
        bundle(dir.resolve("cp"));
        String oldTmp = System.getProperty(LibraryLocator.TMPDIR_PROPERTY);
        String oldPath = System.getProperty(LibraryLocator.PROPERTY);
        System.setProperty(LibraryLocator.TMPDIR_PROPERTY, extractRoot.toString());
        // An explicit path too: the class path comes first.
        Path explicit = Files.write(dir.resolve("explicit.so"), new byte[] {1});
        System.setProperty(LibraryLocator.PROPERTY, explicit.toString());
        try {
            RecordingOpener opener = new RecordingOpener(LeanixBackend.ABI_VERSION);
            LibraryLocator.Loaded<Path> loaded = withClassPath(dir.resolve("cp"), () -> LibraryLocator.load(opener));
            assertEquals(LibraryLocator.Source.CLASS_PATH, loaded.location().source());
            assertEquals(1, opener.opened.size());
            Path copy = opener.opened.get(0);
            assertEquals(extractRoot, copy.getParent().getParent(), "extracted under " + LibraryLocator.TMPDIR_PROPERTY);
            assertTrue(copy.getParent().getFileName().toString().startsWith("leanix-"), copy.toString());
            assertEquals("rwx------", opener.directoryModes.get(0), "a private directory, mode 0700");
            assertEquals("r-x------", opener.fileModes.get(0));
            assertArrayEquals(LIBRARY_BYTES, opener.contents.get(0));
            assertFalse(Files.exists(copy.getParent()), "the copy and its directory are gone once loaded");
            assertTrue(loaded.location().toString().startsWith("class path resource " + LibraryLocator.resourceName()),
                loaded.location().toString());

            RecordingOpener again = new RecordingOpener(LeanixBackend.ABI_VERSION);
            withClassPath(dir.resolve("cp"), () -> LibraryLocator.load(again));
            assertNotEquals(copy.getParent(), again.opened.get(0).getParent(), "a new directory every time");

            RecordingOpener wrongAbi = new RecordingOpener(LeanixBackend.ABI_VERSION + 1);
            UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> withClassPath(dir.resolve("cp"), () -> LibraryLocator.load(wrongAbi)));
            assertTrue(e.getMessage().contains("has ABI version " + (LeanixBackend.ABI_VERSION + 1)), e.getMessage());
            assertEquals(1, wrongAbi.opened.size(), "a bundled library that fails is not replaced by the explicit one");
            try (var left = Files.list(extractRoot)) {
                assertEquals(0, left.count(), "nothing left behind, not even after a failure");
            }
        } finally {
            restore(LibraryLocator.TMPDIR_PROPERTY, oldTmp);
            restore(LibraryLocator.PROPERTY, oldPath);
        }
    }

    @Test
    void anExplicitPathMustExistAndIsUsedAsGiven(@TempDir Path dir) throws Exception {
        String old = System.getProperty(LibraryLocator.PROPERTY);
        try {
            System.setProperty(LibraryLocator.PROPERTY, dir.resolve("missing.so").toString());
            RecordingOpener opener = new RecordingOpener(LeanixBackend.ABI_VERSION);
            UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> withClassPath(dir, () -> LibraryLocator.load(opener)));
            assertTrue(e.getMessage().contains(LibraryLocator.PROPERTY), e.getMessage());
            assertTrue(opener.opened.isEmpty());

            Path lib = Files.write(dir.resolve("libleanix.so"), LIBRARY_BYTES);
            System.setProperty(LibraryLocator.PROPERTY, dir.toString()); // a directory names the file in it
            LibraryLocator.Loaded<Path> loaded = withClassPath(dir.resolve("empty"), () -> LibraryLocator.load(opener));
            assertEquals(LibraryLocator.Source.SYSTEM_PROPERTY, loaded.location().source());
            assertEquals(lib, opener.opened.get(0));
            assertTrue(Files.exists(lib), "an explicit library is never deleted");
            assertNull(LibraryLocator.findResource("no/such/resource.so"));
        } finally {
            restore(LibraryLocator.PROPERTY, old);
        }
    }

    @Test
    void abiCheckIsClear() {
        LibraryLocator.checkAbi(LeanixBackend.ABI_VERSION, "here");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
            () -> LibraryLocator.checkAbi(LeanixBackend.ABI_VERSION + 1, "/x/libleanix.so"));
        assertTrue(e.getMessage().contains("ABI version " + (LeanixBackend.ABI_VERSION + 1)), e.getMessage());
        assertTrue(e.getMessage().contains("needs ABI version " + LeanixBackend.ABI_VERSION), e.getMessage());
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
