package dev.stratus.ingress.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A tiny blocking MQTT 3.1.1 client over a plain {@link Socket}, for tests that must send what client libraries
 * refuse to: reserved flags, malformed lengths, invalid strings, re-sent packets, missing acknowledgements.
 * <p>
 * Packets are built as bytes by the static builders ({@link #publish}, {@link Connect#build()}, ...), sent with
 * {@link #send(byte[])} / {@link #sendRaw(byte[])}, and read back parsed with {@link #readPacket(Duration)}.
 * Waiting is done with socket read timeouts only. Bytes read are buffered here, so a read timeout in the middle
 * of a packet loses nothing.
 */
public final class RawMqttClient implements AutoCloseable {

    // ---- packet types ------------------------------------------------------------------------------------------

    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBREL = 6;
    public static final int PUBCOMP = 7;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int UNSUBSCRIBE = 10;
    public static final int UNSUBACK = 11;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;
    /** MQTT 5 only. */
    public static final int AUTH = 15;

    private static final String[] TYPE_NAMES = {"RESERVED0", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC",
            "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP",
            "DISCONNECT", "AUTH"};

    /** Default time {@link #connect(Connect)} waits for CONNACK. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] buffer = new byte[8192];
    private int buffered;
    private boolean eof;

    private RawMqttClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens a TCP connection to 127.0.0.1:port; sends nothing. */
    public static RawMqttClient open(int port) {
        return open("127.0.0.1", port);
    }

    /** Opens a TCP connection; sends nothing. */
    public static RawMqttClient open(String host, int port) {
        try {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 5_000);
            return new RawMqttClient(s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    /** Opens a connection to the broker's TCP listener. */
    public static RawMqttClient open(TestBroker broker) {
        return open(broker.tcpPort());
    }

    /**
     * Opens a connection, sends CONNECT and waits for CONNACK; asserts that it is accepted (return code 0).
     *
     * @return the client; {@link #lastConnAck()} holds the CONNACK
     */
    public static RawMqttClient connected(int port, Connect connect) {
        RawMqttClient c = open(port);
        try {
            Packet ack = c.connect(connect);
            if (ack.connAckReturnCode() != 0) {
                throw new AssertionError("CONNECT refused with return code " + ack.connAckReturnCode());
            }
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private Packet lastConnAck;

    /** Sends CONNECT and returns the CONNACK (whatever its return code). */
    public Packet connect(Connect connect) {
        send(connect.build());
        Packet ack = readPacket(DEFAULT_TIMEOUT);
        if (ack.type() != CONNACK) {
            throw new AssertionError("expected CONNACK, got " + ack);
        }
        lastConnAck = ack;
        return ack;
    }

    /** The CONNACK received by {@link #connect(Connect)}, or null. */
    public Packet lastConnAck() {
        return lastConnAck;
    }

    // ---- sending -----------------------------------------------------------------------------------------------

    /** Writes the bytes as they are and flushes. */
    public RawMqttClient sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("write failed", e);
        }
    }

    /** Writes a packet built by one of the builders. */
    public RawMqttClient send(byte[] packet) {
        return sendRaw(packet);
    }

    /** Writes, and reports whether the write succeeded (false when the broker has already closed). */
    public boolean trySend(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public RawMqttClient subscribe(int packetId, String filter, int qos) {
        return send(subscribe(packetId, sub(filter, qos)));
    }

    /** Sends SUBSCRIBE and waits for its SUBACK, which it returns. */
    public Packet subscribeAndAwait(int packetId, String filter, int qos) {
        subscribe(packetId, filter, qos);
        Packet ack = expect(SUBACK, DEFAULT_TIMEOUT);
        if (ack.packetId() != packetId) {
            throw new AssertionError("SUBACK for packet id " + ack.packetId() + ", expected " + packetId);
        }
        return ack;
    }

    // ---- reading -----------------------------------------------------------------------------------------------

    /**
     * Reads the next packet, waiting at most {@code timeout}.
     *
     * @throws AssertionError when none arrives in time or the connection is closed first
     */
    public Packet readPacket(Duration timeout) {
        Optional<Packet> p = pollPacket(timeout);
        if (p.isEmpty()) {
            if (eof) {
                throw new AssertionError("connection closed by the broker while waiting for a packet");
            }
            throw new AssertionError("no packet within " + timeout);
        }
        return p.get();
    }

    /** Reads the next packet and asserts its type. */
    public Packet expect(int type, Duration timeout) {
        Packet p = readPacket(timeout);
        if (p.type() != type) {
            throw new AssertionError("expected " + TYPE_NAMES[type] + ", got " + p);
        }
        return p;
    }

    /**
     * Reads packets until one of the given type arrives within {@code timeout}, and returns it; packets of other
     * types (deliveries, for example) are skipped.
     */
    public Packet readUntil(int type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Packet p = readPacket(Duration.ofNanos(Math.max(1, left)));
            if (p.type() == type) {
                return p;
            }
        }
    }

    /** The next packet, or empty when none arrives within {@code timeout} or the connection is closed. */
    public Optional<Packet> pollPacket(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Packet p = parseBuffered();
            if (p != null) {
                return Optional.of(p);
            }
            if (eof) {
                return Optional.empty();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            fill(left);
        }
    }

    /**
     * Asserts that no packet arrives within {@code quiet} (a socket read timeout, not a sleep): to show that
     * something was not sent.
     */
    public void assertNoPacket(Duration quiet) {
        Optional<Packet> p = pollPacket(quiet);
        if (p.isPresent()) {
            throw new AssertionError("expected no packet, got " + p.get());
        }
    }

    /**
     * Asserts that the broker closes the connection within {@code timeout}: a read returns end of stream or the
     * connection is reset. Packets that arrive before are returned, oldest first.
     */
    public List<Packet> awaitClosed(Duration timeout) {
        List<Packet> before = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Packet p;
            while ((p = parseBuffered()) != null) {
                before.add(p);
            }
            if (eof) {
                return before;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the broker did not close the connection within " + timeout
                        + (before.isEmpty() ? "" : "; received " + before)
                        + (buffered == 0 ? "" : "; " + buffered + " unparsed bytes"));
            }
            fill(left);
        }
    }

    /** Whether the broker has closed the connection (as far as reads so far have seen). */
    public boolean closedByBroker() {
        return eof;
    }

    /** Reads once into the buffer, waiting at most {@code nanos}; sets {@link #eof} on end of stream or reset. */
    private void fill(long nanos) {
        try {
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000)));
            if (buffered == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            int n = in.read(buffer, buffered, buffer.length - buffered);
            if (n < 0) {
                eof = true;
            } else {
                buffered += n;
            }
        } catch (SocketTimeoutException e) {
            // nothing within the time: the caller checks its deadline
        } catch (SocketException e) {
            // connection reset: the broker closed (with unread data on its side)
            eof = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Takes one complete packet off the buffer, or returns null. */
    private Packet parseBuffered() {
        if (buffered < 2) {
            return null;
        }
        int length = 0;
        int multiplier = 1;
        int i = 1;
        while (true) {
            if (i >= buffered) {
                return null;
            }
            int digit = buffer[i++] & 0xFF;
            length += (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                break;
            }
            multiplier *= 128;
            if (i > 4) {
                throw new AssertionError("broker sent a Remaining Length of more than four bytes");
            }
        }
        if (buffered < i + length) {
            return null;
        }
        int first = buffer[0] & 0xFF;
        Packet p = new Packet(first >> 4, first & 0x0F, Arrays.copyOfRange(buffer, i, i + length));
        int consumed = i + length;
        System.arraycopy(buffer, consumed, buffer, 0, buffered - consumed);
        buffered -= consumed;
        return p;
    }

    // ---- closing -----------------------------------------------------------------------------------------------

    /** Closes the socket without DISCONNECT (a network failure as the broker sees it). */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Closes with a TCP reset instead of FIN: the most abrupt way to go. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // closed already
        }
        close();
    }

    /** Sends DISCONNECT, then closes. */
    public void disconnect() {
        trySend(disconnectPacket());
        close();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    public Socket socket() {
        return socket;
    }

    // ---- packet builders ---------------------------------------------------------------------------------------

    /** A CONNECT builder for MQTT 3.1.1 with CleanSession=1, keep alive 60 s. */
    public static Connect connectPacket(String clientId) {
        return new Connect(clientId);
    }

    /** A packet: the first byte ({@code type << 4 | flags}), the Remaining Length, then the body. */
    public static byte[] packet(int type, int flags, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(body.length + 5);
        b.write((type << 4) | (flags & 0x0F));
        b.writeBytes(remainingLength(body.length));
        b.writeBytes(body);
        return b.toByteArray();
    }

    /** The same packet with other fixed-header flags (the low four bits of the first byte). */
    public static byte[] withFlags(byte[] packet, int flags) {
        byte[] copy = packet.clone();
        copy[0] = (byte) ((copy[0] & 0xF0) | (flags & 0x0F));
        return copy;
    }

    /** Encodes a Remaining Length (1 to 4 bytes) [MQTT-2.2.3]. */
    public static byte[] remainingLength(int length) {
        if (length < 0 || length > 268_435_455) {
            throw new IllegalArgumentException("remaining length out of range: " + length);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(4);
        do {
            int digit = length % 128;
            length /= 128;
            if (length > 0) {
                digit |= 0x80;
            }
            b.write(digit);
        } while (length > 0);
        return b.toByteArray();
    }

    /** A UTF-8 string with its two-byte length prefix [MQTT-1.5.3]. */
    public static byte[] string(String s) {
        return lengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes with a two-byte length prefix; for strings, lets a test send ill-formed UTF-8. */
    public static byte[] lengthPrefixed(byte[] bytes) {
        byte[] r = new byte[bytes.length + 2];
        r[0] = (byte) (bytes.length >> 8);
        r[1] = (byte) bytes.length;
        System.arraycopy(bytes, 0, r, 2, bytes.length);
        return r;
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    /** PUBLISH to a topic given as a string. */
    public static byte[] publish(String topic, byte[] payload, int qos, boolean retain, boolean dup, int packetId) {
        return publishRawTopic(topic.getBytes(StandardCharsets.UTF_8), payload, qos, retain, dup, packetId);
    }

    /** PUBLISH QoS 0, no flags. */
    public static byte[] publish(String topic, String payload) {
        return publish(topic, payload.getBytes(StandardCharsets.UTF_8), 0, false, false, 0);
    }

    /** PUBLISH whose topic is the given bytes as they are (for ill-formed UTF-8). */
    public static byte[] publishRawTopic(byte[] topic, byte[] payload, int qos, boolean retain, boolean dup,
                                         int packetId) {
        int flags = (dup ? 0x08 : 0) | ((qos & 0x03) << 1) | (retain ? 0x01 : 0);
        byte[] variable = qos > 0 ? concat(lengthPrefixed(topic), u16(packetId)) : lengthPrefixed(topic);
        return packet(PUBLISH, flags, concat(variable, payload));
    }

    public static byte[] puback(int packetId) {
        return packet(PUBACK, 0, u16(packetId));
    }

    public static byte[] pubrec(int packetId) {
        return packet(PUBREC, 0, u16(packetId));
    }

    /** PUBREL with its mandatory flags 0010 [MQTT-3.6.1-1]. */
    public static byte[] pubrel(int packetId) {
        return packet(PUBREL, 0x02, u16(packetId));
    }

    public static byte[] pubcomp(int packetId) {
        return packet(PUBCOMP, 0, u16(packetId));
    }

    /** A topic filter with its requested QoS (any value 0..255, to send invalid ones). */
    public record Subscription(String filter, int qos) {
    }

    public static Subscription sub(String filter, int qos) {
        return new Subscription(filter, qos);
    }

    /** SUBSCRIBE with its mandatory flags 0010 [MQTT-3.8.1-1]; no subscriptions makes an invalid packet. */
    public static byte[] subscribe(int packetId, Subscription... subscriptions) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(u16(packetId));
        for (Subscription s : subscriptions) {
            b.writeBytes(string(s.filter()));
            b.write(s.qos());
        }
        return packet(SUBSCRIBE, 0x02, b.toByteArray());
    }

    /** UNSUBSCRIBE with its mandatory flags 0010 [MQTT-3.10.1-1]; no filters makes an invalid packet. */
    public static byte[] unsubscribe(int packetId, String... filters) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(u16(packetId));
        for (String f : filters) {
            b.writeBytes(string(f));
        }
        return packet(UNSUBSCRIBE, 0x02, b.toByteArray());
    }

    // ---- MQTT 5 -------------------------------------------------------------------------------------------------

    /** A properties section: the Property Length followed by the properties. */
    public static byte[] props(byte[]... properties) {
        byte[] all = concat(properties);
        return concat(vbi(all.length), all);
    }

    public static byte[] propByte(int id, int value) {
        return new byte[] {(byte) id, (byte) value};
    }

    public static byte[] propU16(int id, int value) {
        return concat(new byte[] {(byte) id}, u16(value));
    }

    public static byte[] propU32(int id, long value) {
        return new byte[] {(byte) id, (byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value};
    }

    public static byte[] propVbi(int id, int value) {
        return concat(new byte[] {(byte) id}, vbi(value));
    }

    public static byte[] propString(int id, String value) {
        return concat(new byte[] {(byte) id}, string(value));
    }

    public static byte[] propBinary(int id, byte[] value) {
        return concat(new byte[] {(byte) id}, lengthPrefixed(value));
    }

    public static byte[] userProperty(String name, String value) {
        return concat(new byte[] {0x26}, string(name), string(value));
    }

    public static byte[] vbi(int value) {
        return remainingLength(value);
    }

    /** An MQTT 5 PUBLISH with properties. */
    public static byte[] publish5(String topic, byte[] payload, int qos, boolean retain, int packetId,
                                  byte[] properties) {
        int flags = ((qos & 0x03) << 1) | (retain ? 0x01 : 0);
        byte[] t = lengthPrefixed(topic.getBytes(StandardCharsets.UTF_8));
        byte[] variable = qos > 0 ? concat(t, u16(packetId), properties) : concat(t, properties);
        return packet(PUBLISH, flags, concat(variable, payload));
    }

    /** An MQTT 5 SUBSCRIBE of one filter with its options byte. */
    public static byte[] subscribe5(int packetId, byte[] properties, String filter, int options) {
        return packet(SUBSCRIBE, 0x02, concat(u16(packetId), properties, string(filter), new byte[] {(byte) options}));
    }

    /** An MQTT 5 DISCONNECT with a reason code and properties. */
    public static byte[] disconnect5(int reasonCode, byte[] properties) {
        return packet(DISCONNECT, 0, concat(new byte[] {(byte) reasonCode}, properties));
    }

    /** An MQTT 5 acknowledgement (PUBACK..PUBCOMP) with a reason code. */
    public static byte[] ack5(int type, int packetId, int reasonCode) {
        return packet(type, type == PUBREL ? 0x02 : 0, concat(u16(packetId), new byte[] {(byte) reasonCode}));
    }

    public static byte[] pingreq() {
        return packet(PINGREQ, 0, new byte[0]);
    }

    public static byte[] disconnectPacket() {
        return packet(DISCONNECT, 0, new byte[0]);
    }

    /**
     * CONNECT. The connect flags follow from what is set (user name, password, will, clean session); the
     * {@code set/clearFlags} masks and the raw setters let a test build what the specification forbids.
     */
    public static final class Connect {

        private String protocolName = "MQTT";
        private int protocolLevel = 4;
        private boolean cleanSession = true;
        private int keepAliveSeconds = 60;
        private final String clientId;
        private String willTopic;
        private byte[] willPayload;
        private int willQos;
        private boolean willRetain;
        private String username;
        private byte[] password;
        private int setFlags;
        private int clearFlags;
        private byte[] properties;
        private byte[] willProperties;

        private Connect(String clientId) {
            this.clientId = clientId;
        }

        public Connect cleanSession(boolean v) {
            this.cleanSession = v;
            return this;
        }

        public Connect keepAlive(int seconds) {
            this.keepAliveSeconds = seconds;
            return this;
        }

        /** A will; QoS may be 3 and retain may be set, as the test likes. */
        public Connect will(String topic, byte[] payload, int qos, boolean retain) {
            this.willTopic = topic;
            this.willPayload = payload;
            this.willQos = qos;
            this.willRetain = retain;
            return this;
        }

        public Connect username(String v) {
            this.username = v;
            return this;
        }

        /** A password; without {@link #username} this makes the CONNECT that [MQTT-3.1.2-22] forbids. */
        public Connect password(byte[] v) {
            this.password = v;
            return this;
        }

        public Connect password(String v) {
            return password(v.getBytes(StandardCharsets.UTF_8));
        }

        public Connect protocolName(String v) {
            this.protocolName = v;
            return this;
        }

        public Connect protocolLevel(int v) {
            this.protocolLevel = v;
            return this;
        }

        /** MQTT 5 (protocol level 5) with these CONNECT properties (see {@link #props}). */
        public Connect v5(byte[]... props) {
            this.protocolLevel = 5;
            this.properties = props(props);
            return this;
        }

        /** MQTT 5 will properties. */
        public Connect willProperties(byte[]... props) {
            this.willProperties = props(props);
            return this;
        }

        /** Connect flag bits to set in addition to the computed ones (0x01 is the reserved bit). */
        public Connect setFlags(int mask) {
            this.setFlags |= mask;
            return this;
        }

        /** Connect flag bits to clear from the computed ones. */
        public Connect clearFlags(int mask) {
            this.clearFlags |= mask;
            return this;
        }

        public int flags() {
            int f = 0;
            if (username != null) {
                f |= 0x80;
            }
            if (password != null) {
                f |= 0x40;
            }
            if (willTopic != null) {
                f |= 0x04 | ((willQos & 0x03) << 3) | (willRetain ? 0x20 : 0);
            }
            if (cleanSession) {
                f |= 0x02;
            }
            return (f | setFlags) & ~clearFlags & 0xFF;
        }

        public byte[] build() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(string(protocolName));
            b.write(protocolLevel);
            b.write(flags());
            b.writeBytes(u16(keepAliveSeconds));
            if (protocolLevel == 5) {
                b.writeBytes(properties == null ? props() : properties);
            }
            b.writeBytes(string(clientId));
            if (willTopic != null) {
                if (protocolLevel == 5) {
                    b.writeBytes(willProperties == null ? props() : willProperties);
                }
                b.writeBytes(string(willTopic));
                b.writeBytes(lengthPrefixed(willPayload));
            }
            if (username != null) {
                b.writeBytes(string(username));
            }
            if (password != null) {
                b.writeBytes(lengthPrefixed(password));
            }
            return packet(CONNECT, 0, b.toByteArray());
        }
    }

    // ---- parsed packets ----------------------------------------------------------------------------------------

    /**
     * A packet as received: its type, the four flag bits of the fixed header, and everything after the Remaining
     * Length.
     */
    public record Packet(int type, int flags, byte[] body) {

        public String typeName() {
            return TYPE_NAMES[type];
        }

        public boolean dup() {
            return (flags & 0x08) != 0;
        }

        public int qos() {
            return (flags >> 1) & 0x03;
        }

        public boolean retain() {
            return (flags & 0x01) != 0;
        }

        /** The packet id: of PUBLISH QoS 1/2 (after the topic), or the first two bytes of the acknowledgements. */
        public int packetId() {
            if (type == PUBLISH) {
                if (qos() == 0) {
                    throw new AssertionError("a QoS 0 PUBLISH has no packet id");
                }
                int at = 2 + topicLength();
                return u16At(at);
            }
            return u16At(0);
        }

        public String topic() {
            requireType(PUBLISH);
            return new String(body, 2, topicLength(), StandardCharsets.UTF_8);
        }

        public byte[] payload() {
            requireType(PUBLISH);
            int start = 2 + topicLength() + (qos() > 0 ? 2 : 0);
            return Arrays.copyOfRange(body, start, body.length);
        }

        public String payloadText() {
            return new String(payload(), StandardCharsets.UTF_8);
        }

        /** SUBACK return codes, in order. */
        public int[] returnCodes() {
            requireType(SUBACK);
            int[] codes = new int[body.length - 2];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = body[2 + i] & 0xFF;
            }
            return codes;
        }

        /**
         * The MQTT 5 reason code: of CONNACK, DISCONNECT, AUTH, and of PUBACK..PUBCOMP (0 when left out, as a
         * success may be).
         */
        public int reasonCode() {
            switch (type) {
                case CONNACK:
                    return body[1] & 0xFF;
                case DISCONNECT:
                case 15:
                    return body.length == 0 ? 0 : body[0] & 0xFF;
                case PUBACK:
                case PUBREC:
                case PUBREL:
                case PUBCOMP:
                    return body.length > 2 ? body[2] & 0xFF : 0;
                default:
                    throw new AssertionError("no reason code in " + typeName());
            }
        }

        /** MQTT 5 SUBACK or UNSUBACK reason codes, after the packet id and the properties. */
        public int[] reasonCodes5() {
            int at = 2;
            int[] len = vbiAt(at);
            at += len[1] + len[0];
            int[] codes = new int[body.length - at];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = body[at + i] & 0xFF;
            }
            return codes;
        }

        /**
         * The MQTT 5 properties of this packet as id -> raw value bytes (the last one of each id; user
         * properties and subscription identifiers in {@link #propertyList}).
         */
        public java.util.Map<Integer, byte[]> properties5() {
            java.util.Map<Integer, byte[]> m = new java.util.LinkedHashMap<>();
            for (byte[][] p : propertyList()) {
                m.put(p[0][0] & 0xFF, p[1]);
            }
            return m;
        }

        /** The MQTT 5 properties in order: {id}, value bytes. */
        public List<byte[][]> propertyList() {
            int at = propertiesStart();
            int[] len = vbiAt(at);
            at += len[1];
            int end = at + len[0];
            List<byte[][]> out = new java.util.ArrayList<>();
            while (at < end) {
                int id = body[at++] & 0xFF;
                int size;
                switch (id) {
                    case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> size = 1;
                    case 0x13, 0x21, 0x22, 0x23 -> size = 2;
                    case 0x02, 0x11, 0x18, 0x27 -> size = 4;
                    case 0x0B -> size = vbiAt(at)[1];
                    case 0x26 -> {
                        int k = u16At(at);
                        size = 2 + k + 2 + u16At(at + 2 + k);
                    }
                    default -> size = 2 + u16At(at);
                }
                out.add(new byte[][] {{(byte) id}, Arrays.copyOfRange(body, at, at + size)});
                at += size;
            }
            return out;
        }

        private int propertiesStart() {
            switch (type) {
                case CONNACK:
                    return 2;
                case DISCONNECT:
                case 15:
                    return 1;
                case PUBLISH:
                    return 2 + topicLength() + (qos() > 0 ? 2 : 0);
                case SUBACK:
                case UNSUBACK:
                    return 2;
                default:
                    return 3;
            }
        }

        /** The payload of an MQTT 5 PUBLISH (after its properties). */
        public byte[] payload5() {
            requireType(PUBLISH);
            int at = propertiesStart();
            int[] len = vbiAt(at);
            return Arrays.copyOfRange(body, at + len[1] + len[0], body.length);
        }

        /** {value, bytes} of the Variable Byte Integer at {@code at}. */
        private int[] vbiAt(int at) {
            int value = 0;
            int multiplier = 1;
            int i = 0;
            while (true) {
                int digit = body[at + i] & 0xFF;
                value += (digit & 0x7F) * multiplier;
                i++;
                if ((digit & 0x80) == 0) {
                    return new int[] {value, i};
                }
                multiplier *= 128;
            }
        }

        public int connAckReturnCode() {
            requireType(CONNACK);
            return body[1] & 0xFF;
        }

        public boolean sessionPresent() {
            requireType(CONNACK);
            return (body[0] & 0x01) != 0;
        }

        private int topicLength() {
            return u16At(0);
        }

        private int u16At(int at) {
            if (body.length < at + 2) {
                throw new AssertionError(typeName() + " too short: " + HexFormat.of().formatHex(body));
            }
            return ((body[at] & 0xFF) << 8) | (body[at + 1] & 0xFF);
        }

        private void requireType(int t) {
            if (type != t) {
                throw new AssertionError("expected " + TYPE_NAMES[t] + ", got " + this);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Packet p && p.type == type && p.flags == flags && Arrays.equals(p.body, body);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * type + flags) + Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            String detail = switch (type) {
                case PUBLISH -> " topic=" + topic() + " qos=" + qos() + (qos() > 0 ? " id=" + packetId() : "")
                        + (dup() ? " dup" : "") + (retain() ? " retain" : "") + " payload=" + payloadText();
                case CONNACK -> " sp=" + sessionPresent() + " rc=" + connAckReturnCode();
                case PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK -> " id=" + packetId();
                case SUBACK -> " id=" + packetId() + " codes=" + Arrays.toString(returnCodes());
                default -> "";
            };
            return typeName() + "[flags=" + Integer.toBinaryString(flags) + detail + "]";
        }
    }
}
