package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.config.Features;
import dev.stratus.ingress.support.RawMqtt5TestBase;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One broker per test class for raw MQTT 5 packets: packets of at most {@value #MAX_PACKET_SIZE} bytes, a Receive
 * Maximum of {@value #RECEIVE_MAXIMUM}, {@value #TOPIC_ALIAS_MAXIMUM} topic aliases, sessions of at most
 * {@value #MAX_SESSION_EXPIRY} s, publishing and subscribing under {@code forbidden/} denied, and a clock for
 * message expiry that the tests move forward. Clients and helpers: {@link RawMqtt5TestBase}.
 */
abstract class Mqtt5RawTestBase extends RawMqtt5TestBase {

    static final int MAX_PACKET_SIZE = 1024;
    static final int RECEIVE_MAXIMUM = 4;
    static final int TOPIC_ALIAS_MAXIMUM = 4;
    static final long MAX_SESSION_EXPIRY = 3600;
    static final Duration PROMPTLY = Duration.ofSeconds(3);

    /** Epoch millis as the broker sees them for message expiry. */
    static final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

    static BrokerConfig config() {
        return BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxPacketSize(MAX_PACKET_SIZE).withMaxKeepAliveSeconds(60))
                .withAuth(new BrokerConfig.Auth(true, Map.of(),
                        List.of("deny publish forbidden/#", "deny subscribe forbidden/#"), true))
                .withFeatures(Features.defaults().withReceiveMaximum(RECEIVE_MAXIMUM)
                        .withTopicAliasMaximum(TOPIC_ALIAS_MAXIMUM).withMaxSessionExpirySeconds(MAX_SESSION_EXPIRY));
    }

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(config(), clock::get);
    }
}
