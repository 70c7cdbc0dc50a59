package org.libleanix.jna;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;

/**
 * The opaque types of {@code leanix.h} as JNA {@link PointerType}s, so that each native signature
 * in {@link LibLeanix} says which object it takes, and its two callback types. Internal to the JNA
 * backend; public only because JNA requires public classes with a no-argument constructor.
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

    /** {@code lx_call_options *}. */
    public static final class CallOptions extends PointerType {
        /** A NULL handle (for JNA). */
        public CallOptions() {}

        CallOptions(Pointer p) {
            super(p);
        }
    }

    /** {@code lx_cancel *}. */
    public static final class Cancel extends PointerType {
        /** A NULL handle (for JNA). */
        public Cancel() {}

        Cancel(Pointer p) {
            super(p);
        }
    }

    /** {@code lx_rest_pages *}. */
    public static final class RestPages extends PointerType {
        /** A NULL handle (for JNA). */
        public RestPages() {}

        RestPages(Pointer p) {
            super(p);
        }
    }

    /** {@code lx_graphql_pages *}. */
    public static final class Pages extends PointerType {
        /** A NULL handle (for JNA). */
        public Pages() {}

        Pages(Pointer p) {
            super(p);
        }
    }

    /** {@code lx_completion_callback}: {@code void (*)(void *userdata, int32_t status, lx_response *, lx_error *)}. */
    public interface CompletionCallback extends Callback {
        /**
         * @param userdata the call's number (see {@code Completions})
         * @param status {@code LX_OK} or an {@code LX_ERR_*}
         * @param response the owned response, or NULL
         * @param error the owned error, or NULL
         */
        void invoke(Pointer userdata, int status, Pointer response, Pointer error);
    }

    /** {@code lx_event_callback}: {@code void (*)(void *userdata, int32_t kind, const char *details_json)}. */
    public interface EventCallback extends Callback {
        /**
         * @param userdata the client's event sink number (see {@code Events})
         * @param kind an {@code lx_event_kind}
         * @param detailsJson the details, borrowed for the call
         */
        void invoke(Pointer userdata, int kind, Pointer detailsJson);
    }
}
