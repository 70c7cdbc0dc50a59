package org.libleanix.spi;

import java.nio.charset.StandardCharsets;
import org.libleanix.InvalidArgumentException;

/** Conversions of Java strings to the C API's NUL-terminated UTF-8, shared by the backends. */
public final class NativeStrings {
    private NativeStrings() {}

    /**
     * Checks that a string can travel as a C string: a NUL inside it would silently cut it short
     * on the native side (a different path, a different query).
     *
     * @param what the argument's name, for the message
     * @param s the string, or null
     * @return {@code s}
     * @throws InvalidArgumentException if it contains a NUL character
     */
    public static String checkNoNul(String what, String s) {
        if (s != null && s.indexOf('\0') >= 0) {
            throw new InvalidArgumentException("argument `" + what + "` contains a NUL character");
        }
        return s;
    }

    /**
     * UTF-8 bytes with a terminating NUL.
     *
     * @param what the argument's name, for the message
     * @param s the string, or null
     * @return the bytes, or null for null
     * @throws InvalidArgumentException if it contains a NUL character
     */
    public static byte[] utf8z(String what, String s) {
        if (s == null) {
            return null;
        }
        checkNoNul(what, s);
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, z, 0, utf8.length);
        return z;
    }
}
