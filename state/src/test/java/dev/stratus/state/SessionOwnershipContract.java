package dev.stratus.state;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static dev.stratus.state.ContractSupport.join;
import static org.assertj.core.api.Assertions.assertThat;

/** The behaviour every {@link SessionOwnership} backend must have. */
public abstract class SessionOwnershipContract {

    protected SessionOwnership ownership;

    protected abstract SessionOwnership create();

    @BeforeEach
    void setUp() {
        ownership = create();
    }

    private static SessionKey newKey() {
        return new SessionKey(new TenantId("t-" + UUID.randomUUID()), "client:{x}-" + UUID.randomUUID());
    }

    @Test
    void firstClaimHasNoPreviousOwner() {
        SessionKey key = newKey();
        SessionOwnership.Claim claim = join(ownership.claim(key, "node-a"));
        assertThat(claim.previous()).isNull();
        assertThat(claim.epoch()).isPositive();
        assertThat(join(ownership.owner(key))).contains(new SessionOwnership.Owner("node-a", claim.epoch()));
    }

    @Test
    void aNewClaimRaisesTheEpochAndNamesThePreviousOwner() {
        SessionKey key = newKey();
        SessionOwnership.Claim first = join(ownership.claim(key, "node-a"));
        SessionOwnership.Claim second = join(ownership.claim(key, "node-b"));
        assertThat(second.epoch()).isGreaterThan(first.epoch());
        assertThat(second.previous()).isEqualTo(new SessionOwnership.Owner("node-a", first.epoch()));
        SessionOwnership.Claim third = join(ownership.claim(key, "node-b"));
        assertThat(third.previous()).isEqualTo(new SessionOwnership.Owner("node-b", second.epoch()));
    }

    @Test
    void aStaleReleaseIsIgnored() {
        SessionKey key = newKey();
        SessionOwnership.Claim first = join(ownership.claim(key, "node-a"));
        SessionOwnership.Claim second = join(ownership.claim(key, "node-b"));
        assertThat(join(ownership.release(key, "node-a", first.epoch()))).isFalse();
        assertThat(join(ownership.owner(key))).contains(new SessionOwnership.Owner("node-b", second.epoch()));
        assertThat(join(ownership.release(key, "node-b", second.epoch()))).isTrue();
        assertThat(join(ownership.owner(key))).isEmpty();
    }

    @Test
    void epochsKeepGrowingAfterARelease() {
        SessionKey key = newKey();
        SessionOwnership.Claim first = join(ownership.claim(key, "node-a"));
        join(ownership.release(key, "node-a", first.epoch()));
        SessionOwnership.Claim again = join(ownership.claim(key, "node-a"));
        assertThat(again.epoch()).isGreaterThan(first.epoch());
        assertThat(again.previous()).isNull();
    }

    @Test
    void claimedByListsTheSessionsANodeClaimed() {
        String node = "node-" + UUID.randomUUID();
        SessionKey a = newKey();
        SessionKey b = newKey();
        join(ownership.claim(a, node));
        join(ownership.claim(b, node));
        join(ownership.claim(newKey(), "other-" + UUID.randomUUID()));
        assertThat(join(ownership.claimedBy(node))).containsExactlyInAnyOrder(a, b);
        join(ownership.forgetNode(node));
        assertThat(join(ownership.claimedBy(node))).isEmpty();
    }
}
