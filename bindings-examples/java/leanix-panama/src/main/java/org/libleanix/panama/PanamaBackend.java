package org.libleanix.panama;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.LeanixBackend;

/**
 * The Panama backend ({@code "panama"}): the Foreign Function &amp; Memory API of Java 22+. Found
 * by the ServiceLoader and preferred over JNA where it runs. Needs
 * {@code --enable-native-access=ALL-UNNAMED} (or the module's name) to run without warnings.
 */
public final class PanamaBackend implements LeanixBackend {
    /** Creates the backend (the ServiceLoader does). */
    public PanamaBackend() {}

    @Override
    public String name() {
        return "panama";
    }

    @Override
    public int priority() {
        return 20;
    }

    @Override
    public boolean isSupported() {
        return Runtime.version().feature() >= 22;
    }

    @Override
    public String libraryVersion() {
        Loader.lookup();
        try {
            return PanamaClient.borrowed((MemorySegment) Lib.VERSION.invokeExact());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public BackendClient newClient(List<Map.Entry<String, String>> options) {
        Loader.lookup();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = PanamaClient.slots(arena);
            MemorySegment err = out.asSlice(8);
            int status = (int) Lib.OPTIONS_NEW.invokeExact(out, err);
            if (status != 0) {
                throw PanamaClient.error(status, err);
            }
            MemorySegment opts = out.get(ADDRESS, 0);
            try {
                for (Map.Entry<String, String> o : options) {
                    status = (int) Lib.OPTIONS_SET.invokeExact(opts, PanamaClient.cString(arena, "key", o.getKey()),
                        PanamaClient.cString(arena, o.getKey(), o.getValue()), err);
                    if (status != 0) {
                        throw PanamaClient.error(status, err);
                    }
                }
                status = (int) Lib.CLIENT_BUILD.invokeExact(opts, out, err);
                if (status != 0) {
                    throw PanamaClient.error(status, err);
                }
                return new PanamaClient(out.get(ADDRESS, 0));
            } finally {
                Lib.FREE_SMALL.invokeExact(opts);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String toString() {
        return "PanamaBackend";
    }
}
