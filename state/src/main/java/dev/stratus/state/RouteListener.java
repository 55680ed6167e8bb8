package dev.stratus.state;

import dev.stratus.state.model.RouteChange;
import dev.stratus.state.model.TenantId;

/** Receives a tenant's route changes from {@link RouteStore#watch}. */
public interface RouteListener {

    void onChange(RouteChange change);

    /**
     * The feed may have missed changes (its connection was lost and is back): take a new snapshot. Not called for
     * the initial subscription.
     */
    void onResync(TenantId tenant);
}
