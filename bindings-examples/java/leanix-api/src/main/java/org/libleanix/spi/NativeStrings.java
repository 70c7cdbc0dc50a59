package org.libleanix.spi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.libleanix.InvalidArgumentException;

/** Conversions between Java strings and the C API's UTF-8 text, shared by the backends. */
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

    /**
     * Splits the block of {@code lx_response_headers()} ({@code name: value\n} lines, lower-case
     * names, in the order received) into name-value pairs.
     *
     * @param block the block's bytes, without the trailing NUL
     * @return the headers in order
     */
    public static List<Map.Entry<String, String>> headers(byte[] block) {
        String text = new String(block, StandardCharsets.UTF_8);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            int colon = text.indexOf(':', start);
            if (colon > start && colon < end) {
                int value = colon + 1 < end && text.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1;
                headers.add(Map.entry(text.substring(start, colon), text.substring(value, end)));
            }
            start = end + 1;
        }
        return headers;
    }
}
