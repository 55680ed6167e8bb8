package dev.stratus.router.topic;

/**
 * Rules for MQTT topic names, the topics that PUBLISH packets carry (MQTT 3.1.1 section 4.7, MQTT 5.0
 * section 4.7). A topic name is a list of levels separated by {@code '/'}; levels may be empty
 * ({@code "a//b"}, {@code "/a"}, {@code "a/"}).
 */
public final class TopicName {

    /** Longest encoded topic, in UTF-8 bytes: the two-byte length prefix of an MQTT string [MQTT-4.7.3-3]. */
    public static final int MAX_UTF8_BYTES = 65_535;

    private TopicName() {
    }

    /**
     * Whether {@code name} may be used as a topic name in PUBLISH.
     *
     * <ul>
     *   <li>at least one character [MQTT-4.7.3-1];</li>
     *   <li>no wildcard {@code '+'} or {@code '#'} [MQTT-4.7.1-1], [MQTT-3.3.2-2];</li>
     *   <li>no U+0000 [MQTT-4.7.3-2], [MQTT-1.5.3-2];</li>
     *   <li>well-formed UTF-16, i.e. no unpaired surrogate, which has no UTF-8 encoding [MQTT-1.5.3-1];</li>
     *   <li>no U+FFFD: Netty decodes ill-formed UTF-8 to the replacement character, so after decoding
     *       U+FFFD is the only trace of malformed input and we treat it as malformed [MQTT-1.5.3-1].
     *       A client that really sends an encoded U+FFFD is rejected too; that is the price of the
     *       lossy decoder;</li>
     *   <li>at most {@value #MAX_UTF8_BYTES} bytes once encoded as UTF-8 [MQTT-4.7.3-3].</li>
     * </ul>
     *
     * Control characters U+0001..U+001F and U+007F..U+009F are allowed: the specification only says they
     * SHOULD NOT be sent and that a receiver MAY reject them (section 1.5.3).
     *
     * @return {@code false} for {@code null}
     */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty()) {
            return false; // [MQTT-4.7.3-1]
        }
        final int length = name.length();
        if (length > MAX_UTF8_BYTES) {
            return false; // every char encodes to at least one byte [MQTT-4.7.3-3]
        }
        int bytes = 0;
        for (int i = 0; i < length; i++) {
            final char c = name.charAt(i);
            if (c == '+' || c == '#') {
                return false; // [MQTT-4.7.1-1] [MQTT-3.3.2-2]
            }
            final int encoded = Utf8Rules.encodedLength(name, i, c);
            if (encoded < 0) {
                return false; // U+0000, U+FFFD or unpaired surrogate [MQTT-4.7.3-2] [MQTT-1.5.3-1]
            }
            if (encoded == 4) {
                i++; // low surrogate of the pair
            }
            bytes += encoded;
        }
        return bytes <= MAX_UTF8_BYTES; // [MQTT-4.7.3-3]
    }

    /**
     * Whether {@code name} starts with {@code '$'}. Such topics are reserved for the server (for example
     * {@code $SYS/}) and are not matched by filters that start with a wildcard [MQTT-4.7.2-1].
     */
    public static boolean isSysTopic(String name) {
        return name != null && !name.isEmpty() && name.charAt(0) == '$';
    }
}
