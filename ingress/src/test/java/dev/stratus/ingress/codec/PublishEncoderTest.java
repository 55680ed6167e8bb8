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
}
