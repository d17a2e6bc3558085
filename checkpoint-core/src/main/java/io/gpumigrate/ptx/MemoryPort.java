package io.gpumigrate.ptx;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.device.emulator.DeviceAllocation;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A worker's view of memory while it runs a block: global and constant memory in the device
 * address space (with a one-entry cache of the last allocation touched), the block's shared
 * memory, the current warp's local memory and the kernel parameters. Every access is
 * bounds- and alignment-checked; a bad one throws a {@link KernelFault}.
 *
 * <p>Confined to one worker thread.
 */
final class MemoryPort {

    static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final DeviceAddressSpace memory;
    private DeviceAllocation cache;
    private long cacheBase = 1;
    private long cacheSize = -1;

    byte[] shared = new byte[0];
    int sharedSize;
    byte[] local = new byte[0];
    int localBytes;
    byte[] params = new byte[0];
    /** Who is running, for fault messages. */
    FaultContext context;

    MemoryPort(DeviceAddressSpace memory) {
        this.memory = memory;
    }

    /** Reads {@code size} bytes, zero-extended. */
    long load(int space, long addr, int size, int lane, Insn in) {
        if ((addr & (size - 1)) != 0) {
            throw misaligned(addr, size, lane, in, "read");
        }
        if (space == Space.GENERIC) {
            space = classify(addr);
            addr -= Space.window(space);
        }
        switch (space) {
            case Space.SHARED:
                checkShared(addr, size, lane, in, "read");
                return read(shared, (int) addr, size);
            case Space.LOCAL:
                checkLocal(addr, size, lane, in, "read");
                return read(local, lane * localBytes + (int) addr, size);
            case Space.KPARAM:
                if (addr < 0 || addr + size > params.length) {
                    throw fault(CuResult.ILLEGAL_ADDRESS, "read of " + size + " bytes at parameter offset " + addr
                            + " outside the " + params.length + "-byte parameter buffer", lane, in);
                }
                return read(params, (int) addr, size);
            default:
                long off = globalOffset(addr, size, lane, in, "read");
                MemorySegment chunk = cache.chunkIfPresent(off);
                if (chunk == null) {
                    return 0;
                }
                long at = off & (DeviceAllocation.CHUNK_SIZE - 1);
                return switch (size) {
                    case 1 -> chunk.get(ValueLayout.JAVA_BYTE, at) & 0xFFL;
                    case 2 -> chunk.get(ValueLayout.JAVA_SHORT_UNALIGNED, at) & 0xFFFFL;
                    case 4 -> chunk.get(ValueLayout.JAVA_INT_UNALIGNED, at) & 0xFFFF_FFFFL;
                    default -> chunk.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
                };
        }
    }

    /** A 4-byte global read, zero-extended; the fast path when the address is in the cached allocation. */
    long loadGlobal4(long addr, int lane, Insn in) {
        long off = addr - cacheBase;
        if (off >= 0 && off <= cacheSize - 4 && (addr & 3) == 0) {
            MemorySegment chunk = cache.chunkIfPresent(off);
            return chunk == null ? 0
                    : chunk.get(ValueLayout.JAVA_INT_UNALIGNED, off & (DeviceAllocation.CHUNK_SIZE - 1)) & 0xFFFF_FFFFL;
        }
        return load(Space.GLOBAL, addr, 4, lane, in);
    }

    void store(int space, long addr, int size, long value, int lane, Insn in) {
        if ((addr & (size - 1)) != 0) {
            throw misaligned(addr, size, lane, in, "write");
        }
        if (space == Space.GENERIC) {
            space = classify(addr);
            addr -= Space.window(space);
        }
        switch (space) {
            case Space.SHARED -> {
                checkShared(addr, size, lane, in, "write");
                write(shared, (int) addr, size, value);
            }
            case Space.LOCAL -> {
                checkLocal(addr, size, lane, in, "write");
                write(local, lane * localBytes + (int) addr, size, value);
            }
            case Space.KPARAM -> throw fault(CuResult.ILLEGAL_ADDRESS, "write to kernel parameter memory", lane, in);
            default -> {
                long off = globalOffset(addr, size, lane, in, "write");
                MemorySegment chunk = cache.chunkForWrite(off);
                long at = off & (DeviceAllocation.CHUNK_SIZE - 1);
                switch (size) {
                    case 1 -> chunk.set(ValueLayout.JAVA_BYTE, at, (byte) value);
                    case 2 -> chunk.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, (short) value);
                    case 4 -> chunk.set(ValueLayout.JAVA_INT_UNALIGNED, at, (int) value);
                    default -> chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, at, value);
                }
            }
        }
    }

    /** The space a generic address points into. */
    static int classify(long addr) {
        long tag = addr >>> 40;
        if (tag == (Space.SHARED_WINDOW >>> 40)) {
            return Space.SHARED;
        }
        if (tag == (Space.LOCAL_WINDOW >>> 40)) {
            return Space.LOCAL;
        }
        if (tag == (Space.KPARAM_WINDOW >>> 40)) {
            return Space.KPARAM;
        }
        return Space.GLOBAL;
    }

    /** For atomics on global memory: the chunk holding {@code addr}, created if needed; sets {@link #atOffset}. */
    MemorySegment globalChunk(long addr, int size, int lane, Insn in) {
        if ((addr & (size - 1)) != 0) {
            throw misaligned(addr, size, lane, in, "atomic access");
        }
        long off = globalOffset(addr, size, lane, in, "atomic access");
        atOffset = off & (DeviceAllocation.CHUNK_SIZE - 1);
        return cache.chunkForWrite(off);
    }

    long atOffset;

    /** Checks a shared access and returns its offset, for atomics on shared memory. */
    int sharedOffset(long addr, int size, int lane, Insn in) {
        if ((addr & (size - 1)) != 0) {
            throw misaligned(addr, size, lane, in, "atomic access");
        }
        checkShared(addr, size, lane, in, "atomic access");
        return (int) addr;
    }

    private long globalOffset(long addr, int size, int lane, Insn in, String what) {
        long off = addr - cacheBase;
        if (off >= 0 && off <= cacheSize - size) {
            return off;
        }
        DeviceAllocation a = memory.find(addr);
        if (a == null || !a.contains(addr, size)) {
            throw outside(addr, size, lane, in, what);
        }
        cache = a;
        cacheBase = a.base();
        cacheSize = a.size();
        return addr - cacheBase;
    }

    private void checkShared(long addr, int size, int lane, Insn in, String what) {
        if (addr < 0 || addr > sharedSize - size) {
            throw fault(CuResult.ILLEGAL_ADDRESS, what + " of " + size + " bytes at shared offset " + addr
                    + " outside the block's " + sharedSize + " bytes of shared memory", lane, in);
        }
    }

    private void checkLocal(long addr, int size, int lane, Insn in, String what) {
        if (addr < 0 || addr > localBytes - size) {
            throw fault(CuResult.ILLEGAL_ADDRESS, what + " of " + size + " bytes at local offset " + addr
                    + " outside the thread's " + localBytes + " bytes of local memory", lane, in);
        }
    }

    static long read(byte[] mem, int at, int size) {
        return switch (size) {
            case 1 -> mem[at] & 0xFFL;
            case 2 -> (short) SHORT.get(mem, at) & 0xFFFFL;
            case 4 -> (int) INT.get(mem, at) & 0xFFFF_FFFFL;
            default -> (long) LONG.get(mem, at);
        };
    }

    static void write(byte[] mem, int at, int size, long value) {
        switch (size) {
            case 1 -> mem[at] = (byte) value;
            case 2 -> SHORT.set(mem, at, (short) value);
            case 4 -> INT.set(mem, at, (int) value);
            default -> LONG.set(mem, at, value);
        }
    }

    private KernelFault outside(long addr, int size, int lane, Insn in, String what) {
        String where = memory.find(addr) == null ? " is outside any allocation" : " runs past the end of "
                + memory.find(addr);
        DeviceAllocation near = memory.nearest(addr);
        String hint = "";
        if (near != null && memory.find(addr) == null) {
            long distance = addr >= near.end() ? addr - near.end() : near.base() - addr;
            hint = " (nearest: " + near + ", " + distance + " bytes " + (addr >= near.end() ? "past its end" : "before it")
                    + ")";
        }
        return fault(CuResult.ILLEGAL_ADDRESS, what + " of " + size + " bytes at 0x" + Long.toHexString(addr) + where
                + hint, lane, in);
    }

    /**
     * The fault of an access whose address is not a multiple of its size (a whole vector's size
     * for {@code ld.v2}/{@code ld.v4}), as the hardware requires.
     */
    KernelFault misaligned(long addr, int size, int lane, Insn in, String what) {
        return fault(CuResult.MISALIGNED_ADDRESS, what + " of " + size + " bytes at misaligned address 0x"
                + Long.toHexString(addr) + " (must be a multiple of " + size + ")", lane, in);
    }

    KernelFault fault(int result, String what, int lane, Insn in) {
        return new KernelFault(result, context.describe(lane, in) + ": " + what);
    }
}
