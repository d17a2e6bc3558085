package io.gpumigrate.worker.replay;

import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.protocol.Frame;
import io.gpumigrate.protocol.Op;
import io.gpumigrate.replay.LogEntry;
import io.gpumigrate.replay.LogGap;
import io.gpumigrate.replay.LoggedCall;
import io.gpumigrate.replay.read.LogReader;
import io.gpumigrate.replay.read.SessionLog;
import io.gpumigrate.worker.OfflineSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;

/**
 * Re-executes a session's replay log, call by call, on a device backend, through the worker's
 * own dispatch ({@link OfflineSession}): without the original program and without a network.
 * The same calls in the same order give the same handles (a session numbers them in order).
 * Allocations are placed where the recording had them when the log holds their addresses (logs
 * written since format 1.1), so a GPU's log replays on the emulator at the GPU's addresses;
 * older logs rely on the same backend placing the same sizes in the same order the same way.
 * Module globals are shown at the addresses the recorded client was given when the log holds
 * them (MODULE_GET_GLOBAL results): wherever the device replayed on puts a global, the log's
 * copies, memsets and launch parameters that name its recorded address reach it
 * ({@link io.gpumigrate.worker.GlobalAddressMap}). Older logs see globals where this device puts them.
 *
 * <p>Replay stops after the call {@code until}, at the log's end, or before GOODBYE (the
 * device is kept so that its memory can still be read). A gap in the log (calls the writer
 * could not keep up with) ends the replay with a {@link ReplayException}.
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class LogReplayer implements AutoCloseable {

    private final SessionLog log;
    private final LogReader reader;
    private final OfflineSession session;
    private final PlacingBackend placement;
    private final long until;
    private final AllocationTracker allocations = new AllocationTracker();
    private long lastSeq;
    private long calls;
    private boolean done;

    /**
     * @param backend the device to replay on; owned by the replayer from now on
     * @param until   the last sequence number to replay ({@code Long.MAX_VALUE}: all)
     */
    public LogReplayer(SessionLog log, DeviceBackend backend, long until) {
        this.log = log;
        this.reader = log.reader(1, Long.MAX_VALUE, true);
        this.placement = new PlacingBackend(backend);
        this.session = new OfflineSession(placement);
        this.until = until;
    }

    public SessionLog log() {
        return log;
    }

    /**
     * The device replayed on, as the recorded client saw it: allocations where the device put
     * them (the recorded addresses, where it could), module globals at the addresses the log
     * gave the client. Read memory through it by the addresses the log and
     * {@link #allocations()} hold.
     */
    public DeviceBackend backend() {
        return session.clientView();
    }

    public AllocationTracker allocations() {
        return allocations;
    }

    /** The sequence number of the last call replayed (0 before the first). */
    public long lastSeq() {
        return lastSeq;
    }

    /** How many calls were replayed. */
    public long calls() {
        return calls;
    }

    /**
     * Replays the next call.
     *
     * @return the call and what it did, or {@code null} when the replay is over
     * @throws ReplayException at a gap in the log
     */
    public ReplayedCall next() throws IOException, ReplayException {
        if (done) {
            return null;
        }
        LogEntry entry = reader.next();
        if (entry == null || Long.compareUnsigned(entry.firstSeq(), until) > 0) {
            done = true;
            return null;
        }
        if (entry instanceof LogGap gap) {
            done = true;
            throw new ReplayException("calls " + gap.firstSeq() + ".." + gap.lastSeq() + " are not in this log (the log"
                    + " writer fell behind, or a migrated session's log did not come along); the log can be replayed only up to seq " + (gap.firstSeq() - 1));
        }
        LoggedCall call = (LoggedCall) entry;
        if (call.op() == Op.GOODBYE) {
            done = true;
            return null;
        }
        boolean allocates = call.op() == Op.MEM_ALLOC || call.op() == Op.MEM_ALLOC_PITCH;
        if (allocates && call.results().length >= 8) {
            placement.placeNextAt(java.nio.ByteBuffer.wrap(call.results()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0));
        }
        if (call.op() == Op.MODULE_GET_GLOBAL && call.results().length >= 8) {
            session.globals().expectNextAt(java.nio.ByteBuffer.wrap(call.results())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0));
        }
        ByteBuf body = Unpooled.directBuffer(call.body().length).writeBytes(call.body());
        OfflineSession.Outcome outcome;
        try {
            outcome = session.execute(new Frame(call.opCode(), call.flags(), call.seq(), body));
        } finally {
            session.globals().expectNextAt(0);
        }
        allocations.note(call, outcome);
        lastSeq = call.seq();
        calls++;
        return new ReplayedCall(call, outcome);
    }

    /**
     * The allocation {@code spec} names (see {@link AllocationTracker#find}); a hex address in no
     * allocation of the session's own is looked up on the device too, which finds module globals
     * (returned with ordinal 0).
     *
     * @throws IllegalArgumentException naming the spec and what exists
     */
    public Allocation resolve(String spec) {
        try {
            return allocations.find(spec);
        } catch (IllegalArgumentException notOurs) {
            String s = spec.strip();
            if (s.startsWith("#")) {
                throw notOurs;
            }
            try {
                long address = Long.parseUnsignedLong(s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s, 16);
                io.gpumigrate.device.AddressRange range = session.clientView().addressRange(address);
                return new Allocation(0, range.base(), range.size(), 0, 0);
            } catch (NumberFormatException | io.gpumigrate.device.CudaException e) {
                throw notOurs;
            }
        }
    }

    /** Whether replay reached {@code until}, or the end of the log when no limit was given. */
    public boolean reached(long seq) {
        return Long.compareUnsigned(lastSeq, seq) >= 0;
    }

    /** Closes the log reader and releases the device. */
    @Override
    public void close() throws IOException {
        try {
            reader.close();
        } finally {
            session.close();
        }
    }
}
