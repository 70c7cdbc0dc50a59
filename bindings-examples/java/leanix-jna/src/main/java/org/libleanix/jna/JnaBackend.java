package org.libleanix.jna;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.List;
import java.util.Map;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.LeanixBackend;
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
    public String libraryVersion() {
        LibLeanix.ensureLoaded();
        return LibLeanix.lx_version().getString(0, "UTF-8");
    }

    @Override
    public BackendClient newClient(List<Map.Entry<String, String>> options) {
        LibLeanix.ensureLoaded();
        try (Memory out = JnaClient.scratch()) {
            Pointer err = out.share(8);
            int status = LibLeanix.lx_options_new(out, err);
            if (status != 0) {
                throw JnaClient.error(status, err);
            }
            Pointer opts = out.getPointer(0);
            try {
                for (Map.Entry<String, String> o : options) {
                    status = LibLeanix.lx_options_set(opts, NativeStrings.utf8z("key", o.getKey()),
                        NativeStrings.utf8z(o.getKey(), o.getValue()), err);
                    if (status != 0) {
                        throw JnaClient.error(status, err);
                    }
                }
                status = LibLeanix.lx_client_build(opts, out, err);
                if (status != 0) {
                    throw JnaClient.error(status, err);
                }
                return new JnaClient(out.getPointer(0));
            } finally {
                LibLeanix.lx_free(opts);
            }
        }
    }

    @Override
    public String toString() {
        return "JnaBackend";
    }
}
