package org.libleanix.jna;

import com.sun.jna.Pointer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.libleanix.Status;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.LeanixBackend;
import org.libleanix.spi.LibraryLocator;
import org.libleanix.spi.NativeCancel;
import org.libleanix.spi.NativeStrings;

/** The JNA backend ({@code "jna"}): runs on Java 17 and newer. Found by the ServiceLoader. */
public final class JnaBackend implements LeanixBackend {
    /** Creates the backend (the ServiceLoader does). */
    public JnaBackend() {}

    @Override
    public String name() {
        return "jna";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public void load() {
        LibLeanix.ensureLoaded();
    }

    @Override
    public LibraryLocator.Location libraryLocation() {
        return LibLeanix.ensureLoaded();
    }

    @Override
    public String libraryVersion() {
        LibLeanix.ensureLoaded();
        return LibLeanix.lx_version().getString(0, "UTF-8");
    }

    @Override
    public BackendClient newClient(List<Map.Entry<String, String>> options, long eventSink) {
        LibLeanix.ensureLoaded();
        long[] out = new long[1];
        long[] err = new long[1];
        JnaClient.check(LibLeanix.lx_options_new(out, err), err);
        Handles.Options opts = new Handles.Options(JnaClient.ptr(out));
        try {
            for (Map.Entry<String, String> o : options) {
                JnaClient.check(LibLeanix.lx_options_set(opts, NativeStrings.utf8z("key", o.getKey()),
                    NativeStrings.utf8z(o.getKey(), o.getValue()), err), err);
            }
            if (eventSink != 0) {
                JnaClient.check(LibLeanix.lx_options_set_event_callback(opts, JnaClient.EVENTS, new Pointer(eventSink),
                    err), err);
            }
            JnaClient.check(LibLeanix.lx_client_build(opts, out, err), err);
            return new JnaClient(new Handles.Client(JnaClient.ptr(out)));
        } finally {
            LibLeanix.lx_free(opts.getPointer());
        }
    }

    @Override
    public NativeCancel newCancel() {
        LibLeanix.ensureLoaded();
        return JnaClient.Cancel.create();
    }

    @Override
    public Optional<String> optionDefault(String key) {
        LibLeanix.ensureLoaded();
        long[] out = new long[1];
        int status = LibLeanix.lx_options_default(NativeStrings.utf8z("key", key), out);
        if (status == Status.LX_ERR_NOT_FOUND) {
            return Optional.empty();
        }
        if (status != Status.LX_OK) {
            throw org.libleanix.LeanixException.of(status, "no option named " + key, 0, null, -1);
        }
        return Optional.of(JnaClient.ptr(out).getString(0, "UTF-8"));
    }

    @Override
    public String toString() {
        return "JnaBackend";
    }
}
