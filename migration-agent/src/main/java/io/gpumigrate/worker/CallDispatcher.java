package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceProperties;
import io.gpumigrate.protocol.BodyReader;
import io.gpumigrate.protocol.BodyWriter;
import io.gpumigrate.protocol.Op;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

import static io.gpumigrate.worker.HandleTable.Kind.CONTEXT;

/**
 * Executes one call on the session's device: decodes its body, calls the backend and writes
 * the results to the reply body. Knows nothing of sequencing or deferred errors
 * ({@link Session} does that).
 *
 * <p>Not thread-safe: session executor only.
 */
final class CallDispatcher {

    /** A context handle's object: every context of a session shares the worker's one device context. */
    private record ClientContext(int flags) {
    }

    private static final int NAME_BYTES = 256;

    private final SessionResources session;
    private final MemoryCalls memory;
    private final ModuleCalls modules;
    private final StreamEventCalls streams;
    private final SharedMemoryCalls shm;

    CallDispatcher(SessionResources session) {
        this.session = session;
        this.memory = new MemoryCalls(session);
        this.modules = new ModuleCalls(session);
        this.streams = new StreamEventCalls(session);
        this.shm = new SharedMemoryCalls(session);
    }

    /**
     * Executes {@code op}.
     *
     * @param in  the call's body
     * @param out the reply body, after the status: the call's results go here
     * @throws CudaException the call's {@code CUresult} when it failed
     */
    void execute(Op op, BodyReader in, ByteBuf out) throws CudaException {
        switch (op) {
            case DEVICE_GET_PROPERTIES -> properties(out);
            case CTX_CREATE -> createContext(in, out);
            case CTX_DESTROY -> destroyContext(in);
            case CTX_SYNCHRONIZE -> session.backend().synchronize();
            case MEM_ALLOC -> memory.alloc(in, out);
            case MEM_FREE -> memory.free(in);
            case MEM_GET_INFO -> memory.info(out);
            case MEM_ALLOC_PITCH -> memory.allocPitch(in, out);
            case MEM_GET_ADDRESS_RANGE -> memory.addressRange(in, out);
            case MEMCPY_HTOD -> memory.copyHtoD(in);
            case MEMCPY_DTOH -> memory.copyDtoH(in, out);
            case MEMCPY_DTOD -> memory.copyDtoD(in);
            case MEMSET -> memory.memset(in);
            case SHM_ATTACH -> shm.attach(in);
            case MEMCPY_HTOD_SHM -> shm.copyHtoD(in);
            case MEMCPY_DTOH_SHM -> shm.copyDtoH(in);
            case MODULE_LOAD -> modules.load(in, out);
            case MODULE_UNLOAD -> modules.unload(in);
            case MODULE_GET_FUNCTION -> modules.function(in, out);
            case MODULE_GET_GLOBAL -> modules.global(in, out);
            case FUNC_GET_ATTRIBUTE -> modules.getAttribute(in, out);
            case FUNC_SET_ATTRIBUTE -> modules.setAttribute(in);
            case LAUNCH_KERNEL -> modules.launch(in);
            case STREAM_CREATE -> streams.createStream(in, out);
            case STREAM_DESTROY -> streams.destroyStream(in);
            case STREAM_SYNCHRONIZE -> streams.synchronizeStream(in);
            case STREAM_QUERY -> streams.queryStream(in);
            case STREAM_WAIT_EVENT -> streams.waitEvent(in);
            case EVENT_CREATE -> streams.createEvent(in, out);
            case EVENT_DESTROY -> streams.destroyEvent(in);
            case EVENT_RECORD -> streams.record(in);
            case EVENT_SYNCHRONIZE -> streams.synchronizeEvent(in);
            case EVENT_QUERY -> streams.queryEvent(in);
            case EVENT_ELAPSED_TIME -> streams.elapsed(in, out);
            case GOODBYE -> {
                // Nothing here: Session ends the session after this call, so the client has its
                // reply (and can exit) while the device is released.
            }
            case ACK -> new BodyWriter(out).u64(session.stats().lastAppliedSeq());
            case ATTACH -> throw new CudaException(CuResult.ILLEGAL_STATE, "the connection is already attached");
            default -> throw new CudaException(CuResult.NOT_SUPPORTED,
                    op + " is not an operation a session worker executes on a client's connection");
        }
    }

    private void properties(ByteBuf out) throws CudaException {
        DeviceProperties p = session.backend().properties();
        int[] attributes = p.attributes();
        BodyWriter w = new BodyWriter(out).u32(attributes.length);
        for (int a : attributes) {
            w.i32(a);
        }
        byte[] name = new byte[NAME_BYTES];
        byte[] utf8 = p.name().getBytes(StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, name, 0, Math.min(utf8.length, NAME_BYTES - 1));
        w.bytes(name).bytes(p.uuid()).u64(p.totalMemory()).i32(p.driverVersion());
    }

    private void createContext(BodyReader in, ByteBuf out) throws CudaException {
        int flags = (int) in.u32();
        int device = in.i32();
        if (device != 0) {
            throw new CudaException(CuResult.INVALID_DEVICE, "device ordinal " + device
                    + " outside [0, 0]: a session sees one device");
        }
        session.backend();
        long handle = session.handles().add(CONTEXT, new ClientContext(flags));
        new BodyWriter(out).u64(handle);
    }

    private void destroyContext(BodyReader in) throws CudaException {
        long handle = in.u64();
        session.handles().get(handle, CONTEXT, ClientContext.class);
        session.backend().synchronize();
        session.handles().forget(handle);
    }
}
