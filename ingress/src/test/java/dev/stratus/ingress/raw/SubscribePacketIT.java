package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.RawMqttClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.stratus.ingress.raw.Waits.await;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** SUBSCRIBE and UNSUBSCRIBE packets a library would not send. */
class SubscribePacketIT extends RawBrokerTestBase {

    @Test
    @DisplayName("[MQTT-3.8.3-3] a SUBSCRIBE without topic filters closes the connection without SUBACK")
    void subscribeWithoutFiltersClosesConnection() {
        RawMqttClient c = connected("no-filters");
        c.send(subscribe(1));
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] a SUBSCRIBE requesting QoS 3 closes the connection and subscribes nothing")
    void subscribeWithQos3ClosesConnection() {
        RawMqttClient c = connected("qos3");
        c.send(subscribe(1, sub("ok/first", 1), sub("qos/three", 3)));
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        awaitOnlyHealthyClientConnected();
        assertThat(broker.broker().subscriptionCount()).as("only the healthy client's subscription").isEqualTo(1);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] a SUBSCRIBE with reserved bits 2-5 of the requested QoS byte set closes the "
            + "connection")
    void subscribeWithReservedOptionBitsClosesConnection() {
        // bits 6 and 7 are not checked: Netty's decoder drops them before the broker sees the packet
        for (int reserved : new int[] {0x04, 0x08, 0x10, 0x20, 0x30}) {
            RawMqttClient c = connected("reserved-bits-" + reserved);
            c.send(subscribe(1, sub("reserved/bits", 1 | reserved)));
            assertThat(c.awaitClosed(PROMPTLY)).as("reserved bits %02x", reserved).isEmpty();
        }
        awaitOnlyHealthyClientConnected();
        assertThat(broker.broker().subscriptionCount()).isEqualTo(1);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.10.3-2] an UNSUBSCRIBE without topic filters closes the connection without UNSUBACK")
    void unsubscribeWithoutFiltersClosesConnection() {
        RawMqttClient c = connected("no-unsub-filters");
        c.subscribeAndAwait(1, "kept/#", 1);
        c.send(unsubscribe(2));
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        awaitOnlyHealthyClientConnected();
        // the clean session ended with its connection, subscription included
        await().atMost(PROMPTLY).until(() -> broker.broker().subscriptionCount() == 1);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.8.4-5] [MQTT-3.10.4-4] [MQTT-3.8.4-2] [MQTT-2.3.1-7] a valid raw SUBSCRIBE and UNSUBSCRIBE "
            + "are answered with matching ids")
    void validSubscribeAndUnsubscribeAreAnswered() {
        RawMqttClient c = connected("valid-sub");
        c.send(subscribe(77, sub("v/0", 0), sub("v/1", 1), sub("v/2", 2)));
        RawMqttClient.Packet ack = c.expect(RawMqttClient.SUBACK, PROMPTLY);
        assertThat(ack.packetId()).isEqualTo(77);
        assertThat(ack.returnCodes()).containsExactly(0, 1, 2);
        c.send(unsubscribe(78, "v/0", "v/1", "v/2", "never/subscribed"));
        assertThat(c.expect(RawMqttClient.UNSUBACK, PROMPTLY).packetId()).isEqualTo(78);
        assertThat(broker.broker().subscriptionCount()).isEqualTo(1);
        healthy.assertStillServed();
    }
}
