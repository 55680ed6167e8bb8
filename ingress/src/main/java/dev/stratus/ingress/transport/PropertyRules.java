package dev.stratus.ingress.transport;

import dev.stratus.ingress.codec.ReasonCodes;
import io.netty.buffer.ByteBuf;

/**
 * Checks the raw properties of an MQTT 5 packet before Netty's decoder turns them into a map, where what is wrong
 * can no longer be seen: an identifier not valid for the packet type, or a value running past the properties, is
 * a Malformed Packet (section 2.2.2.2); a property other than User Property given twice is a Protocol Error.
 * Subscription Identifier may repeat only in a PUBLISH, and only the server sends those [MQTT5-3.3.4-6].
 */
final class PropertyRules {

    /** Where a set of properties occurs; each names the identifiers allowed there (a bit per id). */
    enum Place {
        CONNECT(0x11, 0x15, 0x16, 0x17, 0x19, 0x21, 0x22, 0x26, 0x27),
        WILL(0x01, 0x02, 0x03, 0x08, 0x09, 0x18, 0x26),
        PUBLISH(0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x23, 0x26),
        ACK(0x1F, 0x26),
        SUBSCRIBE(0x0B, 0x26),
        UNSUBSCRIBE(0x26),
        DISCONNECT(0x11, 0x1C, 0x1F, 0x26),
        AUTH(0x15, 0x16, 0x1F, 0x26);

        final long allowed;

        Place(int... ids) {
            long bits = 0;
            for (int id : ids) {
                bits |= 1L << id;
            }
            this.allowed = bits;
        }
    }

    /** @see #check */
    record Result(int end, Problem problem) {
    }

    /** A packet the broker refuses before decoding it: the MQTT 5 reason code and what was wrong. */
    record Problem(int reasonCode, String why) {
        static Problem malformed(String why) {
            return new Problem(ReasonCodes.MALFORMED_PACKET, why);
        }
    }

    private static final int USER_PROPERTY = 0x26;
    private static final int SUBSCRIPTION_IDENTIFIER = 0x0B;

    private PropertyRules() {
    }

    /**
     * Checks the properties that start at {@code pos} (with their Property Length) and end before {@code end}.
     *
     * @return where the properties end and null, or a problem
     */
    static Result check(ByteBuf in, int pos, int end, Place place) {
        long lengthAndSize = readVbi(in, pos, end);
        if (lengthAndSize < 0) {
            return new Result(-1, Problem.malformed("Property Length malformed or past the end of the " + place));
        }
        int length = (int) (lengthAndSize >>> 8);
        int p = pos + (int) (lengthAndSize & 0xFF);
        int propertiesEnd = p + length;
        if (propertiesEnd > end) {
            return new Result(-1, Problem.malformed("properties run past the end of the " + place));
        }
        long seen = 0;
        while (p < propertiesEnd) {
            long idAndSize = readVbi(in, p, propertiesEnd);
            if (idAndSize < 0) {
                return new Result(-1, Problem.malformed("property identifier malformed in " + place));
            }
            int id = (int) (idAndSize >>> 8);
            p += (int) (idAndSize & 0xFF);
            if (id >= 64 || (place.allowed & (1L << id)) == 0) {
                return new Result(-1, Problem.malformed("property 0x" + Integer.toHexString(id) + " not valid in " + place));
            }
            if (id != USER_PROPERTY && (seen & (1L << id)) != 0
                    && !(id == SUBSCRIPTION_IDENTIFIER && place == Place.PUBLISH)) {
                return new Result(-1, new Problem(ReasonCodes.PROTOCOL_ERROR,
                        "property 0x" + Integer.toHexString(id) + " given twice in " + place));
            }
            seen |= 1L << id;
            p = skipValue(in, id, p, propertiesEnd);
            if (p < 0) {
                return new Result(-1, Problem.malformed("property 0x" + Integer.toHexString(id)
                        + " runs past the end of the properties of " + place));
            }
        }
        return new Result(propertiesEnd, null);
    }

    /** @return the position after the value of property {@code id} at {@code p}, or -1 when it does not fit */
    private static int skipValue(ByteBuf in, int id, int p, int end) {
        int next;
        switch (id) {
            case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> next = p + 1;
            case 0x13, 0x21, 0x22, 0x23 -> next = p + 2;
            case 0x02, 0x11, 0x18, 0x27 -> next = p + 4;
            case 0x0B -> {
                long v = readVbi(in, p, end);
                next = v < 0 ? -1 : p + (int) (v & 0xFF);
            }
            case 0x26 -> next = field(in, field(in, p, end), end);
            default -> next = field(in, p, end); // strings and binary data: two-byte length prefix
        }
        return next <= end ? next : -1;
    }

    private static int field(ByteBuf in, int p, int end) {
        if (p < 0 || p + 2 > end) {
            return -1;
        }
        int next = p + 2 + in.getUnsignedShort(p);
        return next <= end ? next : -1;
    }

    /**
     * Reads a Variable Byte Integer (section 1.5.5) at {@code p}.
     *
     * @return {@code value << 8 | bytes}, or -1 when it is longer than four bytes or runs past {@code end}
     */
    static long readVbi(ByteBuf in, int p, int end) {
        long value = 0;
        int multiplier = 1;
        for (int i = 0; i < 4; i++) {
            if (p + i >= end) {
                return -1;
            }
            int digit = in.getUnsignedByte(p + i);
            value += (long) (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                return value << 8 | (i + 1);
            }
            multiplier *= 128;
        }
        return -1;
    }
}
