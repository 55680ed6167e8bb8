package dev.stratus.ingress.protocol;

/**
 * What a client asked for in its CONNECT that shapes what the broker sends it (MQTT 5 CONNECT properties;
 * MQTT 3.1.1 clients get {@link #MQTT_3}).
 *
 * @param mqtt5               whether the connection speaks MQTT 5
 * @param receiveMaximum      QoS 1/2 messages the client accepts unacknowledged [MQTT5-3.3.4-9]
 * @param maximumPacketSize   largest packet the client accepts [MQTT5-3.1.2-24]
 * @param topicAliasMaximum   topic aliases the broker may use towards the client [MQTT5-3.1.2-26]
 * @param problemInformation  whether reason strings and user properties may be sent on acknowledgements
 *                            [MQTT5-3.1.2-29]
 */
record ClientOptions(boolean mqtt5, int receiveMaximum, int maximumPacketSize, int topicAliasMaximum,
                     boolean problemInformation) {

    static final ClientOptions MQTT_3 = new ClientOptions(false, 65535, Integer.MAX_VALUE, 0, false);
}
