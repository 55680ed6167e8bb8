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
        public void forward(TenantId tenant, String origin, String group, StoredMessage m, long seq) {
            frames.add("forward " + origin + " " + m.topic() + " " + new String(m.payload(), StandardCharsets.UTF_8)
                    + " qos" + m.qos() + " seq" + seq);
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

    @Test
    void framesOfABatchAreDecodedInOrder() {
        FrameBatch.Writer writer = new FrameBatch.Writer(TenantId.DEFAULT, "node-a", 16);
        writer.forward(null, new StoredMessage("t/1", "one".getBytes(StandardCharsets.UTF_8), 0, false), 0);
        writer.credit(300_000);
        writer.forward(null, new StoredMessage("t/1", "two".getBytes(StandardCharsets.UTF_8), 1, false), 7);
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
}
