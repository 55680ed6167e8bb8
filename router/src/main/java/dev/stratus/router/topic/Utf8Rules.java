package dev.stratus.router.topic;

/** UTF-8 string rules shared by topic names and topic filters (MQTT 3.1.1 section 1.5.3). */
final class Utf8Rules {

    private Utf8Rules() {
    }

    /**
     * UTF-8 length of the code point whose first char is {@code c} at {@code index} in {@code s}: 1 to 3 for
     * a BMP char, 4 for a surrogate pair (the caller skips the low surrogate), or -1 if the char is not
     * allowed: U+0000 [MQTT-1.5.3-2], U+FFFD (our marker for malformed input) or an unpaired surrogate
     * [MQTT-1.5.3-1].
     */
    static int encodedLength(String s, int index, char c) {
        if (c < 0x80) {
            return c == 0 ? -1 : 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (Character.isHighSurrogate(c)) {
            final int next = index + 1;
            return next < s.length() && Character.isLowSurrogate(s.charAt(next)) ? 4 : -1;
        }
        if (Character.isLowSurrogate(c) || c == '\uFFFD') {
            return -1;
        }
        return 3;
    }
}
