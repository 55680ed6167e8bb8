package dev.stratus.router.topic;

/**
 * Rules for MQTT topic filters, the patterns that SUBSCRIBE packets carry (MQTT 3.1.1 section 4.7).
 *
 * <p>A filter is a list of levels separated by {@code '/'}. The level {@code "+"} matches exactly one
 * topic level, which may be empty; the level {@code "#"}, allowed only last, matches the parent level and
 * any number of child levels, so {@code "sport/#"} matches {@code "sport"} too. Filters starting with a
 * wildcard do not match topics starting with {@code '$'} [MQTT-4.7.2-1].
 */
public final class TopicFilter {

    /** Separator of topic levels. */
    public static final char LEVEL_SEPARATOR = '/';
    /** Single-level wildcard. */
    public static final char SINGLE_LEVEL_WILDCARD = '+';
    /** Multi-level wildcard. */
    public static final char MULTI_LEVEL_WILDCARD = '#';

    private TopicFilter() {
    }

    /**
     * Whether {@code filter} may be used in SUBSCRIBE or UNSUBSCRIBE.
     *
     * <ul>
     *   <li>at least one character [MQTT-4.7.3-1];</li>
     *   <li>{@code '#'} only alone in the last level [MQTT-4.7.1-2];</li>
     *   <li>{@code '+'} only alone in its level [MQTT-4.7.1-3];</li>
     *   <li>no U+0000 [MQTT-4.7.3-2], no unpaired surrogate and no U+FFFD (see
     *       {@link TopicName#isValid(String)} for why U+FFFD counts as malformed) [MQTT-1.5.3-1];</li>
     *   <li>at most 65535 bytes once encoded as UTF-8 [MQTT-4.7.3-3].</li>
     * </ul>
     *
     * Shared subscriptions ({@code $share/group/filter}, MQTT 5.0) are not parsed here; pass the filter
     * part.
     *
     * @return {@code false} for {@code null}
     */
    public static boolean isValid(String filter) {
        if (filter == null || filter.isEmpty()) {
            return false; // [MQTT-4.7.3-1]
        }
        final int length = filter.length();
        if (length > TopicName.MAX_UTF8_BYTES) {
            return false; // [MQTT-4.7.3-3]
        }
        int bytes = 0;
        for (int i = 0; i < length; i++) {
            final char c = filter.charAt(i);
            if (c == MULTI_LEVEL_WILDCARD) {
                // alone in its level and the last character [MQTT-4.7.1-2]
                if (i != length - 1 || (i > 0 && filter.charAt(i - 1) != LEVEL_SEPARATOR)) {
                    return false;
                }
            } else if (c == SINGLE_LEVEL_WILDCARD) {
                // alone in its level [MQTT-4.7.1-3]
                if ((i > 0 && filter.charAt(i - 1) != LEVEL_SEPARATOR)
                        || (i < length - 1 && filter.charAt(i + 1) != LEVEL_SEPARATOR)) {
                    return false;
                }
            }
            final int encoded = Utf8Rules.encodedLength(filter, i, c);
            if (encoded < 0) {
                return false; // [MQTT-4.7.3-2] [MQTT-1.5.3-1]
            }
            if (encoded == 4) {
                i++;
            }
            bytes += encoded;
        }
        return bytes <= TopicName.MAX_UTF8_BYTES; // [MQTT-4.7.3-3]
    }

    /** Whether {@code filter} contains {@code '+'} or {@code '#'}. */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf(SINGLE_LEVEL_WILDCARD) >= 0 || filter.indexOf(MULTI_LEVEL_WILDCARD) >= 0;
    }

    /**
     * Whether topic name {@code topic} matches topic filter {@code filter}. Both must be valid
     * ({@link TopicName#isValid}, {@link #isValid}); the result for invalid input is unspecified.
     *
     * <p>Walks both strings level by level with two cursors and does not allocate.
     *
     * <ul>
     *   <li>A filter whose first level is {@code '+'} or {@code '#'} never matches a topic that starts
     *       with {@code '$'} [MQTT-4.7.2-1].</li>
     *   <li>{@code '#'} matches the parent level as well: {@code "sport/#"} matches {@code "sport"}
     *       (section 4.7.1.2).</li>
     *   <li>{@code '+'} matches one level, empty levels included: {@code "+/+"} matches {@code "/"}
     *       (section 4.7.1.3).</li>
     * </ul>
     */
    public static boolean matches(String filter, String topic) {
        final int filterLength = filter.length();
        final int topicLength = topic.length();
        if (topicLength > 0 && topic.charAt(0) == '$' && filterLength > 0) {
            final char first = filter.charAt(0);
            if (first == SINGLE_LEVEL_WILDCARD || first == MULTI_LEVEL_WILDCARD) {
                return false; // [MQTT-4.7.2-1]
            }
        }
        // fi and ti point at the start of the current level; a cursor past the length means "no levels left".
        int fi = 0;
        int ti = 0;
        while (true) {
            if (fi < filterLength && filter.charAt(fi) == MULTI_LEVEL_WILDCARD) {
                return true; // matches this level, any children, or none [MQTT-4.7.1-2]
            }
            if (ti > topicLength) {
                return false; // the filter has levels left, the topic has none
            }
            int filterEnd = filter.indexOf(LEVEL_SEPARATOR, fi);
            if (filterEnd < 0) {
                filterEnd = filterLength;
            }
            int topicEnd = topic.indexOf(LEVEL_SEPARATOR, ti);
            if (topicEnd < 0) {
                topicEnd = topicLength;
            }
            final int levelLength = filterEnd - fi;
            final boolean singleLevelWildcard = levelLength == 1 && filter.charAt(fi) == SINGLE_LEVEL_WILDCARD;
            if (!singleLevelWildcard
                    && (levelLength != topicEnd - ti || !topic.regionMatches(ti, filter, fi, levelLength))) {
                return false;
            }
            fi = filterEnd + 1;
            ti = topicEnd + 1;
            if (fi > filterLength) {
                return ti > topicLength;
            }
        }
    }
}
