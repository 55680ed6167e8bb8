package dev.stratus.state;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static dev.stratus.state.ContractSupport.join;
import static org.assertj.core.api.Assertions.assertThat;

/** The behaviour every {@link NodeWills} backend must have. */
public abstract class NodeWillsContract {

    protected NodeWills wills;

    protected abstract NodeWills create();

    @BeforeEach
    void setUp() {
        wills = create();
    }

    private static String node() {
        return "node-" + UUID.randomUUID();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listsWhatANodePutAndDidNotRemove() {
        String node = node();
        SessionKey a = new SessionKey(new TenantId("t1"), "client:{a}");
        SessionKey b = new SessionKey(new TenantId("t2"), "b");
        SessionKey c = new SessionKey(new TenantId("t1"), "c");
        join(wills.put(node, a, bytes("will-a")));
        join(wills.put(node, b, bytes("will-b")));
        join(wills.put(node, c, bytes("will-c")));
        join(wills.remove(node, c));
        Map<SessionKey, byte[]> listed = join(wills.list(node));
        assertThat(listed).containsOnlyKeys(a, b);
        assertThat(new String(listed.get(a), StandardCharsets.UTF_8)).isEqualTo("will-a");
        assertThat(join(wills.list(node()))).as("another node has none").isEmpty();
    }

    @Test
    void aNewWillReplacesTheOldOne() {
        String node = node();
        SessionKey a = new SessionKey(new TenantId("t"), "a");
        join(wills.put(node, a, bytes("first")));
        join(wills.put(node, a, bytes("second")));
        assertThat(new String(join(wills.list(node)).get(a), StandardCharsets.UTF_8)).isEqualTo("second");
    }

    @Test
    void clearForgetsEveryWillOfTheNode() {
        String node = node();
        join(wills.put(node, new SessionKey(new TenantId("t"), "a"), bytes("x")));
        join(wills.clear(node));
        assertThat(join(wills.list(node))).isEmpty();
    }
}
