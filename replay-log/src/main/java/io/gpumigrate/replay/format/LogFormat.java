package io.gpumigrate.replay.format;

import java.nio.file.Path;

/**
 * Constants and names of the replay log's layout on disk.
 *
 * <pre>
 * SESSION_LOG_DIR/
 *   writer.lock                      held (OS file lock) while a writer has the log open
 *   00000000000000000001.seg         segment: header, then blocks of records, from seq 1
 *   00000000000000052113.seg         the next segment, from seq 52113
 *   blobs/3f/3f0a1b2c3d4e5f60-100000.blob   a host-to-device payload, by xxHash64 and hex length
 * </pre>
 */
public final class LogFormat {

    /** "GMLS" (gpumigrate log segment) as bytes 47 4D 4C 53, read little-endian. */
    public static final int SEGMENT_MAGIC = 0x534C4D47;
    /** "GMLB" (gpumigrate log blob) as bytes 47 4D 4C 42, read little-endian. */
    public static final int BLOB_MAGIC = 0x424C4D47;
    public static final int VERSION_MAJOR = 1;
    public static final int VERSION_MINOR = 1;

    public static final String SEGMENT_SUFFIX = ".seg";
    public static final String BLOB_DIR = "blobs";
    public static final String BLOB_SUFFIX = ".blob";
    public static final String LOCK_FILE = "writer.lock";

    /** Block codec: the body is the records as they are. */
    public static final int CODEC_NONE = 0;
    /** Block codec: the body is one zstd frame holding the records. */
    public static final int CODEC_ZSTD = 1;

    /** The largest uncompressed block a reader accepts: a full block plus one maximal record. */
    public static final int MAX_BLOCK_RAW_BYTES = 64 << 20;

    private static final int SEQ_DIGITS = 20;

    private LogFormat() {
    }

    /** The segment file name for a segment whose first record has this sequence number. */
    public static String segmentFileName(long firstSeq) {
        if (firstSeq < 0) {
            throw new IllegalArgumentException("first sequence number " + firstSeq + " is negative");
        }
        String digits = Long.toString(firstSeq);
        return "0".repeat(SEQ_DIGITS - digits.length()) + digits + SEGMENT_SUFFIX;
    }

    /** The first sequence number a segment file's name gives, or -1 if it is not a segment name. */
    public static long segmentFirstSeq(Path file) {
        String name = file.getFileName().toString();
        if (name.length() != SEQ_DIGITS + SEGMENT_SUFFIX.length() || !name.endsWith(SEGMENT_SUFFIX)) {
            return -1;
        }
        for (int i = 0; i < SEQ_DIGITS; i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(name, 0, SEQ_DIGITS, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** "1.0" style. */
    public static String version(int major, int minor) {
        return major + "." + minor;
    }
}
