package dev.stratus.state.redis;

import dev.stratus.state.StateStoreException;
import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.StoredSubscription;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.stratus.state.ContractSupport.bytes;
import static dev.stratus.state.ContractSupport.fullMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueCodecTest {

    @Test
    void messageWithEveryFieldRoundTrips() {
        StoredMessage message = fullMessage("a/b/ü/€");

        assertThat(ValueCodec.decodeMessage(ValueCodec.encode(message))).isEqualTo(message);
    }

    @Test
    void minimalMessageRoundTripsAndIsCompact() {
        StoredMessage message = new StoredMessage("a", bytes("x"), 0, false);
        byte[] encoded = ValueCodec.encode(message);

        assertThat(ValueCodec.decodeMessage(encoded)).isEqualTo(message);
        // version, flags, topic length, topic, payload length, payload
        assertThat(encoded).hasSize(6);
    }

    @Test
    void partialPropertiesRoundTrip() {
        for (MessageProperties properties : List.of(
                new MessageProperties(0, null, null, null, List.of()),
                new MessageProperties(null, "", null, new byte[0], List.of()),
                new MessageProperties(null, null, "r", null, List.of(new MessageProperties.UserProperty("", ""))))) {
            StoredMessage message = new StoredMessage("t", new byte[0], 1, true, 0, properties);
            assertThat(ValueCodec.decodeMessage(ValueCodec.encode(message))).isEqualTo(message);
        }
    }

    @Test
    void largePayloadRoundTrips() {
        byte[] payload = new byte[300_000];
        Arrays.fill(payload, (byte) 7);
        StoredMessage message = new StoredMessage("big", payload, 2, false, Long.MAX_VALUE, MessageProperties.NONE);

        assertThat(ValueCodec.decodeMessage(ValueCodec.encode(message))).isEqualTo(message);
    }

    @Test
    void inflightMessageRoundTrips() {
        InflightMessage inflight = new InflightMessage(65535, fullMessage("x"), true);

        assertThat(ValueCodec.decodeInflight(ValueCodec.encode(inflight)))
                .usingRecursiveComparison().isEqualTo(inflight);
    }

    @Test
    void subscriptionRoundTrips() {
        StoredSubscription subscription = new StoredSubscription("a/+", 2, true, false, 2, 268_435_455);

        assertThat(ValueCodec.decodeSubscription("a/+", ValueCodec.encode(subscription))).isEqualTo(subscription);
    }

    @Test
    void truncatedOrUnknownValuesFailClearly() {
        byte[] encoded = ValueCodec.encode(fullMessage("a/b"));

        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> ValueCodec.decodeMessage(truncated))
                    .isInstanceOf(StateStoreException.class).hasMessageContaining("corrupt");
        }
        byte[] future = encoded.clone();
        future[0] = 9;
        assertThatThrownBy(() -> ValueCodec.decodeMessage(future)).hasMessageContaining("format version 9");
        byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
        assertThatThrownBy(() -> ValueCodec.decodeMessage(longer)).hasMessageContaining("trailing");
    }
}
