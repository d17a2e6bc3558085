package io.gpumigrate.worker;

import io.gpumigrate.checkpoint.SessionImage;
import io.gpumigrate.device.AddressRange;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.device.DeviceModule;
import io.gpumigrate.device.emulator.DeviceAddressSpace;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Turns a paused session into a {@link SessionImage} and back. Export reads the ledger, the
 * handle counter, the errors and the allocations; restore, on a fresh worker whose
 * allocations are already placed with their contents, makes every object again through the
 * ordinary call handlers, each under the handle value it had ({@link HandleTable#assignNext}),
 * so the client goes on using the handles it holds. Module globals are seen again at the
 * addresses the image recorded (what the client saw). A module whose globals the device placed
 * in a block of its own ({@link DeviceBackend#moduleGlobals}) is loaded with its block at the
 * same address and the block's saved contents, so every global keeps its address and its value,
 * looked up or not; for any other module, the globals the client looked up get their contents
 * back wherever this device put them ({@link GlobalAddressMap}); an export records those same
 * visible addresses, so the mapping survives any number of moves.
 *
 * <p>Not thread-safe: session executor only, with the session paused (export) or not yet
 * serving a client (restore).
 */
final class SessionSnapshot {

    private static final Logger log = LoggerFactory.getLogger(SessionSnapshot.class);

    /** The address window every session's allocations lie in (the emulator's and the CUDA backend's reservation). */
    static final AddressRange WINDOW = new AddressRange(DeviceAddressSpace.WINDOW_BASE, 1L << 40);

    static final String SESSION_ID = "session.id";
    static final String SESSION_SECRET = "session.secret";
    static final String HANDLE_COUNTER = "worker.handleCounter";
    static final String CALLS_EXECUTED = "worker.callsExecuted";
    private static final String DEFERRED = "error.deferred";
    private static final String STICKY = "error.sticky";

    private final SessionResources resources;
    private final CallDispatcher dispatcher;
    private final SessionLedger ledger;
    private final ErrorState errors;
    private final SessionStats stats;

    SessionSnapshot(SessionResources resources, CallDispatcher dispatcher, SessionLedger ledger, ErrorState errors,
                    SessionStats stats) {
        this.resources = resources;
        this.dispatcher = dispatcher;
        this.ledger = ledger;
        this.errors = errors;
        this.stats = stats;
    }

    /** The images of the modules the session holds, by handle, and where their globals lie; reads no device memory. */
    java.util.List<SessionImage.Module> modules() throws CudaException {
        java.util.List<SessionImage.Module> modules = new java.util.ArrayList<>();
        for (Map.Entry<Long, byte[]> m : ledger.modules.entrySet()) {
            AddressRange block = globalsBlock(m.getKey());
            modules.add(new SessionImage.Module(m.getKey(), m.getValue(), block == null ? 0 : block.base(), new byte[0]));
        }
        return modules;
    }

    /** The block holding module {@code handle}'s globals, or null: none, or the device placed them. */
    private AddressRange globalsBlock(long handle) throws CudaException {
        DeviceModule module = resources.handles().get(handle, HandleTable.Kind.MODULE, DeviceModule.class);
        return resources.backend().moduleGlobals(module);
    }

    SessionImage export(long sessionId, String secret) throws CudaException {
        DeviceBackend device = resources.backend();
        SessionImage.Builder b = SessionImage.builder(WINDOW).lastAppliedSeq(stats.lastAppliedSeq());
        ledger.contexts.values().forEach(b::context);
        for (Map.Entry<Long, byte[]> m : ledger.modules.entrySet()) {
            AddressRange block = globalsBlock(m.getKey());
            if (block == null) {
                b.module(new SessionImage.Module(m.getKey(), m.getValue()));
                continue;
            }
            byte[] contents = new byte[Math.toIntExact(block.size())];
            device.copyDtoH(MemorySegment.ofArray(contents), block.base(), null);
            b.module(new SessionImage.Module(m.getKey(), m.getValue(), block.base(), contents));
        }
        ledger.functions.forEach((handle, f) -> b.function(
                new SessionImage.Function(handle, f.module(), f.name(), f.attributes())));
        for (SessionLedger.GlobalEntry g : ledger.globals.values()) {
            byte[] contents = new byte[Math.toIntExact(g.size())];
            if (contents.length > 0) {
                device.copyDtoH(MemorySegment.ofArray(contents), g.address(), null);
            }
            b.global(new SessionImage.Global(g.module(), g.name(), g.address(), contents));
        }
        ledger.streams.values().forEach(b::stream);
        ledger.events.values().forEach(b::event);
        Map<Long, Long> held = resources.allocations();
        for (AddressRange a : device.allocations()) {
            if (held.containsKey(a.base())) {
                b.allocation(a);
            }
        }
        b.extension(SESSION_ID, Long.toUnsignedString(sessionId))
                .extension(SESSION_SECRET, secret)
                .extension(HANDLE_COUNTER, Long.toString(resources.handles().nextCounter()))
                .extension(CALLS_EXECUTED, Long.toString(stats.callsExecuted()));
        putFailure(b, DEFERRED, errors.peekDeferred());
        putFailure(b, STICKY, errors.sticky());
        return b.build();
    }

    /** Makes the image's objects again here; its allocations must already be placed on this device. */
    void restore(SessionImage image) throws CudaException {
        for (SessionImage.Context c : image.contexts()) {
            replay(c.handle(), Op.CTX_CREATE, w -> w.u32(c.flags()).i32(c.device()));
        }
        for (SessionImage.Module m : SessionImage.Module.inLoadOrder(image.modules())) {
            resources.expectGlobalsAt(m.globalsAt());
            try {
                replay(m.handle(), Op.MODULE_LOAD, w -> w.bytes(m.image()));
            } finally {
                resources.expectGlobalsAt(0);
            }
            AddressRange block = m.globalsAt() == 0 ? null : globalsBlock(m.handle());
            if (block != null && block.base() == m.globalsAt() && block.size() == m.globals().length) {
                resources.backend().copyHtoD(block.base(), MemorySegment.ofArray(m.globals()), null);
            } else if (m.globalsAt() != 0) {
                log.warn("module {}: its globals' block is not at 0x{} here ({}): only the globals its client looked"
                        + " up keep their contents", m.handle(), Long.toHexString(m.globalsAt()), block);
            }
        }
        for (SessionImage.Function f : image.functions()) {
            replay(f.handle(), Op.MODULE_GET_FUNCTION, w -> w.u64(f.moduleHandle()).str(f.name()));
            for (Map.Entry<Integer, Integer> a : f.attributes().entrySet()) {
                replay(0, Op.FUNC_SET_ATTRIBUTE, w -> w.u64(f.handle()).i32(a.getKey()).i32(a.getValue()));
            }
        }
        for (SessionImage.Global g : image.globals()) {
            // The image holds the address the client saw: the global is seen there again,
            // wherever this device put it, and its contents go where it lies.
            resources.globals().expectNextAt(g.address());
            ByteBuf out;
            try {
                out = replay(0, Op.MODULE_GET_GLOBAL, w -> w.u64(g.moduleHandle()).str(g.name()));
            } finally {
                resources.globals().expectNextAt(0);
            }
            long address = out.getLongLE(4);
            out.release();
            if (address != g.address()) {
                log.warn("global {} is seen at 0x{}, not at 0x{} where its client saw it: that address is"
                        + " another global's", g.name(), Long.toHexString(address), Long.toHexString(g.address()));
            }
            byte[] contents = g.contents();
            if (contents.length > 0) {
                resources.backend().copyHtoD(address, MemorySegment.ofArray(contents), null);
            }
        }
        for (SessionImage.Stream s : image.streams()) {
            replay(s.handle(), Op.STREAM_CREATE, w -> w.u32(s.flags()).i32(s.priority()));
        }
        for (SessionImage.Event e : image.events()) {
            replay(e.handle(), Op.EVENT_CREATE, w -> w.u32(e.flags()));
        }
        for (AddressRange a : image.allocations()) {
            resources.allocated(a.base(), a.size());
        }
        Map<String, String> ext = image.extensions();
        resources.handles().raiseCounter(Long.parseLong(ext.getOrDefault(HANDLE_COUNTER, "1")));
        stats.restore(image.lastAppliedSeq(), Long.parseLong(ext.getOrDefault(CALLS_EXECUTED, "0")));
        errors.restore(failure(ext, DEFERRED), failure(ext, STICKY));
    }

    private interface BodyFiller {
        void fill(BodyWriter w);
    }

    /** Executes one call as if the client had sent it, its new object taking {@code handle} (0: none). */
    private ByteBuf replay(long handle, Op op, BodyFiller filler) throws CudaException {
        ByteBuf body = Unpooled.buffer();
        filler.fill(new BodyWriter(body));
        ByteBuf out = Unpooled.buffer();
        out.writeIntLE(0);
        if (handle != 0) {
            resources.handles().assignNext(handle);
        }
        dispatcher.execute(op, new BodyReader(body.duplicate(), op), out);
        ledger.record(op, body, out);
        return out;
    }

    private static void putFailure(SessionImage.Builder b, String key, ErrorState.Failure f) {
        if (f != null) {
            b.extension(key + ".status", Integer.toString(f.status()));
            b.extension(key + ".message", f.message() == null ? "" : f.message());
        }
    }

    private static ErrorState.Failure failure(Map<String, String> ext, String key) {
        String status = ext.get(key + ".status");
        return status == null ? null : new ErrorState.Failure(Integer.parseInt(status), ext.getOrDefault(key + ".message", ""));
    }
}
