package dev.stratus.ingress.cluster;

import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FrameBatchTest {

    /** Records what a decoded batch holds, one line per frame. */
    private static final class Recorder implements FrameBatch.Handler {
        final List<String> frames = new ArrayList<>();

        @Override
        public void forward(TenantId tenant, String origin, String group, StoredMessage m, long seq,
                            String deliveryId, boolean redelivery) {
            frames.add((redelivery ? "redeliver " : "forward ") + origin + " " + m.topic() + " "
                    + new String(m.payload(), StandardCharsets.UTF_8) + " qos" + m.qos() + " seq" + seq
                    + (group != null ? " group " + group : "") + (deliveryId != null ? " id " + deliveryId : ""));
        }

        @Override
        public void acks(TenantId tenant, String origin, long first, int length) {
            frames.add("acks " + origin + " " + first + "+" + length);
        }

        @Override
        public void credit(TenantId tenant, String origin, long bytes) {
            frames.add("credit " + origin + " " + bytes);
        }

        @Override
        public void legacy(ClusterFrame frame) {
            frames.add("legacy");
        }

        @Override
        public void end(TenantId tenant, String origin) {
            frames.add("end " + origin);
        }
    }

    private static StoredMessage message(String topic, String payload, int qos) {
        return new StoredMessage(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    @Test
    void framesOfABatchAreDecodedInOrder() {
        FrameBatch.Writer writer = new FrameBatch.Writer(TenantId.DEFAULT, "node-a", 16);
        writer.forward(null, message("t/1", "one", 0), 0);
        writer.credit(300_000);
        writer.forward(null, message("t/1", "two", 1), 7);
        writer.acks(new long[] {3, 1, 2, 9}, 4);
        Recorder recorder = new Recorder();

        FrameBatch.decode(writer.toByteArray(), recorder);

        assertThat(recorder.frames).containsExactly(
                "forward node-a t/1 one qos0 seq0",
                "credit node-a 300000",
                "forward node-a t/1 two qos1 seq7",
                "acks node-a 1+3",
                "acks node-a 9+1",
                "end node-a");
        assertThat(writer.forwards).isEqualTo(2);
    }

    @Test
    void deliveryIdsAndRedeliveriesSurviveTheRoundTrip() {
        FrameBatch.Writer writer = new FrameBatch.Writer(TenantId.DEFAULT, "node-a", 64);
        writer.forward(null, message("a/b", "first", 2), 7, "x1:42", false);
        writer.forward("$share/g/a/#", message("a/c", "again", 2), 8, "x1:43", true);
        Recorder recorder = new Recorder();

        FrameBatch.decode(writer.toByteArray(), recorder);

        assertThat(recorder.frames).containsExactly(
                "forward node-a a/b first qos2 seq7 id x1:42",
                "redeliver node-a a/c again qos2 seq8 group $share/g/a/# id x1:43",
                "end node-a");
    }
}
