package org.libleanix.spi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds {@code libleanix} for the backends. In order:
 * <ol>
 *   <li>the system property {@code leanix.library.path}: the library file, or a directory that
 *       holds it;</li>
 *   <li>the environment variable {@code LEANIX_LIBRARY}: the same;</li>
 *   <li>the repository's build output: from the working directory upwards, the first directory
 *       that has {@code target/release/libleanix.so} or {@code target/debug/libleanix.so}
 *       (release preferred);</li>
 *   <li>otherwise nothing: the backend then asks the system loader for {@code leanix}
 *       ({@code LD_LIBRARY_PATH}, {@code /usr/local/lib}, ...).</li>
 * </ol>
 */
public final class LibraryLocator {
    /** The system property naming the library file or its directory. */
    public static final String PROPERTY = "leanix.library.path";
    /** The environment variable naming the library file or its directory. */
    public static final String ENV = "LEANIX_LIBRARY";
    /** The library's base name, as for {@link System#mapLibraryName}. */
    public static final String NAME = "leanix";

    private LibraryLocator() {}

    /** A located library and how it was found (for error messages). */
    public static final class Location {
        private final Path path;
        private final String source;

        Location(Path path, String source) {
            this.path = path;
            this.source = source;
        }

        /** @return the library file, or null if the system loader should search by name */
        public Path path() {
            return path;
        }

        /** @return how it was found, e.g. {@code "system property leanix.library.path"} */
        public String source() {
            return source;
        }

        @Override
        public String toString() {
            return (path == null ? System.mapLibraryName(NAME) + " on the system library path" : path.toString())
                + " (" + source + ")";
        }
    }

    /**
     * Locates the library as described above.
     *
     * @return the location; {@link Location#path()} is null when only the system loader is left
     * @throws UnsatisfiedLinkError if the property or variable names a file that does not exist
     */
    public static Location locate() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return new Location(explicit(property, "system property " + PROPERTY), "system property " + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return new Location(explicit(env, "environment variable " + ENV), "environment variable " + ENV);
        }
        Path found = findInBuildTree(Paths.get("").toAbsolutePath(), System.mapLibraryName(NAME));
        if (found != null) {
            return new Location(found, "build directory above the working directory");
        }
        return new Location(null, "no " + PROPERTY + ", no " + ENV + ", no target/{release,debug} above "
            + Paths.get("").toAbsolutePath());
    }

    /**
     * Walks up from {@code start} looking for {@code target/release/NAME} then
     * {@code target/debug/NAME} in each directory.
     *
     * @param start the directory to start from
     * @param fileName the file to look for
     * @return the first match, or null
     */
    public static Path findInBuildTree(Path start, String fileName) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            for (String profile : List.of("release", "debug")) {
                Path candidate = dir.resolve("target").resolve(profile).resolve(fileName);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static Path explicit(String value, String what) {
        Path path = Paths.get(value.trim()).toAbsolutePath();
        if (Files.isDirectory(path)) {
            path = path.resolve(System.mapLibraryName(NAME));
        }
        if (!Files.isRegularFile(path)) {
            throw new UnsatisfiedLinkError("libleanix not found: " + what + " names " + path + ", which does not exist");
        }
        return path;
    }

    /**
     * Checks the ABI generation of a loaded library.
     *
     * @param found {@code lx_abi_version()} of the loaded library
     * @param where the library's location, for the message
     * @throws UnsatisfiedLinkError if it is not {@link LeanixBackend#ABI_VERSION}
     */
    public static void checkAbi(long found, Object where) {
        if (found != LeanixBackend.ABI_VERSION) {
            throw new UnsatisfiedLinkError("libleanix at " + where + " has ABI version " + found
                + " but this binding needs ABI version " + LeanixBackend.ABI_VERSION
                + "; use a libleanix built from the matching leanix.h, or a matching binding");
        }
    }

    /**
     * Describes what was tried, for the message of a failed load.
     *
     * @param location the location tried
     * @param cause the loader's error
     * @return a new error with a clear message
     */
    public static UnsatisfiedLinkError loadFailure(Location location, Throwable cause) {
        List<String> hints = new ArrayList<>();
        hints.add("set -D" + PROPERTY + "=/path/to/" + System.mapLibraryName(NAME) + " or " + ENV);
        hints.add("or build it: cargo build -p leanix-ffi");
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("cannot load libleanix from " + location + ": "
            + cause.getMessage() + " (" + String.join(", ", hints) + ")");
        e.initCause(cause);
        return e;
    }
}
