package dev.stratus.ingress.codec;

import dev.stratus.ingress.broker.RoutedMessage;
import dev.stratus.state.model.StoredMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class PublishEncoderTest {

    @ParameterizedTest(name = "payload {0} bytes, qos {1}, retain {2}, dup {3}")
    @CsvSource({
            "0, 0, false, false",
            "64, 1, true, false",
            "1024, 2, false, true",
            "1025, 1, false, true",
            "70000, 2, true, false",
            "300000, 0, false, false"})
    void encodedPublishDecodesToTheSameMessage(int size, int qos, boolean retain, boolean dup) {
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) 'x');
        if (size > 0) {
            payload[size - 1] = 'y';
        }
        StoredMessage m = new StoredMessage("sensors/ü/temp", payload, qos, retain);
        RoutedMessage routed = RoutedMessage.of(m, 1024);
        EmbeddedChannel out = new EmbeddedChannel(PublishEncoder.INSTANCE);
        out.writeOutbound(new OutgoingPublish(m, qos > 0 ? 42 : 0, dup, routed.sharedPayload()));
        ByteBuf wire = out.readOutbound();

        // large payloads travel as a composite of header and the shared direct copy: not copied per subscriber
        assertThat(wire instanceof CompositeByteBuf).isEqualTo(size > 1024);

        EmbeddedChannel in = new EmbeddedChannel(new MqttDecoder(1024 * 1024));
        in.writeInbound(wire);
        MqttPublishMessage decoded = in.readInbound();
        assertThat(decoded.decoderResult().isSuccess()).isTrue();
        assertThat(decoded.variableHeader().topicName()).isEqualTo("sensors/ü/temp");
        assertThat(decoded.fixedHeader().qosLevel().value()).isEqualTo(qos);
        assertThat(decoded.fixedHeader().isRetain()).isEqualTo(retain);
        assertThat(decoded.fixedHeader().isDup()).isEqualTo(dup);
        if (qos > 0) {
            assertThat(decoded.variableHeader().packetId()).isEqualTo(42);
        }
        assertThat(ByteBufUtil.getBytes(decoded.payload())).isEqualTo(payload);
        decoded.release();
    }

    @ParameterizedTest
    @CsvSource({"0, 1", "127, 1", "128, 2", "16383, 2", "16384, 3", "2097151, 3", "2097152, 4", "268435455, 4"})
    void remainingLengthUsesTheFewestBytes(int value, int bytes) {
        assertThat(PublishEncoder.remainingLengthBytes(value)).isEqualTo(bytes);
        ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        PublishEncoder.writeRemainingLength(buf, value);
        assertThat(buf.readableBytes()).isEqualTo(bytes);
        buf.release();
    }

    @org.junit.jupiter.api.Test
    void encodesEveryOtherMqttPacketToo() {
        EmbeddedChannel out = new EmbeddedChannel(PublishEncoder.INSTANCE);
        out.writeOutbound(io.netty.handler.codec.mqtt.MqttMessageBuilders.pubAck().packetId((short) 7).build());
        ByteBuf wire = out.readOutbound();

        EmbeddedChannel in = new EmbeddedChannel(new MqttDecoder(1024 * 1024));
        in.writeInbound(wire);
        io.netty.handler.codec.mqtt.MqttMessage decoded = in.readInbound();
        assertThat(decoded.fixedHeader().messageType()).isEqualTo(io.netty.handler.codec.mqtt.MqttMessageType.PUBACK);
        assertThat(((io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader) decoded.variableHeader()).messageId())
                .isEqualTo(7);
    }

    @org.junit.jupiter.api.Test
    void passesBytesThroughUnchanged() {
        EmbeddedChannel out = new EmbeddedChannel(PublishEncoder.INSTANCE);
        out.writeOutbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {(byte) 0xE0, 0}));
        ByteBuf wire = out.readOutbound();
        assertThat(ByteBufUtil.getBytes(wire)).containsExactly((byte) 0xE0, 0);
        wire.release();
    }

    @org.junit.jupiter.api.Test
    void sharedPayloadIsNotCopiedPerSubscriber() {
        byte[] payload = "x".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        RoutedMessage routed = RoutedMessage.of(new StoredMessage("t", payload, 0, false), 1024);
        EmbeddedChannel a = new EmbeddedChannel(PublishEncoder.INSTANCE);
        EmbeddedChannel b = new EmbeddedChannel(PublishEncoder.INSTANCE);
        a.writeOutbound(new OutgoingPublish(routed.message(), 0, false, routed.sharedPayload()));
        b.writeOutbound(new OutgoingPublish(routed.message(), 0, false, routed.sharedPayload()));
        CompositeByteBuf wa = a.readOutbound();
        CompositeByteBuf wb = b.readOutbound();
        // both subscribers' writes point at the same direct memory
        assertThat(wa.component(1).memoryAddress()).isEqualTo(wb.component(1).memoryAddress());
        wa.release();
        wb.release();
    }

    @ParameterizedTest(name = "payload {0} bytes, qos {1}")
    @CsvSource({"5, 1", "2000, 2", "0, 0"})
    @org.junit.jupiter.api.DisplayName("[MQTT5-3.3.2-4] [MQTT5-3.3.2-15..20] an MQTT 5 PUBLISH carries the message's "
            + "properties, user properties in order, the remaining expiry, the subscription identifiers and the alias; "
            + "Netty's MQTT 5 decoder reads them back, and the packet size is what packetSize says")
    void mqtt5PropertiesDecode(int size, int qos) {
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) 'p');
        dev.stratus.state.model.MessageProperties props = new dev.stratus.state.model.MessageProperties(1, "text/plain",
                "reply/to", new byte[] {9, 8, 7}, java.util.List.of(
                        new dev.stratus.state.model.MessageProperties.UserProperty("k", "1"),
                        new dev.stratus.state.model.MessageProperties.UserProperty("a", "2"),
                        new dev.stratus.state.model.MessageProperties.UserProperty("k", "3")));
        StoredMessage m = new StoredMessage("a/ü", payload, qos, false, 123_000, props);
        RoutedMessage routed = RoutedMessage.of(m, 1024);
        OutgoingPublish.Mqtt5Publish v5 = new OutgoingPublish.Mqtt5Publish(3, false, new int[] {7, 200_000}, 42);
        EmbeddedChannel out = new EmbeddedChannel(PublishEncoder.INSTANCE);
        out.writeOutbound(new OutgoingPublish(m, qos > 0 ? 9 : 0, false, routed.sharedPayload(), routed.topicUtf8(), v5));
        ByteBuf wire = out.readOutbound();
        assertThat(wire.readableBytes()).isEqualTo(PublishEncoder.packetSize(m, "a/ü".getBytes(StandardCharsets.UTF_8).length, v5));

        EmbeddedChannel in = new EmbeddedChannel(new MqttDecoder(1024 * 1024));
        in.attr(io.netty.util.AttributeKey.<io.netty.handler.codec.mqtt.MqttVersion>valueOf("NETTY_CODEC_MQTT_VERSION"))
                .set(io.netty.handler.codec.mqtt.MqttVersion.MQTT_5);
        in.writeInbound(wire);
        MqttPublishMessage decoded = in.readInbound();
        assertThat(decoded.decoderResult().isSuccess()).isTrue();
        io.netty.handler.codec.mqtt.MqttProperties p = decoded.variableHeader().properties();
        assertThat(p.getProperty(0x01).value()).isEqualTo(1);
        assertThat(p.getProperty(0x02).value()).isEqualTo(42);
        assertThat(p.getProperty(0x03).value()).isEqualTo("text/plain");
        assertThat(p.getProperty(0x08).value()).isEqualTo("reply/to");
        assertThat((byte[]) p.getProperty(0x09).value()).containsExactly(9, 8, 7);
        assertThat(p.getProperty(0x23).value()).isEqualTo(3);
        assertThat(p.getProperties(0x0B)).extracting(x -> x.value()).containsExactly(7, 200_000);
        assertThat(((io.netty.handler.codec.mqtt.MqttProperties.UserProperties) p.getProperty(0x26)).value())
                .extracting(pair -> pair.key + "=" + pair.value).containsExactly("k=1", "a=2", "k=3");
        assertThat(decoded.variableHeader().topicName()).isEqualTo("a/ü");
        assertThat(ByteBufUtil.getBytes(decoded.payload())).isEqualTo(payload);
        decoded.release();
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName("[MQTT5-3.3.2-12] with the alias known to the client the topic is left out")
    void mqtt5AliasOmitsTopic() {
        StoredMessage m = new StoredMessage("long/topic/name", new byte[] {1}, 0, false);
        EmbeddedChannel out = new EmbeddedChannel(PublishEncoder.INSTANCE);
        out.writeOutbound(new OutgoingPublish(m, 0, false, null, null,
                new OutgoingPublish.Mqtt5Publish(1, true, null, -1)));
        ByteBuf wire = out.readOutbound();
        // fixed header (2) + topic length 0 (2) + properties: length (1) + alias (3) + payload (1)
        assertThat(wire.readableBytes()).isEqualTo(9);
        assertThat(wire.getUnsignedShort(2)).isZero();
        wire.release();
    }
}
