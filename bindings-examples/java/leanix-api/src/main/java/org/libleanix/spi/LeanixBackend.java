package org.libleanix.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A way of calling libleanix from Java (the SPI): JNA ({@code leanix-jna}) or the FFM API
 * ({@code leanix-panama}). Implementations are found with {@link java.util.ServiceLoader}; an
 * application never calls them directly but goes through {@link org.libleanix.LeanixClient}.
 *
 * <p>Implementations load the native library lazily (on the first {@link #load()},
 * {@link #libraryVersion()} or {@link #newClient}) with {@link LibraryLocator#load}, which refuses
 * a library whose {@code lx_abi_version()} is not {@link #ABI_VERSION}. A failure to load is an
 * {@link UnsatisfiedLinkError}, remembered and thrown again by every later call.
 */
public interface LeanixBackend {
    /** The ABI generation of {@code leanix.h} this binding is written against. */
    int ABI_VERSION = 1;

    /** @return a short name ({@code "jna"}, {@code "panama"}), as used by {@code leanix.backend} */
    String name();

    /** @return preference when several backends are available and none is named: higher wins */
    int priority();

    /**
     * Whether the backend can run in this JVM (e.g. Panama needs Java 22+). Must be cheap and
     * must not load the native library.
     *
     * @return true if usable here
     */
    boolean isSupported();

    /**
     * Loads and checks the library once (later calls return at once, or throw the first failure
     * again). {@link org.libleanix.LeanixClient} calls it to choose a backend: when it picks one
     * automatically and this fails, it tries the next.
     *
     * @throws UnsatisfiedLinkError if the library cannot be found or loaded here, has another ABI,
     *     or the backend may not call native code in this JVM (native access not enabled)
     */
    void load();

    /**
     * Where the library was loaded from; loads it if needed.
     *
     * @return the location
     * @throws UnsatisfiedLinkError as {@link #load()}
     */
    LibraryLocator.Location libraryLocation();

    /**
     * Loads the library if needed and returns {@code lx_version()}.
     *
     * @return the library version, e.g. {@code "0.1.0"}
     * @throws UnsatisfiedLinkError if the library cannot be found or loaded or has another ABI
     */
    String libraryVersion();

    /**
     * Builds a native client: {@code lx_options_new()}, {@code lx_options_set()} for each option
     * in order, {@code lx_options_set_event_callback()} if {@code eventSink} is not 0,
     * {@code lx_client_build()}, and frees the options.
     *
     * @param options option keys and values of {@code lx_options_set()} (may hold the API token:
     *     never log them)
     * @param eventSink a number from {@link Events#register} whose sink gets the client's events
     *     (the backend's one event callback passes it to {@link Events#deliver}), or 0 for none
     * @return the new client
     * @throws org.libleanix.LeanixException if an option or the configuration is invalid
     */
    BackendClient newClient(List<Map.Entry<String, String>> options, long eventSink);

    /**
     * {@code lx_cancel_new}: a cancellation handle that has not fired. Loads the library if needed.
     *
     * @return the handle
     */
    NativeCancel newCancel();

    /**
     * {@code lx_options_default}: the library's default of an option, as {@code lx_options_set}
     * takes it. Loads the library if needed.
     *
     * @param key an option key
     * @return the default, or empty for keys without one ({@code host}, {@code proxy}, ...)
     * @throws org.libleanix.InvalidArgumentException for an unknown key
     */
    Optional<String> optionDefault(String key);
}
