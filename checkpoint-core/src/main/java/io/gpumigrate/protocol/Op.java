package io.gpumigrate.protocol;

/**
 * The wire protocol's operations. Mirrors {@code native/include/gpumigrate/ops.def}, the single
 * source of truth for the codes; {@code OpTableTest} fails the build when the two drift apart.
 */
public enum Op {
    HELLO(0x0001, Kind.CALL),
    ATTACH(0x0002, Kind.CALL),
    GOODBYE(0x0003, Kind.SYNC),
    SESSION_LIST(0x0004, Kind.CALL),
    REPLY(0x0005, Kind.CALL),
    ACK(0x0006, Kind.CALL),
    MIGRATED(0x0007, Kind.ASYNC),
    SESSION_LOCATE(0x0008, Kind.CALL),
    CHECKPOINTED(0x0009, Kind.ASYNC),
    DEVICE_GET_PROPERTIES(0x0010, Kind.CALL),
    CTX_CREATE(0x0020, Kind.CALL),
    CTX_DESTROY(0x0021, Kind.SYNC),
    CTX_SYNCHRONIZE(0x0022, Kind.SYNC),
    MEM_ALLOC(0x0030, Kind.CALL),
    MEM_FREE(0x0031, Kind.CALL),
    MEM_GET_INFO(0x0032, Kind.CALL),
    MEM_ALLOC_PITCH(0x0033, Kind.CALL),
    MEM_GET_ADDRESS_RANGE(0x0034, Kind.CALL),
    MEMCPY_HTOD(0x0040, Kind.ASYNC),
    MEMCPY_DTOH(0x0041, Kind.SYNC),
    MEMCPY_DTOD(0x0042, Kind.ASYNC),
    MEMSET(0x0043, Kind.ASYNC),
    SHM_ATTACH(0x0048, Kind.CALL),
    MEMCPY_HTOD_SHM(0x0049, Kind.CALL),
    MEMCPY_DTOH_SHM(0x004A, Kind.SYNC),
    MODULE_LOAD(0x0050, Kind.CALL),
    MODULE_UNLOAD(0x0051, Kind.CALL),
    MODULE_GET_FUNCTION(0x0052, Kind.CALL),
    MODULE_GET_GLOBAL(0x0053, Kind.CALL),
    FUNC_GET_ATTRIBUTE(0x0054, Kind.CALL),
    FUNC_SET_ATTRIBUTE(0x0055, Kind.CALL),
    LAUNCH_KERNEL(0x0060, Kind.ASYNC),
    STREAM_CREATE(0x0070, Kind.CALL),
    STREAM_DESTROY(0x0071, Kind.CALL),
    STREAM_SYNCHRONIZE(0x0072, Kind.SYNC),
    STREAM_QUERY(0x0073, Kind.SYNC),
    STREAM_WAIT_EVENT(0x0074, Kind.ASYNC),
    EVENT_CREATE(0x0080, Kind.CALL),
    EVENT_DESTROY(0x0081, Kind.CALL),
    EVENT_RECORD(0x0082, Kind.ASYNC),
    EVENT_SYNCHRONIZE(0x0083, Kind.SYNC),
    EVENT_QUERY(0x0084, Kind.SYNC),
    EVENT_ELAPSED_TIME(0x0085, Kind.CALL),
    MIGRATE(0x0100, Kind.CALL),
    DUMP(0x0101, Kind.CALL),
    RESTORE(0x0102, Kind.CALL),
    DRAIN(0x0103, Kind.CALL),
    CORDON(0x0104, Kind.CALL),
    UNCORDON(0x0105, Kind.CALL),
    NODE_LIST(0x0106, Kind.CALL),
    PROGRESS(0x0107, Kind.ASYNC),
    MIGRATE_PREPARE(0x0108, Kind.CALL);

    /** How the client waits for an operation (docs/wire-protocol.md). */
    public enum Kind { CALL, ASYNC, SYNC }

    private static final Op[] BY_CODE = new Op[0x200];

    static {
        for (Op op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final Kind kind;

    Op(int code, Kind kind) {
        this.code = code;
        this.kind = kind;
    }

    public int code() {
        return code;
    }

    public Kind kind() {
        return kind;
    }

    /** The operation with this code, or {@code null} for an unknown code. */
    public static Op of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
