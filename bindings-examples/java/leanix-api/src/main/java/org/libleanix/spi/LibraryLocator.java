package org.libleanix.spi;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;

/**
 * Finds, loads and checks {@code libleanix} for the backends, in this order:
 * <ol>
 *   <li>the class path: the resource {@code <os>-<arch>/libleanix.so} (JNA's layout, e.g.
 *       {@code linux-x86-64/libleanix.so}), which the artifact {@code org.libleanix:leanix-native}
 *       carries. It is copied into a new private directory (mode 0700) under
 *       {@code java.io.tmpdir} (or the system property {@value #TMPDIR_PROPERTY}), loaded from
 *       there, and the copy is deleted once loaded;</li>
 *   <li>the system property {@value #PROPERTY}: the library file, or a directory that holds it;</li>
 *   <li>the environment variable {@value #ENV}: the same;</li>
 *   <li>the system loader: {@code libleanix.so} on {@code LD_LIBRARY_PATH}, in {@code ld.so.cache},
 *       {@code /usr/lib}, ...</li>
 * </ol>
 * The first source that exists is the one used; a library found there that fails to load or has
 * another ABI is an error, not a reason to try the next source. Every library loaded is checked
 * with {@code lx_abi_version()} before anything else is bound.
 *
 * <p>Never searched: the working directory or any directory above it. (An earlier version looked
 * for {@code target/{release,debug}/libleanix.so} there, so that a library planted in a parent
 * directory ran its code inside the JVM.)
 */
public final class LibraryLocator {
    /** The system property naming the library file or its directory. */
    public static final String PROPERTY = "leanix.library.path";
    /** The environment variable naming the library file or its directory. */
    public static final String ENV = "LEANIX_LIBRARY";
    /** The system property naming the directory under which the bundled library is extracted. */
    public static final String TMPDIR_PROPERTY = "leanix.library.tmpdir";
    /** The library's base name, as for {@link System#mapLibraryName}. */
    public static final String NAME = "leanix";

    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_LIBRARY = PosixFilePermissions.fromString("r-x------");

    private LibraryLocator() {}

    /** Where a library came from. */
    public enum Source {
        /** A resource on the class path, extracted to a private directory. */
        CLASS_PATH,
        /** The system property {@value LibraryLocator#PROPERTY}. */
        SYSTEM_PROPERTY,
        /** The environment variable {@value LibraryLocator#ENV}. */
        ENVIRONMENT,
        /** The system loader's search path. */
        SYSTEM_LOADER
    }

    /** A library's location and how it was found (for messages and diagnostics). */
    public static final class Location {
        private final Source source;
        private final Path path;
        private final String origin;

        Location(Source source, Path path, String origin) {
            this.source = source;
            this.path = path;
            this.origin = origin;
        }

        /** @return how the library was found */
        public Source source() {
            return source;
        }

        /**
         * @return the file that was loaded (for {@link Source#CLASS_PATH} the extracted copy, which
         *     is deleted once loaded), or null when the system loader searched by name
         */
        public Path path() {
            return path;
        }

        /** @return e.g. {@code class path resource linux-x86-64/libleanix.so (jar:file:/app.jar!/...)} */
        @Override
        public String toString() {
            switch (source) {
                case CLASS_PATH:
                    return "class path resource " + resourceName() + " (" + origin + ")";
                case SYSTEM_PROPERTY:
                    return path + " (system property " + PROPERTY + ")";
                case ENVIRONMENT:
                    return path + " (environment variable " + ENV + ")";
                default:
                    return System.mapLibraryName(NAME) + " from the system library path";
            }
        }
    }

    /**
     * How a backend opens a library and reads its ABI generation; each backend implements it
     * with its own foreign-function mechanism.
     *
     * @param <L> the backend's handle of a loaded library
     */
    public interface Opener<L> {
        /**
         * Opens a library file.
         *
         * @param file an absolute path
         * @return the loaded library
         */
        L open(Path file);

        /**
         * Asks the system loader for a library by name.
         *
         * @param name the base name ({@value LibraryLocator#NAME})
         * @return the loaded library
         */
        L openSystem(String name);

        /**
         * Calls {@code lx_abi_version()}.
         *
         * @param library a library that {@link #open} or {@link #openSystem} returned
         * @return the ABI generation it reports
         */
        long abiVersion(L library);
    }

    /**
     * A loaded and checked library.
     *
     * @param <L> the backend's handle of a loaded library
     */
    public static final class Loaded<L> {
        private final L library;
        private final Location location;

        Loaded(L library, Location location) {
            this.library = library;
            this.location = location;
        }

        /** @return the backend's handle of the library */
        public L library() {
            return library;
        }

        /** @return where it was loaded from */
        public Location location() {
            return location;
        }
    }

    /**
     * The resource the bundled library is looked up as, e.g. {@code linux-x86-64/libleanix.so}:
     * JNA's platform prefix ({@code <os>-<arch>}) and the platform's library file name.
     *
     * @return the resource name
     */
    public static String resourceName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String prefix;
        if (os.startsWith("linux")) {
            prefix = "linux";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            prefix = "darwin";
        } else if (os.startsWith("windows")) {
            prefix = "win32";
        } else {
            prefix = os.replaceAll("[^a-z0-9]", "");
        }
        switch (arch) {
            case "amd64":
            case "x86_64":
                arch = "x86-64";
                break;
            case "arm64":
                arch = "aarch64";
                break;
            case "i386":
            case "i686":
                arch = "x86";
                break;
            default:
                break;
        }
        return prefix + "-" + arch + "/" + System.mapLibraryName(NAME);
    }

    /**
     * Finds, loads and checks the library in the order described above.
     *
     * @param opener the backend's way of opening a library
     * @param <L> the backend's handle of a loaded library
     * @return the library and its location
     * @throws UnsatisfiedLinkError if none is found, the one found cannot be loaded, or its
     *     {@code lx_abi_version()} is not {@link LeanixBackend#ABI_VERSION}
     */
    public static <L> Loaded<L> load(Opener<L> opener) {
        URL resource = findResource(resourceName());
        if (resource != null) {
            return loadResource(opener, resource);
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return loadFile(opener, new Location(Source.SYSTEM_PROPERTY, explicit(property, "system property " + PROPERTY),
                property));
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return loadFile(opener, new Location(Source.ENVIRONMENT, explicit(env, "environment variable " + ENV), env));
        }
        Location system = new Location(Source.SYSTEM_LOADER, null, NAME);
        L library;
        try {
            library = opener.openSystem(NAME);
        } catch (RuntimeException | LinkageError e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("libleanix not found: no " + resourceName()
                + " on the class path (add org.libleanix:leanix-native), no -D" + PROPERTY + ", no " + ENV
                + ", and the system loader has no " + System.mapLibraryName(NAME) + " (" + describe(e) + ")"
                + hint(e));
            error.initCause(e);
            throw error;
        }
        checkAbi(opener, library, system);
        return new Loaded<>(library, system);
    }

    private static <L> Loaded<L> loadResource(Opener<L> opener, URL resource) {
        Path dir;
        Path file;
        try {
            dir = privateDirectory();
            file = dir.resolve(System.mapLibraryName(NAME));
        } catch (IOException | RuntimeException e) {
            throw unsatisfied("cannot create a private directory to extract " + resource + " into: " + e, e);
        }
        try {
            copy(resource, file);
            return loadFile(opener, new Location(Source.CLASS_PATH, file, resource.toString()));
        } catch (IOException e) {
            throw unsatisfied("cannot extract " + resource + " to " + file + ": " + e, e);
        } finally {
            // Once loaded, the mapping does not need the file; nothing is left behind.
            deleteQuietly(file);
            deleteQuietly(dir);
        }
    }

    private static <L> Loaded<L> loadFile(Opener<L> opener, Location location) {
        L library;
        try {
            library = opener.open(location.path());
        } catch (RuntimeException | LinkageError e) {
            throw unsatisfied("cannot load libleanix from " + location + ": " + describe(e) + hint(e), e);
        }
        checkAbi(opener, library, location);
        return new Loaded<>(library, location);
    }

    private static <L> void checkAbi(Opener<L> opener, L library, Location location) {
        long abi;
        try {
            abi = opener.abiVersion(library);
        } catch (RuntimeException | LinkageError e) {
            throw unsatisfied(location + " has no usable lx_abi_version() (not libleanix?): " + describe(e), e);
        }
        checkAbi(abi, location);
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
     * The bundled library's URL: first from the class loader of this class, then from the
     * thread's context class loader.
     */
    static URL findResource(String name) {
        ClassLoader own = LibraryLocator.class.getClassLoader();
        URL url = own != null ? own.getResource(name) : ClassLoader.getSystemResource(name);
        if (url == null) {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            if (context != null && context != own) {
                url = context.getResource(name);
            }
        }
        return url;
    }

    /**
     * A new directory only this user may enter (0700), with a random name, under
     * {@value #TMPDIR_PROPERTY} or {@code java.io.tmpdir}. Created atomically, so no other
     * process can have prepared it.
     */
    static Path privateDirectory() throws IOException {
        String root = System.getProperty(TMPDIR_PROPERTY);
        Path parent = Paths.get(root != null && !root.isBlank() ? root : System.getProperty("java.io.tmpdir"));
        Path dir;
        try {
            dir = Files.createTempDirectory(parent, "leanix-", PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempDirectory(parent, "leanix-");
        }
        Files.setPosixFilePermissions(dir, PRIVATE_DIRECTORY); // exactly 0700, whatever the umask
        return dir;
    }

    /** Copies a resource to a file that must not exist yet, readable and executable by the owner only. */
    static void copy(URL resource, Path file) throws IOException {
        try (InputStream in = resource.openStream()) {
            Files.copy(in, file);
        }
        try {
            Files.setPosixFilePermissions(file, PRIVATE_LIBRARY);
        } catch (UnsupportedOperationException notPosix) {
            // the directory is private already where POSIX permissions exist
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException inUse) {
            path.toFile().deleteOnExit(); // e.g. a loaded DLL on Windows
        }
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

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    }

    private static String hint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalCallerException) {
                return " (native access is not enabled for this code: run java with --enable-native-access=ALL-UNNAMED,"
                    + " or put Enable-Native-Access: ALL-UNNAMED in an executable jar's manifest)";
            }
        }
        return "";
    }

    private static UnsatisfiedLinkError unsatisfied(String message, Throwable cause) {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError(message);
        e.initCause(cause);
        return e;
    }
}
