package org.libleanix.jna;

import com.sun.jna.ptr.PointerByReference;
import java.util.List;
import java.util.Map;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.LeanixBackend;
import org.libleanix.spi.LibraryLocator;
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
    public BackendClient newClient(List<Map.Entry<String, String>> options) {
        LibLeanix.ensureLoaded();
        PointerByReference out = new PointerByReference();
        PointerByReference err = new PointerByReference();
        JnaClient.check(LibLeanix.lx_options_new(out, err), err);
        Handles.Options opts = new Handles.Options(out.getValue());
        try {
            for (Map.Entry<String, String> o : options) {
                JnaClient.check(LibLeanix.lx_options_set(opts, NativeStrings.utf8z("key", o.getKey()),
                    NativeStrings.utf8z(o.getKey(), o.getValue()), err), err);
            }
            JnaClient.check(LibLeanix.lx_client_build(opts, out, err), err);
            return new JnaClient(new Handles.Client(out.getValue()));
        } finally {
            LibLeanix.lx_free(opts.getPointer());
        }
    }

    @Override
    public String toString() {
        return "JnaBackend";
    }
}
