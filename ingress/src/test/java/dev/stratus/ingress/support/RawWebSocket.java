package dev.stratus.ingress.support;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A java.net.http WebSocket that collects the binary bytes it receives and notices when it is closed. */
public final class RawWebSocket implements WebSocket.Listener {

    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private WebSocket socket;

    private RawWebSocket() {
    }

    /** Opens a WebSocket to {@code uri} asking for {@code subprotocol}; waits at most 5 s for the handshake. */
    public static RawWebSocket open(HttpClient http, URI uri, String subprotocol) throws Exception {
        RawWebSocket listener = new RawWebSocket();
        listener.socket = http.newWebSocketBuilder().subprotocols(subprotocol).buildAsync(uri, listener)
                .get(5, TimeUnit.SECONDS);
        return listener;
    }

    public WebSocket socket() {
        return socket;
    }

    /** Completed, with how, when the server closes the WebSocket or it fails. */
    public CompletableFuture<String> closed() {
        return closed;
    }

    public void sendBinary(byte[] frame) throws Exception {
        // a whole frame each time (last=true): a new binary frame, not a continuation
        socket.sendBinary(ByteBuffer.wrap(frame), true).get(5, TimeUnit.SECONDS);
    }

    public void awaitReceived(byte[] expected) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(received()).isEqualTo(expected));
    }

    public void awaitClosed() {
        await().atMost(Duration.ofSeconds(5)).until(closed::isDone);
    }

    /** Every byte received so far. */
    public synchronized byte[] received() {
        return received.toByteArray();
    }

    public void abort() {
        socket.abort();
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        synchronized (this) {
            received.writeBytes(bytes);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete("close " + statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
    }
}
