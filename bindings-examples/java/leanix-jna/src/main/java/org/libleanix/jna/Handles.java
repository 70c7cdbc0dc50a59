package org.libleanix.jna;

import com.sun.jna.Pointer;
import com.sun.jna.PointerType;

/**
 * The opaque types of {@code leanix.h} as JNA {@link PointerType}s, so that each native signature
 * in {@link LibLeanix} says which object it takes. Internal to the JNA backend; public only
 * because JNA requires public classes with a no-argument constructor.
 */
public final class Handles {
    private Handles() {}

    /** {@code lx_client *}. */
    public static final class Client extends PointerType {
        /** A NULL handle (for JNA). */
        public Client() {}

        Client(Pointer p) {
            super(p);
        }
    }

    /** {@code lx_options *}. */
    public static final class Options extends PointerType {
        /** A NULL handle (for JNA). */
        public Options() {}

        Options(Pointer p) {
            super(p);
        }
    }

    /** {@code lx_response *}. */
    public static final class Response extends PointerType {
        /** A NULL handle (for JNA). */
        public Response() {}

        Response(Pointer p) {
            super(p);
        }
    }

    /** {@code lx_error *}. */
    public static final class Error extends PointerType {
        /** A NULL handle (for JNA). */
        public Error() {}

        Error(Pointer p) {
            super(p);
        }
    }
}
