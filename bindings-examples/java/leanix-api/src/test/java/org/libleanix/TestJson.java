package org.libleanix;

import java.util.Map;

/**
 * The binding's package-private JSON reader, opened to tests, {@code LxSandbox} and the
 * benchmark through leanix-api's test-jar. Not part of the API.
 */
public final class TestJson {
    private TestJson() {}

    /**
     * @param text JSON text
     * @return the value (see {@code Json.parse})
     */
    public static Object parse(String text) {
        return Json.parse(text);
    }

    /**
     * @param text JSON text of an object
     * @return the object
     */
    public static Map<String, Object> parseObject(String text) {
        return Json.parseObject(text);
    }

    /**
     * @param value a parsed value
     * @param path keys (String) and indexes (Integer)
     * @return the value there, or null if absent
     */
    public static Object at(Object value, Object... path) {
        return Json.at(value, path);
    }

    /**
     * @param s a string
     * @return it as a JSON string literal
     */
    public static String quote(String s) {
        return Json.quote(s);
    }
}
