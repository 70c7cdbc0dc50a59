package org.libleanix.panama;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.libleanix.LeanixException;
import org.libleanix.Status;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.LeanixBackend;
import org.libleanix.spi.LibraryLocator;
import org.libleanix.spi.NativeCancel;

/**
 * The Panama backend ({@code "panama"}): the Foreign Function &amp; Memory API of Java 22+. Found
 * by the ServiceLoader and preferred over JNA where it runs (and where it cannot load the
 * library, {@code LeanixClient} uses JNA). Needs {@code --enable-native-access=ALL-UNNAMED} (or
 * {@code Enable-Native-Access: ALL-UNNAMED} in an executable jar's manifest) to run without the
 * JDK's restricted-method warning, and to run at all under {@code --illegal-native-access=deny}.
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
    public void load() {
        Loader.loaded();
        try {
            // Links every downcall now: a failure here must count as "cannot load" too.
            MethodHandle ignored = Lib.VERSION;
        } catch (LinkageError e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("the Panama backend cannot bind libleanix: " + e);
            error.initCause(e);
            throw error;
        }
    }

    @Override
    public LibraryLocator.Location libraryLocation() {
        return Loader.loaded().location();
    }

    @Override
    public String libraryVersion() {
        load();
        return PanamaClient.unchecked(() -> PanamaClient.borrowed((MemorySegment) Lib.VERSION.invokeExact()));
    }

    @Override
    public BackendClient newClient(List<Map.Entry<String, String>> options, long eventSink) {
        load();
        return PanamaClient.inArena((arena, out) -> {
            PanamaClient.check((int) Lib.OPTIONS_NEW.invokeExact(out.result(), out.error()), out);
            MemorySegment opts = out.resultValue();
            try {
                for (Map.Entry<String, String> o : options) {
                    PanamaClient.check((int) Lib.OPTIONS_SET.invokeExact(opts,
                        PanamaClient.cString(arena, "key", o.getKey()),
                        PanamaClient.cString(arena, o.getKey(), o.getValue()), out.error()), out);
                }
                if (eventSink != 0) {
                    PanamaClient.check((int) Lib.OPTIONS_SET_EVENT_CALLBACK.invokeExact(opts, Lib.EVENT_STUB,
                        MemorySegment.ofAddress(eventSink), out.error()), out);
                }
                PanamaClient.check((int) Lib.CLIENT_BUILD.invokeExact(opts, out.result(), out.error()), out);
                return new PanamaClient(out.resultValue());
            } finally {
                Lib.FREE_SMALL.invokeExact(opts);
            }
        });
    }

    @Override
    public NativeCancel newCancel() {
        load();
        return PanamaClient.Cancel.create();
    }

    @Override
    public Optional<String> optionDefault(String key) {
        load();
        return PanamaClient.inArena((arena, out) -> {
            int status = (int) Lib.OPTIONS_DEFAULT.invokeExact(PanamaClient.cString(arena, "key", key), out.result());
            if (status == Status.LX_ERR_NOT_FOUND) {
                return Optional.empty();
            }
            if (status != Status.LX_OK) {
                throw LeanixException.of(status, "no option named " + key, 0, null, -1);
            }
            return Optional.of(PanamaClient.borrowed(out.resultValue()));
        });
    }

    @Override
    public String toString() {
        return "PanamaBackend";
    }
}
