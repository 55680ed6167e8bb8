package dev.stratus.ingress.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.stratus.ingress.support.RawMqttClient.PINGRESP;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBREL;
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.UNSUBACK;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.pingreq;
import static dev.stratus.ingress.support.RawMqttClient.puback;
import static dev.stratus.ingress.support.RawMqttClient.pubcomp;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.pubrec;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** Sections 3.8 SUBSCRIBE and 3.10 UNSUBSCRIBE. */
class SubscribeConformanceIT extends ConformanceTestBase {

    @ParameterizedTest(name = "requested QoS byte {0}")
    @ValueSource(ints = {0x41, 0x81, 0xC0})
    @DisplayName("[MQTT-3.8.3-4] a SUBSCRIBE with reserved bit 6 or 7 of a requested QoS byte set closes the "
            + "connection, and subscribes nothing")
    void reservedHighOptionBitsCloseTheConnection(int options) {
        String id = unique("high-bits");
        String topic = unique("high-bits/t");
        RawMqttClient c = persistent(id);
        c.send(subscribe(1, sub(topic + "/ok", 1), sub(topic, options)));
        assertThat(c.awaitClosed(PROMPTLY)).as("no SUBACK").isEmpty();

        RawMqttClient again = persistent(id);
        assertThat(again.lastConnAck().sessionPresent()).isTrue();
        RawMqttClient publisher = connected(unique("high-bits-pub"));
        publisher.send(publish(topic, "x"));
        publisher.send(publish(topic + "/ok", "x"));
        again.assertNoPacket(QUIET);
        again.disconnect();
        connected(id).disconnect(); // discard the session
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] the same SUBSCRIBE with the reserved bits clear is granted")
    void clearOptionBitsAreGranted() {
        RawMqttClient c = connected(unique("low-bits"));
        c.send(subscribe(1, sub(unique("low-bits/t"), 1), sub(unique("low-bits/t"), 2)));
        assertThat(c.expect(SUBACK, PROMPTLY).returnCodes()).containsExactly(1, 2);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-4] a SUBSCRIBE with several filters acts as one SUBSCRIBE per filter, in order, "
            + "answered by one SUBACK: a repeated filter ends with the QoS of its last occurrence")
    void severalFiltersActAsASequenceOfSubscribes() {
        String a = unique("seq/a");
        String b = unique("seq/b");
        RawMqttClient c = connected(unique("seq"));
        c.send(subscribe(9, sub(a, 0), sub(b, 1), sub(a, 2)));
        Packet ack = c.expect(SUBACK, PROMPTLY);
        assertThat(ack.packetId()).isEqualTo(9);
        assertThat(ack.returnCodes()).containsExactly(0, 1, 2);
        c.send(pingreq());
        c.expect(PINGRESP, PROMPTLY); // one SUBACK only

        RawMqttClient publisher = connected(unique("seq-pub"));
        publisher.send(publish(a, bytes("to a"), 2, false, false, 1));
        publisher.send(publish(b, bytes("to b"), 2, false, false, 2));
        Packet toA = nextPublish(c);
        Packet toB = nextPublish(c);
        assertThat(toA.payloadText()).isEqualTo("to a");
        assertThat(toA.qos()).as("the later subscription replaced the first").isEqualTo(2);
        assertThat(toB.payloadText()).isEqualTo("to b");
        assertThat(toB.qos()).isEqualTo(1);
        c.send(puback(toB.packetId()));
        c.send(pubrec(toA.packetId()));
        c.expect(PUBREL, PROMPTLY);
        c.send(pubcomp(toA.packetId()));
        c.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT-3.10.4-6] an UNSUBSCRIBE with several filters removes each and is answered by one UNSUBACK")
    void severalFiltersAreUnsubscribedWithOneUnsubAck() {
        String a = unique("unseq/a");
        String b = unique("unseq/b");
        String kept = unique("unseq/kept");
        RawMqttClient c = connected(unique("unseq"));
        c.send(subscribe(1, sub(a, 1), sub(b, 1), sub(kept, 1)));
        c.expect(SUBACK, PROMPTLY);
        c.send(unsubscribe(2, a, "never/subscribed", b));
        assertThat(c.expect(UNSUBACK, PROMPTLY).packetId()).isEqualTo(2);
        c.send(pingreq());
        c.expect(PINGRESP, PROMPTLY); // no second UNSUBACK

        RawMqttClient publisher = connected(unique("unseq-pub"));
        publisher.send(publish(a, "a"));
        publisher.send(publish(b, "b"));
        publisher.send(publish(kept, "kept"));
        assertThat(nextPublish(c).payloadText()).isEqualTo("kept");
        c.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT-3.10.4-3] QoS 1 and 2 deliveries started before UNSUBSCRIBE are completed: PUBREL follows "
            + "PUBREC, and the unacknowledged QoS 1 message is re-sent on resume")
    void deliveriesInFlightCompleteAfterUnsubscribe() {
        String id = unique("unsub-inflight");
        String topic = unique("unsub-inflight/t");
        RawMqttClient c = persistent(id);
        c.subscribeAndAwait(1, topic, 2);
        RawMqttClient publisher = connected(unique("unsub-inflight-pub"));
        publisher.send(publish(topic, bytes("two"), 2, false, false, 1));
        publisher.send(publish(topic, bytes("one"), 1, false, false, 2));
        publisher.expect(RawMqttClient.PUBREC, PROMPTLY);
        publisher.expect(PUBACK, PROMPTLY);
        publisher.send(RawMqttClient.pubrel(1));
        publisher.expect(RawMqttClient.PUBCOMP, PROMPTLY);
        Packet two = nextPublish(c);
        Packet one = nextPublish(c);
        assertThat(two.qos()).isEqualTo(2);
        assertThat(one.qos()).isEqualTo(1);

        c.send(unsubscribe(3, topic));
        assertThat(c.expect(UNSUBACK, PROMPTLY).packetId()).isEqualTo(3);
        c.send(pubrec(two.packetId()));
        assertThat(c.expect(PUBREL, PROMPTLY).packetId()).isEqualTo(two.packetId());
        c.send(pubcomp(two.packetId()));
        c.close(); // the QoS 1 message is still unacknowledged

        RawMqttClient again = persistent(id);
        Packet resent = nextPublish(again);
        assertThat(resent.payloadText()).isEqualTo("one");
        assertThat(resent.packetId()).isEqualTo(one.packetId());
        assertThat(resent.dup()).isTrue();
        again.send(puback(resent.packetId()));
        // the subscription itself is gone
        publisher.send(publish(topic, bytes("after"), 1, false, false, 3));
        publisher.expect(PUBACK, PROMPTLY);
        again.assertNoPacket(QUIET);
        again.disconnect();
        connected(connectPacket(id)).disconnect(); // discard the session
    }
}
