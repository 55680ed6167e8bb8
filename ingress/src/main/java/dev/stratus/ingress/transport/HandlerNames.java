package dev.stratus.ingress.transport;

/** Names of the pipeline stages, in pipeline order. */
final class HandlerNames {

    static final String TLS = "tls";
    static final String HTTP_CODEC = "httpCodec";
    static final String HTTP_AGGREGATOR = "httpAggregator";
    static final String SUBPROTOCOL = "subprotocol";
    static final String WEBSOCKET = "websocket";
    static final String WEBSOCKET_FRAMES = "websocketFrames";
    static final String FRAMER = "framer";
    static final String MQTT_DECODER = "mqttDecoder";
    /** Every outgoing MQTT packet: {@link dev.stratus.ingress.codec.PublishEncoder}. */
    static final String ENCODER = "mqttEncoder";
    static final String MQTT = "mqtt";

    private HandlerNames() {
    }
}
