package dev.stratus.ingress.transport;

/** The kinds of listener a broker opens. */
public enum Listener {
    TCP("tcp", false, false),
    TLS("tls", false, true),
    WS("ws", true, false),
    WSS("wss", true, true);

    private final String name;
    private final boolean webSocket;
    private final boolean secure;

    Listener(String name, boolean webSocket, boolean secure) {
        this.name = name;
        this.webSocket = webSocket;
        this.secure = secure;
    }

    public boolean webSocket() {
        return webSocket;
    }

    public boolean secure() {
        return secure;
    }

    @Override
    public String toString() {
        return name;
    }
}
