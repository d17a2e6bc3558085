package io.gpumigrate.checkpoint;

/**
 * The checkpoint image on disk: a directory, written whole under a temporary name and
 * renamed into place, so a directory with the image's name is always complete.
 *
 * <pre>
 *  DIR/MANIFEST            text, UTF-8, one "key value..." line each:
 *                            gpumigrate-checkpoint MAJOR.MINOR      (first line)
 *                            chunk-size BYTES
 *                            session FILE                           (the SessionImageCodec bytes)
 *                            file NAME BYTES DIGEST                 (one per file; DIGEST below)
 *                            log PATH BYTES DIGEST                  (since 2.1: one per file of DIR/log/)
 *                            manifest-digest DIGEST                 (last line: xxHash64 of every byte before it)
 *                          a reader skips keys it does not know; it refuses any other MAJOR
 *  DIR/session.bin         the session image; DIGEST = xxHash64 of the whole file
 *  DIR/chunks-NNNNNN.bin   chunk files, little-endian:
 *
 *    file header, 16 bytes
 *    +-----------+---------+---------+------------+----------+
 *    | magic u32 | maj u16 | min u16 | chunk u32  | zero u32 |   magic 0x4B434D47 ("GMCK")
 *    +-----------+---------+---------+------------+----------+
 *    records, one per chunk, each a 28-byte header and its payload
 *    +-------------+---------+---------+----------+-------------+----------+-----------------+
 *    | address u64 | raw u32 | enc u8  | zero u8x3| payload u32 | hash u64 | payload bytes   |
 *    +-------------+---------+---------+----------+-------------+----------+-----------------+
 *    enc: 0 zero (no payload), 1 raw, 2 zstd; hash: ChunkHash digest (16 KiB segments) of the raw bytes
 *
 *  DIR/log/...             since 2.1, optional: the session's replay log as it was at the dump
 *                          (segments and blobs/), each file's DIGEST = xxHash64 of the whole file;
 *                          restore copies it into the restored session's log directory
 *
 *    DIGEST of a chunk file: d = xxHash64(file header, seed 0), then for each record
 *    d = xxHash64(record header, seed d) and, if it has one, d = xxHash64(payload, seed d)
 * </pre>
 *
 * Every chunk of every allocation of the session image appears exactly once; chunk {@code i}
 * of an allocation starts {@code i * chunk-size} bytes into it ({@link ChunkLayout}).
 */
public final class CheckpointFormat {

    public static final String MAGIC_LINE = "gpumigrate-checkpoint";
    /** 2: chunk digests are {@link io.gpumigrate.device.ChunkHash} (1: plain xxHash64 of the chunk). */
    public static final int MAJOR = 2;
    /** 1: the image may carry the session's replay log (DIR/log/, {@code log} lines). */
    public static final int MINOR = 1;

    public static final String MANIFEST = "MANIFEST";
    public static final String SESSION_FILE = "session.bin";

    public static final int CHUNK_FILE_MAGIC = 0x4B434D47;
    public static final int CHUNK_FILE_HEADER_BYTES = 16;
    public static final int RECORD_HEADER_BYTES = 28;

    private CheckpointFormat() {
    }

    /** The name of the {@code index}th chunk file. */
    public static String chunkFileName(int index) {
        return String.format("chunks-%06d.bin", index);
    }
}
