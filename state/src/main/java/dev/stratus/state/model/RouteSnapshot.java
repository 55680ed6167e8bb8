package dev.stratus.state.model;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A tenant's route table at one version: topic filter to the ids of the nodes that have subscribers for it.
 * Filters without nodes are absent. Immutable.
 *
 * @param version the number of changes made to the table so far (0 for a table never changed)
 */
public record RouteSnapshot(TenantId tenant, long version, Map<String, Set<String>> routes) {

    public RouteSnapshot {
        Objects.requireNonNull(tenant, "tenant");
        Map<String, Set<String>> copy = new HashMap<>();
        routes.forEach((filter, nodes) -> {
            if (!nodes.isEmpty()) {
                copy.put(filter, Set.copyOf(nodes));
            }
        });
        routes = Map.copyOf(copy);
    }
}
