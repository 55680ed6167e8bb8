package dev.stratus.state.model;

import java.util.Objects;

/**
 * A tenant: the namespace of topics, sessions and retained messages. Every store key carries one, so that
 * nothing crosses tenants. The embedded broker has one tenant, {@link #DEFAULT}.
 */
public record TenantId(String value) {

    public static final TenantId DEFAULT = new TenantId("default");

    public TenantId {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.indexOf('{') >= 0 || value.indexOf('}') >= 0) {
            // braces are reserved for Redis Cluster hash tags in the key layout
            throw new IllegalArgumentException("invalid tenant id: '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
