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
 * differ: in the device memory of any live allocation (hashed after every kernel launch,
 * memset and copy into device memory), in where allocations were placed, or in the call's
 * result. For tracking down nondeterministic kernels and emulator/GPU differences. Stateless.
 */
public final class ReplayComparison {

    /** The calls after which device memory is hashed: those that write it. */
    static final Set<Op> WRITES = Set.of(Op.LAUNCH_KERNEL, Op.MEMSET, Op.MEMCPY_HTOD, Op.MEMCPY_DTOD);

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
                if (WRITES.contains(call.op()) && !x.failed()) {
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
        return differing.isEmpty() ? null : "device memory differs in " + differing.size() + " allocation(s): "
                + String.join("; ", differing);
    }

    private static String describe(ReplayedCall c) {
        String s = "result " + ReplayedCall.statusName(c.outcome().result());
        if (c.outcome().replied()) {
            s += ", reply " + ReplayedCall.statusName(c.outcome().replyStatus());
        }
        return c.outcome().message() == null ? s : s + " (" + c.outcome().message() + ")";
    }
}
