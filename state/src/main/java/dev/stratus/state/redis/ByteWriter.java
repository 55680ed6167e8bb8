package dev.stratus.state.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array with the primitives of the value encoding: bytes, big-endian longs, varints, strings. */
final class ByteWriter {

    private byte[] bytes;
    private int length;

    ByteWriter(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    ByteWriter writeByte(int value) {
        ensure(1);
        bytes[length++] = (byte) value;
        return this;
    }

    ByteWriter writeShort(int value) {
        ensure(2);
        bytes[length++] = (byte) (value >>> 8);
        bytes[length++] = (byte) value;
        return this;
    }

    ByteWriter writeLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** An unsigned LEB128 varint of a non-negative int: 1 byte below 128, at most 5. */
    ByteWriter writeVarInt(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative varint " + value);
        }
        ensure(5);
        while ((value & ~0x7F) != 0) {
            bytes[length++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[length++] = (byte) value;
        return this;
    }

    /** A varint length, then the bytes. */
    ByteWriter writeBytes(byte[] value) {
        writeVarInt(value.length);
        return writeRaw(value);
    }

    ByteWriter writeString(String value) {
        return writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    ByteWriter writeRaw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, bytes, length, value.length);
        length += value.length;
        return this;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
