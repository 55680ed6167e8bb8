package dev.stratus.state.redis;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.TenantId;

import java.util.Objects;

/**
 * The Redis key layout. Every key carries the tenant, and the part between braces is the Redis Cluster hash tag,
 * so that the keys that must change together live in one slot:
 * <pre>
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:session         HASH  expiry, disconnectedAt
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:subs            HASH  filter -> encoded StoredSubscription
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:queue           ZSET  "&lt;seq&gt;:" + encoded StoredMessage, score seq
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:queue:seq       STRING last queue sequence (INCR)
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:delivered       ZSET  delivery ids of QoS 2 messages appended once, score ms
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:inflight        HASH  packet id -> encoded InflightMessage
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:inflight:order  ZSET  packet id, score = first-put sequence
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:inflight:seq    STRING last inflight sequence (INCR)
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:rel             SET   inbound QoS 2 packet ids awaiting PUBREL
 * &lt;prefix&gt;:{t:&lt;tenant&gt;:s:&lt;client&gt;}:rel:ids         HASH  packet id -> delivery id of that message (cluster)
 * &lt;prefix&gt;:{t:&lt;tenant&gt;}:sessions                      ZSET  client id, score = expiry instant (+inf: none)
 * &lt;prefix&gt;:{t:&lt;tenant&gt;}:retained                      HASH  topic -> encoded StoredMessage
 * &lt;prefix&gt;:{t:&lt;tenant&gt;}:retained:index                ZSET  topic, score 0 (ZRANGEBYLEX by literal prefix)
 * &lt;prefix&gt;:{t:&lt;tenant&gt;}:routes                        SET   node id + U+0000 + filter
 * &lt;prefix&gt;:{t:&lt;tenant&gt;}:routes:version                STRING route table version (INCR per change)
 * &lt;prefix&gt;:{t:&lt;tenant&gt;}:routes:changes                channel: "&lt;version&gt;:&lt;+|-&gt;:&lt;node&gt;\0&lt;filter&gt;"
 * &lt;prefix&gt;:{nodes}:registry                            ZSET  node id, score = heartbeat deadline (server ms)
 * &lt;prefix&gt;:{nodes}:cleanup:&lt;node&gt;                      STRING claimant of a dead node's cleanup (SET NX PX)
 * </pre>
 * Tenant and client id are escaped inside the tag: {@code %}, <code>{</code>, <code>}</code> and {@code :} become
 * {@code %25}, {@code %7B}, {@code %7D} and {@code %3A}. So a <code>}</code> cannot end the tag early (which would
 * put a session's keys in different slots), and a {@code :} cannot make two (tenant, client) pairs produce the
 * same key (tenant {@code a:s:b} with client {@code c} against tenant {@code a} with client {@code b:s:c}).
 * Members and hash fields (client ids in {@code sessions}, topics, filters) are stored raw: they never go
 * into a key name.
 */
final class RedisKeys {

    private final String prefix;

    /** @param prefix the first segment of every key, e.g. {@code stratus}; no braces */
    RedisKeys(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("key prefix must not contain braces: " + prefix);
        }
        this.prefix = prefix;
    }

    /** The keys of one session, all in the slot of its tag. */
    SessionKeys session(SessionKey key) {
        String base = prefix + ":{t:" + escape(key.tenant().value()) + ":s:" + escape(key.clientId()) + "}:";
        return new SessionKeys(base + "session", base + "subs", base + "queue", base + "queue:seq",
                base + "delivered", base + "inflight", base + "inflight:order", base + "inflight:seq", base + "rel",
                base + "rel:ids");
    }

    String sessionIndex(TenantId tenant) {
        return tenantBase(tenant) + "sessions";
    }

    String retained(TenantId tenant) {
        return tenantBase(tenant) + "retained";
    }

    String retainedIndex(TenantId tenant) {
        return tenantBase(tenant) + "retained:index";
    }

    /** SET of {@code nodeId + '\0' + filter}. */
    String routes(TenantId tenant) {
        return tenantBase(tenant) + "routes";
    }

    String routesVersion(TenantId tenant) {
        return tenantBase(tenant) + "routes:version";
    }

    /** The pub/sub channel of the tenant's route changes (a channel, not a key; named like one). */
    String routesChannel(TenantId tenant) {
        return tenantBase(tenant) + "routes:changes";
    }

    /** The node registry: one slot for the whole cluster (nodes are few). */
    String nodes() {
        return prefix + ":{nodes}:registry";
    }

    String nodeCleanupClaim(String nodeId) {
        return prefix + ":{nodes}:cleanup:" + escape(nodeId);
    }

    private String tenantBase(TenantId tenant) {
        return prefix + ":{t:" + escape(tenant.value()) + "}:";
    }

    static String escape(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '%' -> "%25";
                case '{' -> "%7B";
                case '}' -> "%7D";
                case ':' -> "%3A";
                default -> null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }

    /** The keys of one session, in the order the scripts take them. */
    record SessionKeys(String session, String subs, String queue, String queueSeq, String delivered,
                       String inflight, String inflightOrder, String inflightSeq, String received,
                       String receivedIds) {

        /** Every key the session owns: what a cascading delete removes. */
        String[] all() {
            return new String[] {session, subs, queue, queueSeq, delivered, inflight, inflightOrder, inflightSeq, received,
                receivedIds};
        }
    }
}
