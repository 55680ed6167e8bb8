package dev.stratus.ingress.transport;

import dev.stratus.ingress.transport.PropertyRules.Place;
import dev.stratus.ingress.transport.PropertyRules.Problem;
import io.netty.buffer.ByteBuf;

/**
 * Checks, on complete raw packets, what Netty's MQTT decoder does not: the fields a CONNECT's flags announce
 * must be present (the decoder would wait for them and then read the next packet), a SUBSCRIBE's filters must
 * fit the packet, on MQTT 3.1.1 the reserved bits 2-7 of each requested QoS byte must be 0 [MQTT-3.8.3-4] (the
 * decoder drops bits 6-7), and on MQTT 5 the properties of every packet must be valid for its type and not
 * repeated ({@link PropertyRules}), and the reserved bits 6-7 of the subscription options must be 0
 * [MQTT5-3.8.3-5]. One instance per connection; called by {@link PacketFramer}.
 */
final class PacketInspector {

    /** Whether the first packet (the CONNECT) has been seen, and the protocol level it asked for. */
    private boolean connectSeen;
    private int level;

    /** Whether the connection asked for MQTT 5 in its CONNECT. */
    boolean mqtt5() {
        return level == 5;
    }

    /**
     * Looks at a complete packet. Cheap for MQTT 3.1.1: only the CONNECT (once) and SUBSCRIBE packets are read
     * beyond their first byte; on MQTT 5 the properties of each packet are walked once.
     *
     * @return why the packet is malformed, or null
     */
    Problem inspect(ByteBuf in, int at, int size) {
        int type = in.getUnsignedByte(at) >> 4;
        int body = bodyStart(in, at);
        int end = at + size;
        if (!connectSeen) {
            connectSeen = true;
            return type == 1 ? inspectConnect(in, body, end) : null;
        }
        if (level == 5) {
            return inspect5(in, type, in.getUnsignedByte(at), body, end);
        }
        return type == 8 ? inspectSubscribe(in, body + 2, end) : null;
    }

    private Problem inspect5(ByteBuf in, int type, int firstByte, int body, int end) {
        switch (type) {
            case 3 -> { // PUBLISH: topic, packet id for QoS 1/2, properties
                int pos = fieldEnd(in, body, end);
                if (pos >= 0 && ((firstByte >> 1) & 3) > 0) {
                    pos += 2;
                }
                return pos < 0 || pos > end ? Problem.malformed("PUBLISH too short for its variable header")
                        : properties(in, pos, end, Place.PUBLISH);
            }
            case 4, 5, 6, 7 -> { // PUBACK..PUBCOMP: packet id [, reason code [, properties]]
                return end - body > 3 ? properties(in, body + 3, end, Place.ACK) : null;
            }
            case 8 -> {
                if (body + 2 > end) {
                    return Problem.malformed("SUBSCRIBE without packet identifier");
                }
                PropertyRules.Result r = PropertyRules.check(in, body + 2, end, Place.SUBSCRIBE);
                return r.problem() != null ? r.problem() : inspectSubscribe(in, r.end(), end);
            }
            case 10 -> {
                return body + 2 > end ? Problem.malformed("UNSUBSCRIBE without packet identifier")
                        : properties(in, body + 2, end, Place.UNSUBSCRIBE);
            }
            case 14 -> {
                return end - body > 1 ? properties(in, body + 1, end, Place.DISCONNECT) : null;
            }
            case 15 -> {
                return end - body > 1 ? properties(in, body + 1, end, Place.AUTH) : null;
            }
            default -> {
                return null;
            }
        }
    }

    private static Problem properties(ByteBuf in, int pos, int end, Place place) {
        return PropertyRules.check(in, pos, end, place).problem();
    }

    /** The topic filters and their option bytes from {@code pos} to {@code end}. */
    private Problem inspectSubscribe(ByteBuf in, int pos, int end) {
        if (pos > end) {
            return Problem.malformed("SUBSCRIBE without packet identifier");
        }
        while (pos < end) {
            pos = fieldEnd(in, pos, end);
            if (pos < 0 || pos >= end) {
                return Problem.malformed("SUBSCRIBE topic filter or requested QoS runs past the end of the packet");
            }
            int options = in.getUnsignedByte(pos);
            if (level == 4 && (options & 0xFC) != 0) {
                // [MQTT-3.8.3-4] reserved bits 2-7 of the requested QoS byte must be 0
                return Problem.malformed("SUBSCRIBE with reserved bits set in a requested QoS byte");
            }
            if (level == 5 && (options & 0xC0) != 0) {
                // [MQTT5-3.8.3-5] reserved bits 6-7 of the subscription options must be 0
                return Problem.malformed("SUBSCRIBE with reserved bits set in the subscription options");
            }
            if (level == 5 && ((options >> 4) & 3) == 3) {
                return new Problem(dev.stratus.ingress.codec.ReasonCodes.PROTOCOL_ERROR,
                        "SUBSCRIBE with Retain Handling 3");
            }
            pos++;
        }
        return null;
    }

    /** Notes the protocol level; checks that the payload holds the fields the connect flags announce. */
    private Problem inspectConnect(ByteBuf in, int body, int end) {
        int pos = fieldEnd(in, body, end); // protocol name
        if (pos < 0 || pos + 4 > end) {
            return Problem.malformed("CONNECT too short for its variable header");
        }
        level = in.getUnsignedByte(pos);
        int flags = in.getUnsignedByte(pos + 1);
        if (level != 3 && level != 4 && level != 5) {
            return null; // the broker refuses other levels with CONNACK 0x01
        }
        pos += 4; // level, flags, keep alive
        if (level == 5) {
            PropertyRules.Result r = PropertyRules.check(in, pos, end, Place.CONNECT);
            if (r.problem() != null) {
                return r.problem();
            }
            pos = r.end();
        }
        pos = fieldEnd(in, pos, end); // client identifier [MQTT-3.1.3-3]
        if (pos >= 0 && (flags & 0x04) != 0) {
            if (level == 5) {
                PropertyRules.Result r = PropertyRules.check(in, pos, end, Place.WILL);
                if (r.problem() != null) {
                    return r.problem();
                }
                pos = r.end();
            }
            pos = fieldEnd(in, fieldEnd(in, pos, end), end); // will topic, will message [MQTT-3.1.2-9]
        }
        if (pos >= 0 && (flags & 0x80) != 0) {
            pos = fieldEnd(in, pos, end); // user name [MQTT-3.1.2-19]
        }
        if (pos >= 0 && (flags & 0x40) != 0) {
            pos = fieldEnd(in, pos, end); // password [MQTT-3.1.2-21]
        }
        return pos < 0 ? Problem.malformed("CONNECT payload lacks fields its flags announce") : null;
    }

    /** The end of the two-byte-length-prefixed field at {@code pos}, or -1 when it does not fit before {@code end}. */
    private static int fieldEnd(ByteBuf in, int pos, int end) {
        if (pos < 0 || pos + 2 > end) {
            return -1;
        }
        int fieldEnd = pos + 2 + in.getUnsignedShort(pos);
        return fieldEnd <= end ? fieldEnd : -1;
    }

    /** Where the variable header of the complete packet at {@code at} starts (after its Remaining Length). */
    private static int bodyStart(ByteBuf in, int at) {
        int i = at + 1;
        while ((in.getByte(i) & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }
}
