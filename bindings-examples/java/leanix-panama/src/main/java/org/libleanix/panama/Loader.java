package org.libleanix.panama;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.libleanix.spi.LibraryLocator;

/**
 * Finds and opens libleanix once, checks {@code lx_abi_version()}, and remembers a failure so that
 * every later attempt reports the same clear error (rather than a bare
 * {@link ExceptionInInitializerError} from {@link Lib}).
 */
final class Loader {
    private static SymbolLookup lookup;
    private static UnsatisfiedLinkError failure;
    private static LibraryLocator.Location location;

    private Loader() {}

    static synchronized SymbolLookup lookup() {
        if (lookup != null) {
            return lookup;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            location = LibraryLocator.locate();
            SymbolLookup l;
            try {
                l = location.path() != null
                    ? SymbolLookup.libraryLookup(location.path(), Arena.global())
                    : SymbolLookup.libraryLookup(System.mapLibraryName(LibraryLocator.NAME), Arena.global());
            } catch (IllegalArgumentException e) {
                throw LibraryLocator.loadFailure(location, e);
            }
            if (!(Linker.nativeLinker().canonicalLayouts().get("size_t") instanceof ValueLayout.OfLong)) {
                throw new UnsatisfiedLinkError("the Panama backend of libleanix needs a 64-bit platform"
                    + " (size_t of 8 bytes); use the JNA backend");
            }
            MethodHandle abi = Linker.nativeLinker().downcallHandle(
                l.find("lx_abi_version").orElseThrow(() ->
                    new UnsatisfiedLinkError(location + " has no lx_abi_version(): not libleanix?")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int version;
            try {
                version = (int) abi.invokeExact();
            } catch (Throwable t) {
                throw LibraryLocator.loadFailure(location, t);
            }
            LibraryLocator.checkAbi(Integer.toUnsignedLong(version), location);
            lookup = l;
            return l;
        } catch (UnsatisfiedLinkError e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            failure = LibraryLocator.loadFailure(location, e);
            throw failure;
        }
    }

    static synchronized LibraryLocator.Location location() {
        lookup();
        return location;
    }
}
