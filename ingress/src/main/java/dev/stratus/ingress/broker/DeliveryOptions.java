package dev.stratus.ingress.broker;

import dev.stratus.ingress.session.Session;
import dev.stratus.state.model.StoredSubscription;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The MQTT 5 subscription options that change what one session receives, collected over all of its subscriptions
 * that match one message: the Subscription Identifiers of every matching subscription go into the one copy it
 * gets [MQTT5-3.3.4-3], and RETAIN keeps its published value when any matching subscription asked for Retain As
 * Published [MQTT5-3.3.1-12]. Only messages matching such subscriptions pay for this.
 */
final class DeliveryOptions {

    private static final int[] NO_IDS = new int[0];

    private static final class Options {
        int[] ids = NO_IDS;
        boolean retainAsPublished;
    }

    private final Map<Session, Options> bySession = new IdentityHashMap<>();

    void add(Session session, StoredSubscription sub) {
        Options o = bySession.computeIfAbsent(session, s -> new Options());
        o.retainAsPublished |= sub.retainAsPublished();
        if (sub.subscriptionId() != 0) {
            o.ids = Arrays.copyOf(o.ids, o.ids.length + 1);
            o.ids[o.ids.length - 1] = sub.subscriptionId();
        }
    }

    /** The copy for {@code session}: {@code copy} itself when none of its matching subscriptions has options. */
    RoutedMessage apply(Session session, RoutedMessage copy, boolean publishedRetain) {
        Options o = bySession.get(session);
        if (o == null) {
            return copy;
        }
        RoutedMessage r = o.retainAsPublished ? copy.withRetain(publishedRetain) : copy;
        return o.ids.length == 0 ? r : r.withSubscriptionIds(o.ids);
    }
}
