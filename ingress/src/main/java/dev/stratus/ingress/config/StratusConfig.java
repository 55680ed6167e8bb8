package dev.stratus.ingress.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The broker's settings as Quarkus config properties ({@code stratus.*}); each is also an environment variable
 * ({@code STRATUS_MQTT_PORT}) or a line in {@code config/application.properties}. The README lists them all.
 */
@ConfigMapping(prefix = "stratus")
public interface StratusConfig {

    Mqtt mqtt();

    Ws ws();

    Tls tls();

    LimitsConfig limits();

    AuthConfig auth();

    /** How long a graceful shutdown waits for connections to close. */
    @WithDefault("10s")
    Duration shutdownGrace();

    Sys sys();

    Mqtt5 mqtt5();

    Cluster cluster();

    /** Cluster mode: on when a Redis URL is configured. */
    interface Cluster {
        /** e.g. {@code redis://127.0.0.1:6379}; absent: embedded, in-memory state. */
        Optional<String> redisUrl();

        /** This node's id in the cluster; default: the host name (the pod name on Kubernetes) and a random suffix. */
        Optional<String> nodeId();

        @WithDefault("1s")
        Duration heartbeatInterval();

        /** How long after its last heartbeat a node counts as dead. */
        @WithDefault("5s")
        Duration nodeTtl();

        /** How long a connection waits for another node to hand its session over. */
        @WithDefault("3s")
        Duration takeoverTimeout();
    }

    /** The cluster settings, when cluster mode is on. */
    default Optional<ClusterConfig> toClusterConfig() {
        return cluster().redisUrl().map(url -> {
            String id = cluster().nodeId().orElseGet(() -> {
                // unique even for several processes on one host; the host (pod) name helps reading the logs
                String host = System.getenv("HOSTNAME");
                String suffix = Long.toHexString(new java.security.SecureRandom().nextLong());
                return (host != null && !host.isBlank() ? host : "node") + "-" + suffix;
            });
            return new ClusterConfig(url, id, cluster().heartbeatInterval(), cluster().nodeTtl(),
                    cluster().takeoverTimeout());
        });
    }

    /** What the server offers MQTT 5 clients; see {@link Features}. */
    interface Mqtt5 {
        @WithDefault("2")
        int maximumQos();

        @WithDefault("true")
        boolean retainAvailable();

        @WithDefault("true")
        boolean wildcardSubscriptions();

        @WithDefault("true")
        boolean subscriptionIdentifiers();

        @WithDefault("true")
        boolean sharedSubscriptions();

        @WithDefault("64")
        int topicAliasMaximum();

        @WithDefault("1024")
        int receiveMaximum();

        /** Longest session expiry granted, in seconds; 4294967295 lets sessions live for ever. */
        @WithDefault("4294967295")
        long maxSessionExpiry();
    }

    interface Sys {
        /** How often the {@code $SYS/broker/...} statistics are published; 0 disables them. */
        @WithDefault("10s")
        Duration interval();
    }

    interface Mqtt {
        /** Address all listeners bind to. */
        @WithDefault(BrokerConfig.DEFAULT_HOST)
        String host();

        /** MQTT over TCP; -1 disables, 0 picks a free port. */
        @WithDefault("1883")
        int port();
    }

    interface Ws {
        /** MQTT over WebSocket; -1 disables. */
        @WithDefault("8083")
        int port();

        @WithDefault(BrokerConfig.DEFAULT_WS_PATH)
        String path();
    }

    interface Tls {
        /** MQTT over TLS, opened when a certificate is configured; -1 disables. */
        @WithDefault("8883")
        int port();

        /** MQTT over secure WebSocket, opened when a certificate is configured; -1 disables. */
        @WithDefault("8084")
        int wssPort();

        Optional<Path> certFile();

        Optional<Path> keyFile();

        Optional<Path> keyStoreFile();

        Optional<String> keyStorePassword();
    }

    interface LimitsConfig {
        @WithDefault("1048576")
        int maxPacketSize();

        @WithDefault("32")
        int maxInflight();

        @WithDefault("1000")
        int maxQueued();

        @WithDefault("3600")
        int maxKeepAlive();

        @WithDefault("100000")
        int maxConnections();

        @WithDefault("10s")
        Duration connectTimeout();

        /** Payloads up to this many bytes are copied per subscriber; larger ones are shared. */
        @WithDefault("65536")
        int copyThreshold();
    }

    interface AuthConfig {
        @WithDefault("true")
        boolean allowAnonymous();

        /** Static credentials: {@code stratus.auth.users.<name>=<password>}. */
        Map<String, String> users();

        /** ACL rules, first match wins: {@code allow|deny publish|subscribe|all <filter> [client=id] [user=name]}. */
        Optional<List<String>> acl();

        /** What applies when no ACL rule matches. */
        @WithDefault("true")
        boolean aclDefaultAllow();
    }

    /** The engine's plain config. */
    default BrokerConfig toBrokerConfig() {
        BrokerConfig.TlsConfig tlsConfig = null;
        if (tls().keyStoreFile().isPresent()) {
            tlsConfig = BrokerConfig.TlsConfig.pkcs12(tls().keyStoreFile().get(), tls().keyStorePassword().orElse(""));
        } else if (tls().certFile().isPresent() && tls().keyFile().isPresent()) {
            tlsConfig = BrokerConfig.TlsConfig.pem(tls().certFile().get(), tls().keyFile().get());
        }
        LimitsConfig l = limits();
        return new BrokerConfig(mqtt().host(), mqtt().port(), ws().port(), ws().path(), tls().port(), tls().wssPort(),
                tlsConfig,
                new BrokerConfig.Limits(l.maxPacketSize(), l.maxInflight(), l.maxQueued(), l.maxKeepAlive(),
                        l.maxConnections(), l.connectTimeout(), l.copyThreshold()),
                new BrokerConfig.Auth(auth().allowAnonymous(), auth().users(), auth().acl().orElse(List.of()),
                        auth().aclDefaultAllow()),
                sys().interval(),
                new Features(mqtt5().maximumQos(), mqtt5().retainAvailable(), mqtt5().wildcardSubscriptions(),
                        mqtt5().subscriptionIdentifiers(), mqtt5().sharedSubscriptions(), mqtt5().topicAliasMaximum(),
                        mqtt5().receiveMaximum(), mqtt5().maxSessionExpiry()));
    }
}
