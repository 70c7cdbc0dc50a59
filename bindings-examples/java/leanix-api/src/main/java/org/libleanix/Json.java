package org.libleanix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A very small JSON reader and string quoter, so that the binding needs no JSON library.
 * Package-private: {@link Claims} and the error messages of {@link LeanixClient} use it; it is
 * not part of the API (applications parse response bodies with a JSON library of their choice).
 *
 * <p>{@link #parse} maps objects to {@code Map<String, Object>} (insertion order), arrays to
 * {@code List<Object>}, strings to {@code String}, integral numbers to {@code Long} (or
 * {@code Double} when they do not fit), other numbers to {@code Double}, {@code true}/{@code false}
 * to {@code Boolean}, {@code null} to null. The results are unmodifiable.
 */
final class Json {
    /** The letters that follow a backslash in a JSON string's one-letter escapes... */
    private static final String ESCAPE_LETTERS = "\"\\/bfnrt";
    /** ...and the characters they stand for, at the same index. */
    private static final String ESCAPED = "\"\\/\b\f\n\r\t";
    /** The characters {@link #quote} writes as a backslash and a letter... */
    private static final String QUOTED = "\"\\\n\r\t";
    /** ...and those letters, at the same index. */
    private static final String QUOTE_LETTERS = "\"\\nrt";

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON value.
     *
     * @param text JSON text
     * @return the value
     * @throws IllegalArgumentException if the text is not JSON
     */
    static Object parse(String text) {
        Json p = new Json(text);
        p.skipSpace();
        Object value = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("trailing characters");
        }
        return value;
    }

    /**
     * Parses a JSON object.
     *
     * @param text JSON text of an object
     * @return the object
     * @throws IllegalArgumentException if the text is not a JSON object
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return (Map<String, Object>) v;
    }

    /**
     * Follows a path of object keys and array indexes.
     *
     * @param value a parsed value
     * @param path keys (String) and indexes (Integer)
     * @return the value there, or null if absent
     */
    static Object at(Object value, Object... path) {
        Object v = value;
        for (Object step : path) {
            if (step instanceof Integer && v instanceof List) {
                List<?> list = (List<?>) v;
                int i = (Integer) step;
                v = i >= 0 && i < list.size() ? list.get(i) : null;
            } else if (v instanceof Map) {
                v = ((Map<?, ?>) v).get(step);
            } else {
                return null;
            }
        }
        return v;
    }

    /**
     * The text of one member of a JSON object, as it stands in {@code text} (not re-encoded).
     *
     * @param text JSON text of an object
     * @param key the member's key
     * @return the member's JSON text, or null if the object has no such member
     * @throws IllegalArgumentException if the text is not a JSON object
     */
    static String rawMember(String text, String key) {
        Json p = new Json(text);
        p.skipSpace();
        if (p.peek() != '{') {
            throw p.error("not a JSON object");
        }
        for (int[] m : p.members()) {
            if (key.equals(p.keyAt(m[0]))) {
                return text.substring(m[1], m[2]);
            }
        }
        return null;
    }

    /**
     * The text of each element of a JSON array, as it stands in {@code text} (not re-encoded).
     *
     * @param text JSON text of an array
     * @return the elements' JSON texts, in order
     * @throws IllegalArgumentException if the text is not a JSON array
     */
    static List<String> rawElements(String text) {
        Json p = new Json(text);
        p.skipSpace();
        List<String> out = new ArrayList<>();
        p.expect('[');
        p.items(']', () -> {
            int start = p.pos;
            p.skipValue();
            out.add(text.substring(start, p.pos));
        });
        return out;
    }

    /**
     * At an object: its members as {key start, value start, value end} offsets; leaves pos after
     * the object.
     */
    private List<int[]> members() {
        List<int[]> members = new ArrayList<>();
        expect('{');
        items('}', () -> {
            int keyStart = pos;
            memberKey(false);
            int valueStart = pos;
            skipValue();
            members.add(new int[] {keyStart, valueStart, pos});
        });
        return members;
    }

    /**
     * After the opening bracket of an array or object: reads the comma-separated items up to
     * {@code close} (white space around each skipped), leaving pos after it.
     *
     * @param close {@code ']'} or {@code '}'}
     * @param item reads one item, starting at its first character
     */
    private void items(char close, Runnable item) {
        skipSpace();
        if (peek() == close) {
            pos++;
            return;
        }
        while (true) {
            skipSpace();
            item.run();
            skipSpace();
            char c = next();
            if (c == close) {
                return;
            }
            if (c != ',') {
                throw error("expected , or " + close);
            }
        }
    }

    /**
     * At an object member: reads its key and the colon, leaving pos at the value.
     *
     * @param decode whether to decode the key (else it is only skipped)
     * @return the key, or null if not decoded
     */
    private String memberKey(boolean decode) {
        if (peek() != '"') {
            throw error("expected a key");
        }
        String key = null;
        if (decode) {
            key = string();
        } else {
            skipString();
        }
        skipSpace();
        expect(':');
        skipSpace();
        return key;
    }

    /** The key string starting at {@code at}, decoded. */
    private String keyAt(int at) {
        int saved = pos;
        pos = at;
        String key = string();
        pos = saved;
        return key;
    }

    /** Moves past one value without building it (checking its syntax as far as skipping needs). */
    private void skipValue() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        if (c == '"') {
            skipString();
        } else if (c == '{' || c == '[') {
            int depth = 0;
            while (true) {
                char d = next();
                if (d == '"') {
                    pos--;
                    skipString();
                } else if (d == '{' || d == '[') {
                    depth++;
                } else if (d == '}' || d == ']') {
                    if (--depth == 0) {
                        return;
                    }
                }
            }
        } else {
            value();
        }
    }

    private void skipString() {
        expect('"');
        while (true) {
            char c = next();
            if (c == '"') {
                return;
            }
            if (c == '\\') {
                next();
            }
        }
    }

    /**
     * Writes a value as JSON text: {@link Map} (string keys) as an object, {@link java.util.Collection}
     * as a list, {@link CharSequence} as a string, {@link Number} and {@link Boolean} as
     * themselves, null as {@code null}.
     *
     * @param value the value
     * @return its JSON text
     * @throws IllegalArgumentException for any other type, a key that is not a string, or a
     *     number that is not finite
     */
    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, Object value, int depth) {
        if (depth > 100) {
            throw new IllegalArgumentException("a value nested more than 100 levels deep (a cycle?)");
        }
        if (value == null) {
            b.append("null");
        } else if (value instanceof CharSequence) {
            b.append(quote(value.toString()));
        } else if (value instanceof Boolean) {
            b.append(value);
        } else if (value instanceof Number) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no " + value);
            }
            b.append(value);
        } else if (value instanceof Map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new IllegalArgumentException("a JSON object's keys are strings, not " + e.getKey());
                }
                b.append(first ? "" : ",").append(quote((String) e.getKey())).append(':');
                write(b, e.getValue(), depth + 1);
                first = false;
            }
            b.append('}');
        } else if (value instanceof java.util.Collection) {
            b.append('[');
            boolean first = true;
            for (Object item : (java.util.Collection<?>) value) {
                b.append(first ? "" : ",");
                write(b, item, depth + 1);
                first = false;
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for a " + value.getClass().getName()
                + " (use a Map, a List, a String, a Number or a Boolean)");
        }
    }

    /**
     * Quotes a string as a JSON string literal.
     *
     * @param s the string
     * @return {@code "..."} with the necessary escapes
     */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int quoted = QUOTED.indexOf(c);
            if (quoted >= 0) {
                b.append('\\').append(QUOTE_LETTERS.charAt(quoted));
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private Object value() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character " + quote(String.valueOf(c)));
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        items('}', () -> {
            String key = memberKey(true);
            map.put(key, value());
        });
        return Collections.unmodifiableMap(map);
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        pos++;
        items(']', () -> list.add(value()));
        return Collections.unmodifiableList(list);
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            int letter = ESCAPE_LETTERS.indexOf(e);
            if (letter >= 0) {
                b.append(ESCAPED.charAt(letter));
            } else if (e == 'u') {
                if (pos + 4 > text.length()) {
                    throw error("bad \\u escape");
                }
                try {
                    b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                } catch (NumberFormatException ex) {
                    throw error("bad \\u escape");
                }
                pos += 4;
            } else {
                throw error("bad escape");
            }
        }
    }

    private Object number() {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') {
            pos++;
        }
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c >= '0' && c <= '9') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integral = false;
                pos++;
            } else {
                break;
            }
        }
        String n = text.substring(start, pos);
        try {
            if (integral) {
                try {
                    return Long.parseLong(n);
                } catch (NumberFormatException tooLong) {
                    return Double.parseDouble(n);
                }
            }
            return Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw error("bad number");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected word");
        }
        pos += word.length();
        return value;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                pos++;
            } else {
                break;
            }
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos++);
    }

    private void expect(char c) {
        if (next() != c) {
            pos--;
            throw error("expected " + c);
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
    }
}
