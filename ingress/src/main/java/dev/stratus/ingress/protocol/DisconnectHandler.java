package dev.stratus.ingress.protocol;

import dev.stratus.ingress.codec.ReasonCodes;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

/**
 * DISCONNECT: discard the will [MQTT-3.14.4-3] and close [MQTT-3.14.4-1]. An MQTT 5 client keeps its will with
 * any reason code but 0x00: 0x04 asks for it, an error code (0x80 and above) reports an abnormal end
 * [MQTT5-3.14.4-3]; it may also change the Session Expiry Interval, but not from 0 to more: a protocol
 * error (section 3.14.2.2.2).
 */
final class DisconnectHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        if (!c.mqtt5() || !(message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader vh)) {
            c.disconnectedByClient(false);
            return;
        }
        if (Props.has(vh.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL)) {
            long expiry = Props.unsigned(vh.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL, 0);
            if (c.connectSessionExpiry() == 0 && expiry != 0) {
                c.protocolViolation("DISCONNECT sets a Session Expiry Interval on a session that had 0");
                return;
            }
            c.session().setExpiryIntervalSeconds(
                    Math.min(expiry, c.broker().config().features().maxSessionExpirySeconds()));
        }
        // [MQTT5-3.1.2-8] [MQTT5-3.1.2-10] only 0x00 (Normal disconnection) deletes the will: 0x04 asks for it, and so
        // does any error code the client reports
        c.disconnectedByClient(vh.reasonCode() != ReasonCodes.SUCCESS);
    }
}
