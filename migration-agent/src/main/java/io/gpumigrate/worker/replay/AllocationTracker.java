package io.gpumigrate.worker.replay;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.worker.OfflineSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.protocol.BodyReader;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The allocations of a replayed session, in the order they were made, learned from the
 * replies to MEM_ALLOC and MEM_ALLOC_PITCH and from MEM_FREE calls; and the module globals it
 * looked up (MODULE_GET_GLOBAL, forgotten at MODULE_UNLOAD), whose addresses the device chose.
 * Not thread-safe.
 */
public final class AllocationTracker {

    private final List<Allocation> all = new ArrayList<>();
    private final Map<String, ModuleGlobal> globals = new LinkedHashMap<>();

    /** Notes what {@code call} did to the allocations, given its replayed outcome. */
    void note(LoggedCall call, OfflineSession.Outcome outcome) {
        Op op = call.op();
        if (outcome.result() != CuResult.SUCCESS || op == null) {
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(call.body()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.wrap(outcome.results()).order(ByteOrder.LITTLE_ENDIAN);
        switch (op) {
            case MEM_ALLOC -> {
                if (outcome.results().length >= 8) {
                    add(out.getLong(0), in.getLong(0), call.seq());
                }
            }
            case MEM_ALLOC_PITCH -> {
                if (outcome.results().length >= 16) {
                    add(out.getLong(0), out.getLong(8) * in.getLong(8), call.seq());
                }
            }
            case MODULE_GET_GLOBAL -> {
                if (outcome.results().length >= 16) {
                    ModuleGlobal g = new ModuleGlobal(in.getLong(0), globalName(call.body()), out.getLong(0), out.getLong(8));
                    globals.putIfAbsent(g.module() + "/" + g.name(), g);
                }
            }
            case MODULE_UNLOAD -> {
                long module = in.getLong(0);
                globals.values().removeIf(g -> g.module() == module);
            }
            case MEM_FREE -> {
                long base = in.getLong(0);
                for (int i = all.size() - 1; i >= 0; i--) {
                    Allocation a = all.get(i);
                    if (a.live() && a.base() == base) {
                        all.set(i, a.freedAt(call.seq()));
                        break;
                    }
                }
            }
            default -> {
            }
        }
    }

    /** The name in a MODULE_GET_GLOBAL body: {@code u64 module, str name} (u32 length, UTF-8). */
    private static String globalName(byte[] body) {
        try {
            BodyReader reader = new BodyReader(Unpooled.wrappedBuffer(body), Op.MODULE_GET_GLOBAL);
            reader.u64();
            return reader.str();
        } catch (CudaException e) {
            return "?";
        }
    }

    private void add(long base, long bytes, long seq) {
        all.add(new Allocation(all.size() + 1, base, bytes, seq, 0));
    }

    /** Every allocation made so far, freed ones included, in order. */
    public List<Allocation> all() {
        return List.copyOf(all);
    }

    /** The module globals looked up and not unloaded since, in the order they were first looked up. */
    public List<ModuleGlobal> globals() {
        return List.copyOf(globals.values());
    }

    /** The live allocations, in the order they were made. */
    public List<Allocation> live() {
        return all.stream().filter(Allocation::live).toList();
    }

    /**
     * The allocation {@code spec} names: {@code #N} (the N-th allocation, from 1) or a device
     * address in hex ({@code 0x...} or bare digits) inside a live allocation.
     *
     * @throws IllegalArgumentException naming the spec and what exists
     */
    public Allocation find(String spec) {
        String s = spec.strip();
        if (s.startsWith("#")) {
            int n;
            try {
                n = Integer.parseInt(s.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("allocation '" + spec + "' is not #N with N a number");
            }
            if (n < 1 || n > all.size()) {
                throw new IllegalArgumentException("allocation " + s + " outside #1..#" + all.size()
                        + ": the replayed calls made " + all.size() + " allocations");
            }
            Allocation a = all.get(n - 1);
            if (!a.live()) {
                throw new IllegalArgumentException("allocation " + a + " no longer exists at that point");
            }
            return a;
        }
        long address;
        try {
            address = Long.parseUnsignedLong(s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("allocation '" + spec + "' is neither #N nor a hex device address");
        }
        for (Allocation a : live()) {
            if (Long.compareUnsigned(address, a.base()) >= 0 && Long.compareUnsigned(address - a.base(), a.bytes()) < 0) {
                return a;
            }
        }
        throw new IllegalArgumentException("device address 0x" + Long.toHexString(address)
                + " is in no live allocation; live: " + live());
    }
}
