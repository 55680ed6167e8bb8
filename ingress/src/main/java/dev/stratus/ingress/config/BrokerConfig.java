package dev.stratus.ingress.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the broker engine needs to know, as a plain value: the engine never reads framework config, so
 * tests can start several engines in one JVM. Quarkus builds one from {@link StratusConfig}.
 *
 * @param host              address every listener binds to
 * @param tcpPort           plain MQTT port; -1 disables, 0 picks a free port
 * @param wsPort            MQTT over WebSocket port; -1 disables, 0 picks a free port
 * @param wsPath            the HTTP path of the WebSocket endpoint
 * @param tlsPort           MQTT over TLS; only opened when {@code tls} is set; -1 disables
 * @param wssPort           MQTT over secure WebSocket; only opened when {@code tls} is set; -1 disables
 * @param tls               certificate and key, or null
 * @param limits            protocol limits
 * @param auth              authentication and authorization
 * @param sysInterval       how often the {@code $SYS/broker/...} statistics are published; zero disables them
 * @param features          what the server offers MQTT 5 clients (maximum QoS, retain, wildcards, aliases...)
 */
public record BrokerConfig(
        String host,
        int tcpPort,
        int wsPort,
        String wsPath,
        int tlsPort,
        int wssPort,
        TlsConfig tls,
        Limits limits,
        Auth auth,
        Duration sysInterval,
        Features features) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_TCP_PORT = 1883;
    public static final int DEFAULT_WS_PORT = 8083;
    public static final String DEFAULT_WS_PATH = "/mqtt";
    public static final int DEFAULT_TLS_PORT = 8883;
    public static final int DEFAULT_WSS_PORT = 8084;
    public static final Duration DEFAULT_SYS_INTERVAL = Duration.ofSeconds(10);

    public BrokerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(wsPath, "wsPath");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(sysInterval, "sysInterval");
        Objects.requireNonNull(features, "features");
        if (sysInterval.isNegative()) {
            throw new IllegalArgumentException("negative sysInterval " + sysInterval);
        }
    }

    /**
     * Every listener on a free port of 127.0.0.1, default limits, anonymous clients allowed, and no {@code $SYS}
     * topics (so that they add no messages, retained messages or counts to what a test observes; a test of them
     * turns them on with {@link #withSysInterval}): for tests.
     */
    public static BrokerConfig forTests() {
        return new BrokerConfig("127.0.0.1", 0, 0, DEFAULT_WS_PATH, -1, -1, null, Limits.defaults(), Auth.anonymous(),
                Duration.ZERO, Features.defaults());
    }

    public BrokerConfig withLimits(Limits newLimits) {
        return new BrokerConfig(host, tcpPort, wsPort, wsPath, tlsPort, wssPort, tls, newLimits, auth, sysInterval, features);
    }

    public BrokerConfig withAuth(Auth newAuth) {
        return new BrokerConfig(host, tcpPort, wsPort, wsPath, tlsPort, wssPort, tls, limits, newAuth, sysInterval, features);
    }

    public BrokerConfig withTls(TlsConfig newTls, int newTlsPort, int newWssPort) {
        return new BrokerConfig(host, tcpPort, wsPort, wsPath, newTlsPort, newWssPort, newTls, limits, auth, sysInterval, features);
    }

    /** @param newSysInterval how often {@code $SYS} topics are published; zero disables them */
    public BrokerConfig withSysInterval(Duration newSysInterval) {
        return new BrokerConfig(host, tcpPort, wsPort, wsPath, tlsPort, wssPort, tls, limits, auth, newSysInterval, features);
    }

    public BrokerConfig withFeatures(Features newFeatures) {
        return new BrokerConfig(host, tcpPort, wsPort, wsPath, tlsPort, wssPort, tls, limits, auth, sysInterval,
                newFeatures);
    }

    /**
     * A server certificate: either PEM files or a PKCS#12 key store.
     *
     * @param certFile          PEM certificate chain, or null
     * @param keyFile           PEM PKCS#8 private key, or null
     * @param keyStoreFile      PKCS#12 key store, or null
     * @param keyStorePassword  its password
     */
    public record TlsConfig(Path certFile, Path keyFile, Path keyStoreFile, String keyStorePassword) {

        public static TlsConfig pem(Path certFile, Path keyFile) {
            return new TlsConfig(certFile, keyFile, null, null);
        }

        public static TlsConfig pkcs12(Path keyStoreFile, String password) {
            return new TlsConfig(null, null, keyStoreFile, password);
        }
    }

    /**
     * Protocol limits.
     *
     * @param maxPacketSize        largest packet accepted, in bytes, fixed header included
     * @param maxInflight          outbound QoS 1/2 messages sent to one client and not yet acknowledged
     * @param maxQueued            messages queued for one session (offline, or beyond the inflight window);
     *                             the oldest is dropped (and counted) when a new one arrives
     * @param maxKeepAliveSeconds  keep alive the broker enforces at most; a client asking for more, or for
     *                             0 (none), is disconnected after 1.5 times this much silence
     * @param maxConnections       concurrent MQTT connections; CONNACK 0x03 beyond
     * @param connectTimeout       how long a new connection may take to send CONNECT
     * @param copyThreshold        payloads up to this size are copied into each subscriber's outbound buffer;
     *                             larger ones are shared by all subscribers without a copy
     */
    public record Limits(
            int maxPacketSize,
            int maxInflight,
            int maxQueued,
            int maxKeepAliveSeconds,
            int maxConnections,
            Duration connectTimeout,
            int copyThreshold) {

        public static final int DEFAULT_MAX_PACKET_SIZE = 1024 * 1024;
        public static final int DEFAULT_MAX_INFLIGHT = 32;
        public static final int DEFAULT_MAX_QUEUED = 1000;
        public static final int DEFAULT_MAX_KEEP_ALIVE = 3600;
        public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        public static final int DEFAULT_COPY_THRESHOLD = 64 * 1024;

        public Limits {
            if (maxPacketSize < 16 || maxInflight < 1 || maxQueued < 0 || maxKeepAliveSeconds < 1
                    || maxConnections < 1 || connectTimeout.isNegative() || connectTimeout.isZero()
                    || copyThreshold < 0) {
                throw new IllegalArgumentException("invalid limits " + this);
            }
        }

        public static Limits defaults() {
            return new Limits(DEFAULT_MAX_PACKET_SIZE, DEFAULT_MAX_INFLIGHT, DEFAULT_MAX_QUEUED,
                    DEFAULT_MAX_KEEP_ALIVE, DEFAULT_MAX_CONNECTIONS, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COPY_THRESHOLD);
        }

        public Limits withMaxPacketSize(int v) {
            return new Limits(v, maxInflight, maxQueued, maxKeepAliveSeconds, maxConnections, connectTimeout, copyThreshold);
        }

        public Limits withMaxInflight(int v) {
            return new Limits(maxPacketSize, v, maxQueued, maxKeepAliveSeconds, maxConnections, connectTimeout, copyThreshold);
        }

        public Limits withMaxQueued(int v) {
            return new Limits(maxPacketSize, maxInflight, v, maxKeepAliveSeconds, maxConnections, connectTimeout, copyThreshold);
        }

        public Limits withMaxKeepAliveSeconds(int v) {
            return new Limits(maxPacketSize, maxInflight, maxQueued, v, maxConnections, connectTimeout, copyThreshold);
        }

        public Limits withMaxConnections(int v) {
            return new Limits(maxPacketSize, maxInflight, maxQueued, maxKeepAliveSeconds, v, connectTimeout, copyThreshold);
        }

        public Limits withCopyThreshold(int v) {
            return new Limits(maxPacketSize, maxInflight, maxQueued, maxKeepAliveSeconds, maxConnections, connectTimeout, v);
        }

        public Limits withConnectTimeout(Duration v) {
            return new Limits(maxPacketSize, maxInflight, maxQueued, maxKeepAliveSeconds, maxConnections, v, copyThreshold);
        }
    }

    /**
     * Embedded authentication and authorization.
     *
     * @param allowAnonymous    accept clients that send no user name
     * @param users             static credentials: user name to password
     * @param aclRules          rules, first match wins, in the form
     *                          {@code allow|deny publish|subscribe|all <filter> [client=<id>] [user=<name>]};
     *                          {@code %c} and {@code %u} in the filter stand for the client id and user name
     * @param aclDefaultAllow   what applies when no rule matches
     */
    public record Auth(boolean allowAnonymous, Map<String, String> users, List<String> aclRules, boolean aclDefaultAllow) {

        public Auth {
            users = Map.copyOf(users);
            aclRules = List.copyOf(aclRules);
        }

        public static Auth anonymous() {
            return new Auth(true, Map.of(), List.of(), true);
        }
    }
}
