package io.gpumigrate.replay.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian reads and writes on byte arrays, without bounds beyond the array's own. */
public final class LittleEndian {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    public static void putU16(byte[] a, int at, int v) {
        SHORT.set(a, at, (short) v);
    }

    public static void putI32(byte[] a, int at, int v) {
        INT.set(a, at, v);
    }

    public static void putI64(byte[] a, int at, long v) {
        LONG.set(a, at, v);
    }

    public static int u16(byte[] a, int at) {
        return Short.toUnsignedInt((short) SHORT.get(a, at));
    }

    public static int i32(byte[] a, int at) {
        return (int) INT.get(a, at);
    }

    public static long u32(byte[] a, int at) {
        return Integer.toUnsignedLong((int) INT.get(a, at));
    }

    public static long i64(byte[] a, int at) {
        return (long) LONG.get(a, at);
    }
}
