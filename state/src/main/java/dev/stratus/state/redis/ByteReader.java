package dev.stratus.state.redis;

import dev.stratus.state.StateStoreException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link ByteWriter} wrote; any inconsistency (truncated, overlong) fails with a clear exception. */
final class ByteReader {

    private final byte[] bytes;
    private int position;

    ByteReader(byte[] bytes, int offset) {
        this.bytes = bytes;
        this.position = offset;
    }

    int readByte() {
        need(1);
        return bytes[position++] & 0xFF;
    }

    int readShort() {
        need(2);
        int value = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
        position += 2;
        return value;
    }

    long readLong() {
        need(8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    int readVarInt() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = readByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    throw corrupt("varint out of range");
                }
                return value;
            }
        }
        throw corrupt("varint longer than 5 bytes");
    }

    byte[] readBytes() {
        int length = readVarInt();
        need(length);
        byte[] value = Arrays.copyOfRange(bytes, position, position + length);
        position += length;
        return value;
    }

    String readString() {
        int length = readVarInt();
        need(length);
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    int position() {
        return position;
    }

    void expectEnd() {
        if (position != bytes.length) {
            throw corrupt((bytes.length - position) + " trailing bytes");
        }
    }

    private void need(int count) {
        if (count < 0 || bytes.length - position < count) {
            throw corrupt("truncated value");
        }
    }

    static StateStoreException corrupt(String detail) {
        return new StateStoreException("corrupt value in the store: " + detail);
    }
}
