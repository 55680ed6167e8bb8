package dev.stratus.ingress.cluster;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class NodeWindowTest {

    @Test
    void congestedPastTheLimitAndClearAgainAtHalfOfIt() {
        NodeWindow window = new NodeWindow(1000, 60_000);
        window.sent(600);
        assertThat(window.isCongested()).isFalse();
        window.sent(600);
        assertThat(window.isCongested()).as("1200 bytes outstanding").isTrue();
        window.credited(600);
        assertThat(window.isCongested()).as("600 bytes outstanding: above half the limit").isTrue();
        window.credited(100);
        assertThat(window.isCongested()).as("500 bytes outstanding").isFalse();
    }

    @Test
    void publishersWaitingForTheWindowAreWokenByTheCredit() {
        NodeWindow window = new NodeWindow(1000, 60_000);
        window.sent(2000);
        AtomicInteger woken = new AtomicInteger();
        assertThat(window.awaitUncongested(woken::incrementAndGet)).isTrue();
        window.credited(1000);
        assertThat(woken).hasValue(0);
        window.credited(1000);
        assertThat(woken).hasValue(1);
    }

    @Test
    void aPublisherNeedNotWaitForAWindowWithRoom() {
        NodeWindow window = new NodeWindow(1000, 60_000);
        window.sent(100);
        assertThat(window.awaitUncongested(() -> { })).isFalse();
    }

    @Test
    void creditsThatNeverComeDoNotKeepTheWindowShut() {
        NodeWindow window = new NodeWindow(1000, 0); // gives up at once
        window.sent(5000);
        assertThat(window.isCongested()).as("stuck: publishers no longer wait").isFalse();
        window.sent(100);
        assertThat(window.outstanding()).as("counted afresh from the next batch").isEqualTo(100);
        window.credited(5000); // a late credit of what was sent before
        assertThat(window.outstanding()).isZero();
        assertThat(window.isCongested()).isFalse();
    }
}
