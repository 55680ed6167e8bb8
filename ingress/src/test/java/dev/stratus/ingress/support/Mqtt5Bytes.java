package dev.stratus.ingress.support;

import java.nio.charset.StandardCharsets;

/** Conversions between text, numbers and the bytes of MQTT 5 payloads and property values, for the tests. */
public final class Mqtt5Bytes {

    private Mqtt5Bytes() {
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A two-byte-length-prefixed string property value as text. */
    public static String stringValue(byte[] value) {
        return new String(value, 2, value.length - 2, StandardCharsets.UTF_8);
    }

    /** A Four Byte Integer property value. */
    public static long u32(byte[] v) {
        return ((v[0] & 0xFFL) << 24) | ((v[1] & 0xFFL) << 16) | ((v[2] & 0xFFL) << 8) | (v[3] & 0xFFL);
    }

    /** A Two Byte Integer property value. */
    public static int u16(byte[] v) {
        return ((v[0] & 0xFF) << 8) | (v[1] & 0xFF);
    }
}
