package dev.stratus.state.model;

import java.util.Objects;

/**
 * One change of a tenant's route table, as the change feed delivers it.
 *
 * @param tenant  the tenant whose table changed
 * @param version the table's version after the change: versions of one tenant increase by one per change, so a
 *                replica that sees a gap knows it missed a change
 * @param filter  the topic filter
 * @param nodeId  the node added to or removed from the filter's set
 * @param added   true when the node was added, false when removed
 */
public record RouteChange(TenantId tenant, long version, String filter, String nodeId, boolean added) {

    public RouteChange {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(nodeId, "nodeId");
    }
}
