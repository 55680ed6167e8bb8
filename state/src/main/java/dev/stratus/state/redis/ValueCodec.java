package dev.stratus.state.redis;

import dev.stratus.state.StateStoreException;
import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.StoredSubscription;

import java.util.ArrayList;
import java.util.List;

/**
 * The binary encoding of the values the Redis backend stores. No Java serialization and no reflection, so it
 * works in a native image; every value starts with a format version byte so that the layout can evolve.
 * <pre>
 * StoredMessage      = version(1) flags topic:str [expiresAt:i64] payload:bytes [properties]
 *   flags            = qos (bits 0-1) | retain (bit 2) | has expiry (bit 3) | has properties (bit 4)
 *   properties       = mask [pfi:varint] [contentType:str] [responseTopic:str] [correlation:bytes] [users]
 *   users            = count:varint (name:str value:str)*
 * InflightMessage    = version(1) packetId:u16 released:u8 StoredMessage
 * StoredSubscription = version(1) qos:u8 options:u8 retainHandling:u8 subscriptionId:varint
 * str, bytes         = length:varint content (strings in UTF-8)
 * </pre>
 * Decoding malformed bytes fails with a {@link StateStoreException}.
 */
public final class ValueCodec {

    static final int VERSION = 1;

    private static final int RETAIN = 1 << 2;
    private static final int HAS_EXPIRY = 1 << 3;
    private static final int HAS_PROPERTIES = 1 << 4;

    private static final int PFI = 1;
    private static final int CONTENT_TYPE = 1 << 1;
    private static final int RESPONSE_TOPIC = 1 << 2;
    private static final int CORRELATION = 1 << 3;
    private static final int USER_PROPERTIES = 1 << 4;

    private static final int NO_LOCAL = 1;
    private static final int RETAIN_AS_PUBLISHED = 1 << 1;

    private ValueCodec() {
    }

    public static byte[] encode(StoredMessage message) {
        ByteWriter out = new ByteWriter(message.payload().length + message.topic().length() + 16);
        writeMessage(out, message);
        return out.toByteArray();
    }

    public static StoredMessage decodeMessage(byte[] bytes) {
        return decodeMessage(bytes, 0);
    }

    /** Decodes a message that starts at {@code offset} and runs to the end of the array. */
    static StoredMessage decodeMessage(byte[] bytes, int offset) {
        ByteReader in = new ByteReader(bytes, offset);
        StoredMessage message = readMessage(in);
        in.expectEnd();
        return message;
    }

    static byte[] encode(InflightMessage inflight) {
        ByteWriter out = new ByteWriter(inflight.message().payload().length + 32);
        out.writeByte(VERSION).writeShort(inflight.packetId()).writeByte(inflight.released() ? 1 : 0);
        writeMessage(out, inflight.message());
        return out.toByteArray();
    }

    static InflightMessage decodeInflight(byte[] bytes) {
        ByteReader in = new ByteReader(bytes, 0);
        checkVersion(in);
        int packetId = in.readShort();
        boolean released = in.readByte() != 0;
        StoredMessage message = readMessage(in);
        in.expectEnd();
        try {
            return new InflightMessage(packetId, message, released);
        } catch (IllegalArgumentException e) {
            throw new StateStoreException("corrupt value in the store: " + e.getMessage(), e);
        }
    }

    static byte[] encode(StoredSubscription subscription) {
        int options = (subscription.noLocal() ? NO_LOCAL : 0)
                | (subscription.retainAsPublished() ? RETAIN_AS_PUBLISHED : 0);
        return new ByteWriter(8).writeByte(VERSION).writeByte(subscription.qos()).writeByte(options)
                .writeByte(subscription.retainHandling()).writeVarInt(subscription.subscriptionId()).toByteArray();
    }

    static StoredSubscription decodeSubscription(String filter, byte[] bytes) {
        ByteReader in = new ByteReader(bytes, 0);
        checkVersion(in);
        int qos = in.readByte();
        int options = in.readByte();
        int retainHandling = in.readByte();
        int subscriptionId = in.readVarInt();
        in.expectEnd();
        try {
            return new StoredSubscription(filter, qos, (options & NO_LOCAL) != 0,
                    (options & RETAIN_AS_PUBLISHED) != 0, retainHandling, subscriptionId);
        } catch (IllegalArgumentException e) {
            throw new StateStoreException("corrupt value in the store: " + e.getMessage(), e);
        }
    }

    private static void writeMessage(ByteWriter out, StoredMessage message) {
        MessageProperties properties = message.properties();
        boolean hasProperties = !properties.isEmpty();
        int flags = message.qos() | (message.retain() ? RETAIN : 0)
                | (message.expiresAtMillis() != 0 ? HAS_EXPIRY : 0) | (hasProperties ? HAS_PROPERTIES : 0);
        out.writeByte(VERSION).writeByte(flags).writeString(message.topic());
        if (message.expiresAtMillis() != 0) {
            out.writeLong(message.expiresAtMillis());
        }
        out.writeBytes(message.payload());
        if (hasProperties) {
            writeProperties(out, properties);
        }
    }

    private static void writeProperties(ByteWriter out, MessageProperties p) {
        int mask = (p.payloadFormatIndicator() != null ? PFI : 0)
                | (p.contentType() != null ? CONTENT_TYPE : 0)
                | (p.responseTopic() != null ? RESPONSE_TOPIC : 0)
                | (p.correlationData() != null ? CORRELATION : 0)
                | (!p.userProperties().isEmpty() ? USER_PROPERTIES : 0);
        out.writeByte(mask);
        if (p.payloadFormatIndicator() != null) {
            out.writeVarInt(p.payloadFormatIndicator());
        }
        if (p.contentType() != null) {
            out.writeString(p.contentType());
        }
        if (p.responseTopic() != null) {
            out.writeString(p.responseTopic());
        }
        if (p.correlationData() != null) {
            out.writeBytes(p.correlationData());
        }
        if (!p.userProperties().isEmpty()) {
            out.writeVarInt(p.userProperties().size());
            for (MessageProperties.UserProperty user : p.userProperties()) {
                out.writeString(user.name()).writeString(user.value());
            }
        }
    }

    private static StoredMessage readMessage(ByteReader in) {
        checkVersion(in);
        int flags = in.readByte();
        int qos = flags & 0x3;
        if (qos == 3 || (flags & ~0x1F) != 0) {
            throw ByteReader.corrupt("message flags " + flags);
        }
        String topic = in.readString();
        long expiresAt = (flags & HAS_EXPIRY) != 0 ? in.readLong() : 0;
        byte[] payload = in.readBytes();
        MessageProperties properties = (flags & HAS_PROPERTIES) != 0 ? readProperties(in) : MessageProperties.NONE;
        return new StoredMessage(topic, payload, qos, (flags & RETAIN) != 0, expiresAt, properties);
    }

    private static MessageProperties readProperties(ByteReader in) {
        int mask = in.readByte();
        Integer pfi = (mask & PFI) != 0 ? in.readVarInt() : null;
        String contentType = (mask & CONTENT_TYPE) != 0 ? in.readString() : null;
        String responseTopic = (mask & RESPONSE_TOPIC) != 0 ? in.readString() : null;
        byte[] correlation = (mask & CORRELATION) != 0 ? in.readBytes() : null;
        List<MessageProperties.UserProperty> users = List.of();
        if ((mask & USER_PROPERTIES) != 0) {
            int count = in.readVarInt();
            List<MessageProperties.UserProperty> read = new ArrayList<>(Math.min(count, 64));
            for (int i = 0; i < count; i++) {
                read.add(new MessageProperties.UserProperty(in.readString(), in.readString()));
            }
            users = read;
        }
        return new MessageProperties(pfi, contentType, responseTopic, correlation, users);
    }

    private static void checkVersion(ByteReader in) {
        int version = in.readByte();
        if (version != VERSION) {
            throw ByteReader.corrupt("unknown format version " + version);
        }
    }
}
