package org.libleanix.spi;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Objects by the number a backend passes through native code as a callback's {@code userdata}.
 * Numbers count up from 1 (never 0, which reads as NULL) and are not reused. Thread-safe.
 *
 * @param <T> what is registered
 */
final class Registry<T> {
    private final ConcurrentHashMap<Long, T> byNumber = new ConcurrentHashMap<>();
    private final AtomicLong last = new AtomicLong();

    /**
     * @param value what the number stands for, held strongly until removed
     * @return its new number (never 0)
     */
    long register(T value) {
        long id = last.incrementAndGet();
        byNumber.put(id, value);
        return id;
    }

    /**
     * @param id a number from {@link #register}
     * @return what it stands for, or null if it is not registered
     */
    T get(long id) {
        return byNumber.get(id);
    }

    /**
     * Forgets a number.
     *
     * @param id a number from {@link #register}
     * @return what it stood for, or null if it was not registered
     */
    T remove(long id) {
        return byNumber.remove(id);
    }

    /** @return how many numbers are registered */
    int size() {
        return byNumber.size();
    }
}
