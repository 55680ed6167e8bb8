package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.broker.RoutedMessage;
import dev.stratus.ingress.session.Session;
import dev.stratus.router.topic.TopicFilter;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.StoredSubscription;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * SUBSCRIBE: authorize and validate each filter, grant it at the requested QoS, store it, answer SUBACK with one
 * return code per filter in order [MQTT-3.8.4-5] (0x80 for a refused one), then send the matching retained
 * messages with RETAIN=1 [MQTT-3.3.1-6].
 */
final class SubscribeHandler implements PacketHandler {

    private static final Logger LOG = Logger.getLogger(SubscribeHandler.class);
    static final int FAILURE = 0x80;

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
                c.protocolViolation("topic filter in SUBSCRIBE is not valid UTF-8");
                return;
            }
            MqttSubscriptionOption o = r.option();
            if (o.isNoLocal() || o.isRetainAsPublished()
                    || o.retainHandling() != MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE) {
                c.protocolViolation("reserved bits set in SUBSCRIBE options"); // [MQTT-3.8.3-4]
                return;
            }
        }
        Broker broker = c.broker();
        Session session = c.session();
        List<Integer> codes = new ArrayList<>(requested.size());
        List<StoredSubscription> granted = new ArrayList<>(requested.size());
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (MqttTopicSubscription r : requested) {
            String filter = r.topicName();
            if (filter == null || !TopicFilter.isValid(filter)) {
                LOG.debugf("%s: invalid topic filter '%s' refused", c, filter);
                codes.add(FAILURE);
                continue;
            }
            if (!broker.authorizer().canSubscribe(c.clientId(), c.username(), filter)) {
                LOG.debugf("%s: subscription to '%s' not authorized", c, filter);
                codes.add(FAILURE);
                continue;
            }
            StoredSubscription sub = StoredSubscription.of(filter, r.qualityOfService().value());
            // [MQTT-3.8.4-3] an existing subscription with the same filter is replaced
            broker.subscribe(session, sub);
            if (session.isPersistent()) {
                writes.add(broker.stores().sessions().putSubscription(session.key(), sub).toCompletableFuture());
            }
            granted.add(sub);
            codes.add(sub.qos());
        }
        int packetId = subscribe.variableHeader().messageId();
        Runnable answer = () -> {
            // [MQTT-3.8.4-1] SUBACK with the same packet id [MQTT-3.8.4-2]
            c.channel().write(suback(packetId, codes));
            sendRetained(c, granted);
            c.channel().flush();
        };
        Stages.onLoop(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)), c.channel().eventLoop(),
                (v, error) -> {
                    if (error != null) {
                        LOG.warnf(error, "%s: could not store subscriptions; closing", c);
                        c.close(CloseReason.SERVER_ERROR, "store error");
                    } else if (c.state() == ConnectionState.CONNECTED) {
                        answer.run();
                    }
                });
    }

    private static void sendRetained(MqttConnection c, List<StoredSubscription> granted) {
        Broker broker = c.broker();
        for (StoredSubscription sub : granted) {
            Stages.onLoop(broker.stores().retained().match(broker.tenant(), sub.filter()), c.channel().eventLoop(),
                    (messages, error) -> {
                if (error != null) {
                    LOG.warnf(error, "%s: could not read retained messages for '%s'", c, sub.filter());
                    return;
                }
                for (StoredMessage m : messages) {
                    // [MQTT-3.3.1-8] retained messages sent on subscribe keep RETAIN=1; QoS is downgraded
                    c.outbound().offer(RoutedMessage.of(m.withRetain(true).withQos(Math.min(m.qos(), sub.qos())),
                            broker.config().limits().copyThreshold()));
                }
            });
        }
    }

    private static MqttSubAckMessage suback(int packetId, List<Integer> codes) {
        int[] values = codes.stream().mapToInt(Integer::intValue).toArray();
        return new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId), new MqttSubAckPayload(values));
    }
}
