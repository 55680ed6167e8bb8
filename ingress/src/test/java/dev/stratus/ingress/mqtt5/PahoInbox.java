package dev.stratus.ingress.mqtt5;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The callback of a Paho v5 client: every message it receives, in order, and how it was disconnected. */
class PahoInbox implements MqttCallback {

    private static final long WAIT_SECONDS = 5;

    /** A message as Paho delivered it. */
    record Received(String topic, MqttMessage message) {
        String text() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }
    }

    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    final CompletableFuture<MqttDisconnectResponse> disconnected = new CompletableFuture<>();

    Received next() throws InterruptedException {
        Received r = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(r).as("a message within %d s", WAIT_SECONDS).isNotNull();
        return r;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws Exception {
        queue.add(new Received(topic, message));
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        disconnected.complete(response);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }
}
