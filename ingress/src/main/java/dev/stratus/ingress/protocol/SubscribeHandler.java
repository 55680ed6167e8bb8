package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.broker.RoutedMessage;
import dev.stratus.ingress.session.Session;
import dev.stratus.router.topic.SharedSubscription;
import dev.stratus.router.topic.TopicFilter;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.StoredSubscription;
import dev.stratus.ingress.codec.ReasonCodes;
import dev.stratus.ingress.config.Features;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * SUBSCRIBE: authorize and validate each filter, grant it at the requested QoS (at most the server's maximum),
 * store it, answer SUBACK with one return code per filter in order [MQTT-3.8.4-5], then send the matching
 * retained messages with RETAIN=1 [MQTT-3.3.1-6]. A refused filter gets 0x80 on MQTT 3.1.1 and a reason code on
 * MQTT 5: 0x8F invalid, 0x87 not authorized, 0x9E shared subscriptions or 0xA2 wildcards switched off. MQTT 5
 * options: No Local, Retain As Published, Retain Handling [MQTT5-3.3.1-9..11] and a Subscription Identifier.
 */
final class SubscribeHandler implements PacketHandler {

    private static final Logger LOG = Logger.getLogger(SubscribeHandler.class);
    static final int FAILURE = 0x80;
    private static final int MAX_SUBSCRIPTION_ID = 268_435_455;

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        MqttSubscribeMessage subscribe = (MqttSubscribeMessage) message;
        List<MqttTopicSubscription> requested = subscribe.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            c.protocolViolation("SUBSCRIBE without topic filters"); // [MQTT-3.8.3-3]
            return;
        }
        for (MqttTopicSubscription r : requested) {
            if (r.topicName() == null || !ConnectHandler.validIdentifierText(r.topicName())) {
                // [MQTT-1.5.3-1] ill-formed UTF-8, [MQTT-1.5.3-2] U+0000: close, not SUBACK 0x80
                c.protocolViolation(ReasonCodes.MALFORMED_PACKET, "topic filter in SUBSCRIBE is not valid UTF-8");
                return;
            }
            MqttSubscriptionOption o = r.option();
            if (!c.mqtt5() && (o.isNoLocal() || o.isRetainAsPublished()
                    || o.retainHandling() != MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE)) {
                c.protocolViolation("reserved bits set in SUBSCRIBE options"); // [MQTT-3.8.3-4]
                return;
            }
            if (c.mqtt5() && o.isNoLocal() && SharedSubscription.isShared(r.topicName())) {
                c.protocolViolation("No Local on a shared subscription"); // [MQTT5-3.8.3-4]
                return;
            }
        }
        Features features = c.broker().config().features();
        int subscriptionId = 0;
        if (c.mqtt5()) {
            MqttProperties props = subscribe.idAndPropertiesVariableHeader().properties();
            if (Props.has(props, MqttPropertyType.SUBSCRIPTION_IDENTIFIER)) {
                long id = Props.unsigned(props, MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 0);
                if (id < 1 || id > MAX_SUBSCRIPTION_ID) {
                    c.protocolViolation("Subscription Identifier " + id); // section 3.8.2.1.2: 1 to 268,435,455
                    return;
                }
                subscriptionId = (int) id;
            }
        }
        Broker broker = c.broker();
        Session session = c.session();
        int[] codes = new int[requested.size()];
        List<Granted> granted = new ArrayList<>(requested.size());
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription r = requested.get(i);
            String filter = r.topicName();
            int refused = refusal(c, features, filter, subscriptionId);
            if (refused != 0) {
                codes[i] = c.mqtt5() ? refused : FAILURE;
                continue;
            }
            MqttSubscriptionOption o = r.option();
            int qos = Math.min(r.qualityOfService().value(), features.maximumQos());
            StoredSubscription sub = new StoredSubscription(filter, qos, o.isNoLocal(), o.isRetainAsPublished(),
                    o.retainHandling().value(), subscriptionId);
            boolean existed = session.subscriptions().containsKey(filter);
            // [MQTT-3.8.4-3] an existing subscription with the same filter is replaced
            writes.add(broker.subscribe(session, sub).toCompletableFuture());
            if (session.isPersistent()) {
                writes.add(broker.stores().sessions().putSubscription(session.key(), sub).toCompletableFuture());
            }
            // Retain Handling: 0 send retained messages, 1 only for a new subscription, 2 never [MQTT5-3.3.1-9..11]
            int handling = sub.retainHandling();
            // section 4.8.2: no retained messages on a shared subscription
            if (!SharedSubscription.isShared(filter) && (handling == 0 || (handling == 1 && !existed))) {
                granted.add(new Granted(sub));
            }
            codes[i] = qos;
        }
        int packetId = subscribe.variableHeader().messageId();
        Runnable answer = () -> {
            // [MQTT-3.8.4-1] SUBACK with the same packet id [MQTT-3.8.4-2]
            c.channel().write(Packets.suback(packetId, codes));
            sendRetained(c, granted);
            c.channel().flush();
        };
        Stages.onLoop(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)), c.channel().eventLoop(),
                (v, error) -> {
                    if (error != null) {
                        LOG.warnf(error, "%s: could not store subscriptions; closing", c);
                        c.disconnect(ReasonCodes.UNSPECIFIED_ERROR, CloseReason.SERVER_ERROR, "store error");
                    } else if (c.state() == ConnectionState.CONNECTED) {
                        answer.run();
                    }
                });
    }


    /** @return 0 when the filter may be subscribed, else the MQTT 5 reason code that refuses it */
    private static int refusal(MqttConnection c, Features features, String filter, int subscriptionId) {
        String matched = filter;
        if (SharedSubscription.isShared(filter)) {
            if (!features.sharedSubscriptions()) {
                LOG.debugf("%s: shared subscription '%s' refused: not available", c, filter);
                return ReasonCodes.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED; // section 3.9.3: 0x9E
            }
            SharedSubscription shared = SharedSubscription.parse(filter);
            if (shared == null) {
                LOG.debugf("%s: invalid shared subscription '%s' refused", c, filter);
                return ReasonCodes.TOPIC_FILTER_INVALID; // [MQTT5-4.8.2-1] [MQTT5-4.8.2-2]
            }
            matched = shared.filter();
        } else if (!TopicFilter.isValid(filter)) {
            LOG.debugf("%s: invalid topic filter '%s' refused", c, filter);
            return ReasonCodes.TOPIC_FILTER_INVALID;
        }
        if (!features.wildcardSubscriptions() && TopicFilter.hasWildcard(matched)) {
            return ReasonCodes.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;
        }
        if (subscriptionId != 0 && !features.subscriptionIdentifiers()) {
            return ReasonCodes.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED;
        }
        if (!c.broker().authorizer().canSubscribe(c.clientId(), c.username(), filter)) {
            LOG.debugf("%s: subscription to '%s' not authorized", c, filter);
            return ReasonCodes.NOT_AUTHORIZED;
        }
        return 0;
    }

    /** A subscription whose retained messages are to be sent. */
    private record Granted(StoredSubscription sub) {
    }

    private static void sendRetained(MqttConnection c, List<Granted> granted) {
        Broker broker = c.broker();
        for (Granted g : granted) {
            StoredSubscription sub = g.sub();
            Stages.onLoop(broker.stores().retained().match(broker.tenant(), sub.filter()), c.channel().eventLoop(),
                    (messages, error) -> {
                if (error != null) {
                    LOG.warnf(error, "%s: could not read retained messages for '%s'", c, sub.filter());
                    return;
                }
                int[] ids = sub.subscriptionId() == 0 ? null : new int[] {sub.subscriptionId()};
                for (StoredMessage m : messages) {
                    // [MQTT-3.3.1-8] retained messages sent on subscribe keep RETAIN=1; QoS is downgraded
                    RoutedMessage routed = RoutedMessage.of(m.withRetain(true).withQos(Math.min(m.qos(), sub.qos())),
                            broker.config().limits().copyThreshold());
                    c.outbound().offer(ids == null ? routed : routed.withSubscriptionIds(ids));
                }
            });
        }
    }
}
