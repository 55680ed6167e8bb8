package dev.stratus.ingress.protocol;

import dev.stratus.state.model.MessageProperties;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;

import java.util.ArrayList;
import java.util.List;

/** Reading MQTT 5 properties as Netty decoded them; absent properties give the default. */
final class Props {

    private Props() {
    }

    static boolean has(MqttProperties props, MqttPropertyType type) {
        return props != null && props.getProperty(type.value()) != null;
    }

    /** An integer property as an unsigned value (four-byte integers above 2^31 included). */
    static long unsigned(MqttProperties props, MqttPropertyType type, long absent) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(type.value());
        return p == null ? absent : ((Integer) p.value()) & 0xFFFFFFFFL;
    }

    static String string(MqttProperties props, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(type.value());
        return p == null ? null : (String) p.value();
    }

    static byte[] binary(MqttProperties props, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(type.value());
        return p == null ? null : (byte[]) p.value();
    }

    /** User properties in the order they were sent [MQTT5-3.3.2-18]. */
    static List<MessageProperties.UserProperty> userProperties(MqttProperties props) {
        if (props == null) {
            return List.of();
        }
        List<? extends MqttProperties.MqttProperty> all = props.getProperties(MqttPropertyType.USER_PROPERTY.value());
        if (all.isEmpty()) {
            return List.of();
        }
        List<MessageProperties.UserProperty> out = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> p : all) {
            if (p instanceof MqttProperties.UserProperties ups) {
                for (MqttProperties.StringPair pair : ups.value()) {
                    out.add(new MessageProperties.UserProperty(pair.key, pair.value));
                }
            } else if (p instanceof MqttProperties.UserProperty up) {
                out.add(new MessageProperties.UserProperty(up.value().key, up.value().value));
            }
        }
        return out;
    }

    /** The application-message properties of a PUBLISH or a will, as they are forwarded. */
    static MessageProperties messageProperties(MqttProperties props) {
        if (props == null || props.isEmpty()) {
            return MessageProperties.NONE;
        }
        MessageProperties m = new MessageProperties(
                has(props, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR)
                        ? (int) unsigned(props, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 0) : null,
                string(props, MqttPropertyType.CONTENT_TYPE),
                string(props, MqttPropertyType.RESPONSE_TOPIC),
                binary(props, MqttPropertyType.CORRELATION_DATA),
                userProperties(props));
        return m.isEmpty() ? MessageProperties.NONE : m;
    }

    /** Whether every string of the message properties is well-formed UTF-8 without U+0000 [MQTT5-1.5.4-1..2]. */
    static boolean validText(MessageProperties m) {
        if (m == MessageProperties.NONE) {
            return true;
        }
        if (m.contentType() != null && !ConnectHandler.validIdentifierText(m.contentType())) {
            return false;
        }
        if (m.responseTopic() != null && !ConnectHandler.validIdentifierText(m.responseTopic())) {
            return false;
        }
        for (MessageProperties.UserProperty u : m.userProperties()) {
            if (!ConnectHandler.validIdentifierText(u.name()) || !ConnectHandler.validIdentifierText(u.value())) {
                return false;
            }
        }
        return true;
    }
}
