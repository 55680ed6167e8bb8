package dev.stratus.ingress.cluster;

import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FrameBatchTest {

    private record Seen(String group, StoredMessage message, long seq, String deliveryId, boolean redelivery) {
    }

    private static List<Seen> decode(byte[] batch) {
        List<Seen> seen = new ArrayList<>();
        FrameBatch.decode(batch, new FrameBatch.Handler() {
            @Override
            public void forward(TenantId tenant, String origin, String group, StoredMessage message, long seq,
                                String deliveryId, boolean redelivery) {
                seen.add(new Seen(group, message, seq, deliveryId, redelivery));
            }

            @Override
            public void acks(TenantId tenant, String origin, long first, int length) {
            }

            @Override
            public void legacy(ClusterFrame frame) {
            }

            @Override
            public void end(TenantId tenant, String origin) {
            }
        });
        return seen;
    }

    private static StoredMessage message(String topic, String payload, int qos) {
        return new StoredMessage(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    @Test
    void deliveryIdsAndRedeliveriesSurviveTheRoundTrip() {
        FrameBatch.Writer w = new FrameBatch.Writer(TenantId.DEFAULT, "node-a", 64);
        w.forward(null, message("a/b", "plain", 0), 0);
        w.forward(null, message("a/b", "first", 2), 7, "x1:42", false);
        w.forward("$share/g/a/#", message("a/c", "again", 2), 8, "x1:43", true);

        List<Seen> seen = decode(w.toByteArray());

        assertThat(seen).extracting(Seen::deliveryId).containsExactly(null, "x1:42", "x1:43");
        assertThat(seen).extracting(Seen::redelivery).containsExactly(false, false, true);
        assertThat(seen).extracting(Seen::seq).containsExactly(0L, 7L, 8L);
        assertThat(seen.get(2).group()).isEqualTo("$share/g/a/#");
        assertThat(seen.get(2).message()).isEqualTo(message("a/c", "again", 2));
        assertThat(seen.get(1).message()).isEqualTo(message("a/b", "first", 2));
    }
}
