package dev.stratus.ingress.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterRoutesTest {

    private final ClusterRoutes routes = new ClusterRoutes("self");

    @Test
    void eachOtherNodeWithAMatchingFilterOnce() {
        routes.added("a/#", "n1");
        routes.added("a/+", "n1");
        routes.added("a/b", "n2");
        routes.added("a/b", "self");
        assertThat(routes.nodesFor("a/b")).containsExactlyInAnyOrder("n1", "n2");
        assertThat(routes.nodesFor("x")).isEmpty();
    }

    @Test
    void aRouteChangeIsSeenByTheNextLookupOfATopicSeenBefore() {
        routes.added("a/+", "n1");
        assertThat(routes.nodesFor("a/b")).containsExactly("n1");
        routes.added("a/#", "n2");
        assertThat(routes.nodesFor("a/b")).containsExactlyInAnyOrder("n1", "n2");
        routes.removed("a/+", "n1");
        assertThat(routes.nodesFor("a/b")).containsExactly("n2");
        routes.removed("a/#", "n2");
        assertThat(routes.nodesFor("a/b")).isEmpty();
    }

    @Test
    void topicsThatShareACacheSlotGetTheirOwnNodes() {
        routes.added("t/1", "n1");
        routes.added("t/2", "n2");
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 5000; i++) { // more topics than the cache has slots
                assertThat(routes.nodesFor("t/" + i)).as("t/%d", i)
                        .containsExactlyElementsOf(i == 1 ? java.util.List.of("n1")
                                : i == 2 ? java.util.List.of("n2") : java.util.List.of());
            }
        }
    }

    @Test
    void sharedGroupsAreMatchedOnlyWhenOtherNodesHaveSome() {
        assertThat(routes.groupsFor("a/b")).isEmpty();
        routes.added("$share/g/a/+", "n1");
        assertThat(routes.groupsFor("a/b")).containsOnlyKeys("$share/g/a/+");
        assertThat(routes.groupsFor("a/b").get("$share/g/a/+")).containsExactly("n1");
        assertThat(routes.nodesFor("a/b")).as("a shared route is not an ordinary one").isEmpty();
    }
}
