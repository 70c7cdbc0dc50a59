package org.libleanix.panama;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import org.libleanix.spi.LibraryLocator;
import org.libleanix.spi.LoadOnce;

/**
 * Finds and opens libleanix once with {@link LibraryLocator#load} (which checks
 * {@code lx_abi_version()}), and remembers a failure so that every later attempt reports the same
 * clear {@link UnsatisfiedLinkError} (rather than a bare {@link ExceptionInInitializerError} from
 * {@link Lib}). Restricted methods that native access forbids end up as such an error too, so
 * that {@code LeanixClient} can fall back to JNA.
 */
final class Loader {
    private static final LoadOnce<LibraryLocator.Loaded<SymbolLookup>> LOAD =
        new LoadOnce<>("the Panama backend cannot load libleanix here: ", Loader::load);

    private Loader() {}

    /** Opens libraries with the FFM API for {@link LibraryLocator#load}. */
    private static final class Opener implements LibraryLocator.Opener<SymbolLookup> {
        @Override
        public SymbolLookup open(Path file) {
            return SymbolLookup.libraryLookup(file, Arena.global());
        }

        @Override
        public SymbolLookup openSystem(String name) {
            return SymbolLookup.libraryLookup(System.mapLibraryName(name), Arena.global());
        }

        @Override
        public long abiVersion(SymbolLookup library) {
            MethodHandle abi = Linker.nativeLinker().downcallHandle(
                library.find("lx_abi_version").orElseThrow(() -> new UnsatisfiedLinkError("no symbol lx_abi_version")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
            return PanamaClient.unchecked(() -> Integer.toUnsignedLong((int) abi.invokeExact()));
        }
    }

    static LibraryLocator.Loaded<SymbolLookup> loaded() {
        return LOAD.get();
    }

    private static LibraryLocator.Loaded<SymbolLookup> load() {
        if (!(Linker.nativeLinker().canonicalLayouts().get("size_t") instanceof ValueLayout.OfLong)) {
            throw new UnsatisfiedLinkError("the Panama backend of libleanix needs a 64-bit platform"
                + " (size_t of 8 bytes); use the JNA backend");
        }
        return LibraryLocator.load(new Opener());
    }

    static SymbolLookup lookup() {
        return loaded().library();
    }
}
