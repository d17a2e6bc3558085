package io.gpumigrate.checkpoint.transfer;

/**
 * The frames a migration source and target exchange over one TCP connection. Little-endian.
 *
 * <pre>
 *  +------------+---------+------------------------------+
 *  | length u32 | type u8 | body (length - 1 bytes)      |
 *  +------------+---------+------------------------------+
 *
 *  source -> target
 *   1 HELLO        u32 magic 0x52544D47 ("GMTR"), u16 major, u16 minor, u32 chunk size,
 *                  u32 streams, u32 stream (a 1.x HELLO ends before them; a target refuses major 1)
 *   2 ALLOCATIONS  u32 round, u32 n, n x (u64 base, u64 size): every live allocation; the target
 *                  frees those it placed that are not listed and places the new ones
 *   3 CHUNK        u64 address, u32 raw length, u8 encoding, u64 ChunkHash digest of the raw bytes, payload
 *   4 FINISH       u32 n, n bytes session image (SessionImageCodec), u32 m, m x (u32 k, k x u64):
 *                  the ChunkHash digest of every chunk of every allocation, in the image's allocation order
 *  target -> source
 *   5 VERIFIED     u64 chunks, u64 bytes: the target holds exactly the FINISH state, every chunk checked
 *  either way
 *   6 ABORT        u32 n, n bytes UTF-8 reason; the sender closes the connection after it
 *  source -> target, since 2.1, on stream 0 only (the session's replay log; see LogShipper)
 *   7 LOG_BEGIN    str directoryKey (str: u32 n, n bytes UTF-8)
 *   8 LOG_DATA     str name, u64 offset, payload: a piece of one log file, pieces in order
 *   9 LOG_END      u32 n, n x (str name, u64 size, u64 xxHash64): the whole log; before FINISH
 *  source -> target, since 2.1, optional, stream 0, before the pause
 *  10 MODULES      u32 n, n x (u64 handle, u32 k, k bytes image): modules the session has loaded,
 *                  for the target to load early; FINISH's image still lists every module, and re-creating the session takes a preloaded
 *                  module only for an identical image; since 2.2 followed by u32 n, n x u64 globalsAt:
 *                  where each module's block of globals lies (0: none), for the target to load it there
 * </pre>
 *
 * <p>The log is best-effort: a target that finds its copy of the log incomplete (a file short,
 * a hash that differs, no LOG_END) still answers VERIFIED, and reports the missing log
 * ({@link LogReceiver}); the migration goes on.
 *
 * <p>Since 2.0 a transfer may use several connections ("streams", each opened with its own
 * HELLO) so that more than one TCP stream and event loop carry the chunks. The chunk with index
 * {@code i} in its allocation always travels on stream {@code i % streams}, so later versions of
 * a chunk follow earlier ones on one connection. ALLOCATIONS and FINISH go on every stream (FINISH
 * carries the image and hashes on stream 0 only, and is empty on the others) and act as barriers:
 * the target applies them once every stream has delivered them, after every chunk sent before
 * them on any stream, and before any sent after them. VERIFIED travels on stream 0; ABORT on all.
 *
 * A target that sees a bad frame, a chunk whose hash does not match, or a FINISH whose hashes
 * differ from what it holds sends ABORT (a target whose device digests its memory checks the
 * chunks there, at FINISH, rather than each on arrival), frees everything it placed and closes. A connection
 * that closes before VERIFIED aborts both sides. Frames longer than {@link #MAX_FRAME_LENGTH}
 * close the connection.
 */
public final class TransferProtocol {

    public static final int MAGIC = 0x52544D47;
    /** 2: chunk digests are {@link io.gpumigrate.device.ChunkHash}, several streams (1: plain xxHash64, one stream). */
    public static final int MAJOR = 2;
    /** 1: the replay log travels with the session (LOG_BEGIN, LOG_DATA, LOG_END); MODULES. 2: MODULES says where globals lie. */
    public static final int MINOR = 2;
    /** The most connections one transfer may use. */
    public static final int MAX_STREAMS = 64;

    /** 256 MiB: the largest frame (a FINISH carrying big module images); chunks are far smaller. */
    public static final int MAX_FRAME_LENGTH = 256 << 20;

    static final int HELLO = 1;
    static final int ALLOCATIONS = 2;
    static final int CHUNK = 3;
    static final int FINISH = 4;
    static final int VERIFIED = 5;
    static final int ABORT = 6;
    static final int LOG_BEGIN = 7;
    static final int LOG_DATA = 8;
    static final int LOG_END = 9;
    static final int MODULES = 10;

    private TransferProtocol() {
    }
}
