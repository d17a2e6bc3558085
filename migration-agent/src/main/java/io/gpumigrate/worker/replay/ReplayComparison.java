package io.gpumigrate.worker.replay;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.SessionLog;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Replays one log on two backends side by side and finds the first call after which they
 * differ: in the device memory of any live allocation or module global looked up (hashed
 * after every kernel launch, memset, copy into device memory and global lookup; globals are matched by module
 * and name, since each device places them itself), in where allocations were placed, or in the
 * call's result. For tracking down nondeterministic kernels and emulator/GPU differences. Stateless.
 */
public final class ReplayComparison {

    /**
     * The calls after which device memory is hashed: those that write it, and the lookup of a
     * module global (kernels may have written it before anyone looked it up).
     */
    static final Set<Op> COMPARED_AFTER = Set.of(Op.LAUNCH_KERNEL, Op.MEMSET, Op.MEMCPY_HTOD, Op.MEMCPY_DTOD,
            Op.MODULE_GET_GLOBAL);

    /**
     * The first difference, or agreement.
     *
     * @param call       the first call after which the two differ, as recorded ({@code null}: they agree)
     * @param what       how they differ (which allocations, which results)
     * @param calls      calls replayed on each
     * @param comparisons memory comparisons made
     */
    public record Result(LoggedCall call, String what, long calls, long comparisons) {

        public boolean agree() {
            return call == null;
        }
    }

    private ReplayComparison() {
    }

    /** Takes ownership of both backends. */
    public static Result run(SessionLog log, DeviceBackend a, DeviceBackend b, long until)
            throws IOException, ReplayException, CudaException {
        try (LogReplayer left = new LogReplayer(log, a, until); LogReplayer right = new LogReplayer(log, b, until)) {
            long comparisons = 0;
            while (true) {
                ReplayedCall x = left.next();
                ReplayedCall y = right.next();
                if (x == null || y == null) {
                    return new Result(null, null, left.calls(), comparisons);
                }
                LoggedCall call = x.call();
                if (x.outcome().result() != y.outcome().result() || x.outcome().replyStatus() != y.outcome().replyStatus()) {
                    return new Result(call, "results differ: A " + describe(x) + ", B " + describe(y),
                            left.calls(), comparisons);
                }
                if (!left.allocations().live().equals(right.allocations().live())) {
                    return new Result(call, "allocations differ: A " + left.allocations().live()
                            + ", B " + right.allocations().live(), left.calls(), comparisons);
                }
                if (COMPARED_AFTER.contains(call.op()) && !x.failed()) {
                    comparisons++;
                    String difference = memoryDifference(left, right);
                    if (difference != null) {
                        return new Result(call, difference, left.calls(), comparisons);
                    }
                }
            }
        }
    }

    private static String memoryDifference(LogReplayer left, LogReplayer right) throws CudaException {
        List<DeviceMemoryReader.AllocationHash> ha = DeviceMemoryReader.hashLive(left.backend(), left.allocations());
        List<DeviceMemoryReader.AllocationHash> hb = DeviceMemoryReader.hashLive(right.backend(), right.allocations());
        List<String> differing = new ArrayList<>();
        for (int i = 0; i < ha.size(); i++) {
            if (ha.get(i).hash() != hb.get(i).hash()) {
                differing.add(ha.get(i).allocation() + String.format(": xxh64 %016x vs %016x",
                        ha.get(i).hash(), hb.get(i).hash()));
            }
        }
        List<ModuleGlobal> globals = left.allocations().globals();
        List<ModuleGlobal> others = right.allocations().globals();
        if (!shape(globals).equals(shape(others))) {
            return "module globals differ: A " + globals + ", B " + others;
        }
        long[] ga = DeviceMemoryReader.hashGlobals(left.backend(), left.allocations());
        long[] gb = DeviceMemoryReader.hashGlobals(right.backend(), right.allocations());
        for (int i = 0; i < ga.length; i++) {
            if (ga[i] != gb[i]) {
                differing.add(globals.get(i) + String.format(" at 0x%x / 0x%x: xxh64 %016x vs %016x",
                        globals.get(i).base(), others.get(i).base(), ga[i], gb[i]));
            }
        }
        return differing.isEmpty() ? null : "device memory differs in " + differing.size() + " range(s): "
                + String.join("; ", differing);
    }

    /** What two replays must agree on for a global: module, name and size, not the address. */
    private static List<String> shape(List<ModuleGlobal> globals) {
        return globals.stream().map(g -> g.module() + "/" + g.name() + "/" + g.bytes()).toList();
    }

    private static String describe(ReplayedCall c) {
        String s = "result " + ReplayedCall.statusName(c.outcome().result());
        if (c.outcome().replied()) {
            s += ", reply " + ReplayedCall.statusName(c.outcome().replyStatus());
        }
        return c.outcome().message() == null ? s : s + " (" + c.outcome().message() + ")";
    }
}
