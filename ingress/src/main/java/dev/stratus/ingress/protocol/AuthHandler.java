package dev.stratus.ingress.protocol;

import dev.stratus.ingress.codec.ReasonCodes;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

/**
 * AUTH from the client (MQTT 5): the next step of the enhanced authentication that its CONNECT began (0x18), or
 * a re-authentication of a connected client (0x19, then 0x18 steps). An AUTH when the CONNECT named no method
 * [MQTT5-4.12.0-7], with another method [MQTT5-4.12.1-1], or out of turn is a protocol error.
 */
final class AuthHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        MqttReasonCodeAndPropertiesVariableHeader vh = message.variableHeader() instanceof
                MqttReasonCodeAndPropertiesVariableHeader h ? h : null;
        int code = vh == null ? 0 : vh.reasonCode() & 0xFF;
        MqttProperties props = vh == null ? null : vh.properties();
        EnhancedAuth auth = c.enhancedAuth();
        String problem = null;
        if (auth == null) {
            problem = "AUTH without an Authentication Method in CONNECT";
        } else if (!auth.method().equals(Props.string(props, MqttPropertyType.AUTHENTICATION_METHOD))) {
            problem = "AUTH with another Authentication Method than the CONNECT's";
        } else if (code == ReasonCodes.CONTINUE_AUTHENTICATION && !auth.inProgress()) {
            problem = "AUTH 0x18 with no authentication in progress";
        } else if (code == ReasonCodes.RE_AUTHENTICATE
                && (c.state() != ConnectionState.CONNECTED || auth.inProgress())) {
            problem = "AUTH 0x19 while authentication is in progress";
        } else if (code != ReasonCodes.CONTINUE_AUTHENTICATION && code != ReasonCodes.RE_AUTHENTICATE) {
            problem = "AUTH with reason code 0x" + Integer.toHexString(code) + " from a client";
        }
        if (problem != null) {
            if (c.state() == ConnectionState.CONNECTING) {
                ConnectHandler.refuse(c, ReasonCodes.PROTOCOL_ERROR,
                        MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, problem);
            } else {
                c.protocolViolation(problem);
            }
            return;
        }
        byte[] data = Props.binary(props, MqttPropertyType.AUTHENTICATION_DATA);
        if (code == ReasonCodes.CONTINUE_AUTHENTICATION) {
            auth.step(c, data);
            return;
        }
        // [MQTT5-4.12.1-2] re-authentication: the connection goes on while it runs; success is AUTH 0x00
        auth.begin(c, data, (serverData, user) -> {
            c.channel().writeAndFlush(auth.auth(ReasonCodes.SUCCESS, serverData));
            c.broker().stats().authenticated(dev.stratus.ingress.auth.AuthResult.ACCEPTED);
        });
    }
}
