package dev.stratus.state.model;

import java.util.Objects;

/** Identifies a session: a client identifier within a tenant. */
public record SessionKey(TenantId tenant, String clientId) {

    public SessionKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(clientId, "clientId");
    }

    @Override
    public String toString() {
        return tenant + "/" + clientId;
    }
}
