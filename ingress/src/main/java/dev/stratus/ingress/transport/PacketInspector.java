package dev.stratus.ingress.transport;

import io.netty.buffer.ByteBuf;

/**
 * Checks, on complete raw packets, what Netty's MQTT decoder does not: the fields a CONNECT's flags announce
 * must be present (the decoder would wait for them and then read the next packet), a SUBSCRIBE's filters must
 * fit the packet, and on MQTT 3.1.1 the reserved bits 2-7 of each requested QoS byte must be 0 [MQTT-3.8.3-4]
 * (the decoder drops bits 6-7). One instance per connection; called by {@link PacketFramer}.
 */
final class PacketInspector {

    /** Whether the first packet (the CONNECT) has been seen, and whether it asked for MQTT 3.1.1. */
    private boolean connectSeen;
    private boolean mqtt311;

    /**
     * Looks at a complete packet; cheap: only the CONNECT (once) and SUBSCRIBE packets are read beyond their first
     * byte.
     * <ul>
     *   <li>CONNECT: the fields its flags announce must be in the payload [MQTT-3.1.3-1], [MQTT-3.1.4-1]. Netty's
     *       decoder would wait for the missing bytes (until the connect timeout) and then read them from the next
     *       packet. Its protocol level says whether the connection speaks MQTT 3.1.1;</li>
     *   <li>SUBSCRIBE: each topic filter and its requested QoS byte must be in the packet; on MQTT 3.1.1, reserved
     *       bits 2-7 of the requested QoS byte must be 0 [MQTT-3.8.3-4].</li>
     * </ul>
     *
     * @return why the packet is malformed, or null
     */
    String inspect(ByteBuf in, int at, int size) {
        int type = in.getUnsignedByte(at) >> 4;
        int body = bodyStart(in, at);
        int end = at + size;
        if (!connectSeen) {
            connectSeen = true;
            return type == 1 ? inspectConnect(in, body, end) : null;
        }
        if (type != 8) {
            return null;
        }
        int pos = body + 2; // after the packet identifier
        if (pos > end) {
            return "SUBSCRIBE without packet identifier";
        }
        while (pos < end) {
            pos = fieldEnd(in, pos, end);
            if (pos < 0 || pos >= end) {
                return "SUBSCRIBE topic filter or requested QoS runs past the end of the packet";
            }
            if (mqtt311 && (in.getUnsignedByte(pos) & 0xFC) != 0) {
                // [MQTT-3.8.3-4] reserved bits 2-7 of the requested QoS byte must be 0
                return "SUBSCRIBE with reserved bits set in a requested QoS byte";
            }
            pos++;
        }
        return null;
    }

    /** Notes the protocol level; checks that the payload holds the fields the connect flags announce. */
    private String inspectConnect(ByteBuf in, int body, int end) {
        int pos = fieldEnd(in, body, end); // protocol name
        if (pos < 0 || pos + 4 > end) {
            return "CONNECT too short for its variable header";
        }
        int level = in.getUnsignedByte(pos);
        int flags = in.getUnsignedByte(pos + 1);
        mqtt311 = level == 4;
        if (level != 3 && level != 4) {
            return null; // MQTT 5 has properties here; other levels are refused by the broker
        }
        pos = fieldEnd(in, pos + 4, end); // client identifier [MQTT-3.1.3-3]
        if (pos >= 0 && (flags & 0x04) != 0) {
            pos = fieldEnd(in, fieldEnd(in, pos, end), end); // will topic, will message [MQTT-3.1.2-9]
        }
        if (pos >= 0 && (flags & 0x80) != 0) {
            pos = fieldEnd(in, pos, end); // user name [MQTT-3.1.2-19]
        }
        if (pos >= 0 && (flags & 0x40) != 0) {
            pos = fieldEnd(in, pos, end); // password [MQTT-3.1.2-21]
        }
        return pos < 0 ? "CONNECT payload lacks fields its flags announce" : null;
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
