package io.gpumigrate.ptx;

/** A PTX fundamental type: its size, and whether it is signed, unsigned/untyped, float or a predicate. */
public enum PtxType {
    S8(1, 's'), S16(2, 's'), S32(4, 's'), S64(8, 's'),
    U8(1, 'u'), U16(2, 'u'), U32(4, 'u'), U64(8, 'u'),
    B8(1, 'b'), B16(2, 'b'), B32(4, 'b'), B64(8, 'b'), B128(16, 'b'),
    F16(2, 'f'), F16X2(4, 'f'), BF16(2, 'f'), BF16X2(4, 'f'), F32(4, 'f'), F64(8, 'f'),
    PRED(1, 'p');

    private final int size;
    private final char kind;

    PtxType(int size, char kind) {
        this.size = size;
        this.kind = kind;
    }

    public int size() {
        return size;
    }

    public boolean signed() {
        return kind == 's';
    }

    public boolean isFloat() {
        return kind == 'f';
    }

    /** Unsigned or untyped bits ({@code .u*}, {@code .b*}). */
    public boolean unsigned() {
        return kind == 'u' || kind == 'b';
    }

    /** Half precision: f16, bf16 and their packed pairs. */
    public boolean isHalf() {
        return this == F16 || this == F16X2 || this == BF16 || this == BF16X2;
    }

    public boolean isInteger() {
        return kind == 's' || kind == 'u' || kind == 'b';
    }

    /** The type named by a suffix such as {@code "s32"} or {@code ".f64"}, or {@code null}. */
    public static PtxType parse(String name) {
        String s = name.startsWith(".") ? name.substring(1) : name;
        return switch (s) {
            case "s8" -> S8; case "s16" -> S16; case "s32" -> S32; case "s64" -> S64;
            case "u8" -> U8; case "u16" -> U16; case "u32" -> U32; case "u64" -> U64;
            case "b8" -> B8; case "b16" -> B16; case "b32" -> B32; case "b64" -> B64; case "b128" -> B128;
            case "f16" -> F16; case "f16x2" -> F16X2; case "bf16" -> BF16; case "bf16x2" -> BF16X2; case "f32" -> F32; case "f64" -> F64;
            case "pred" -> PRED;
            default -> null;
        };
    }

    /** Extends or truncates {@code v} to this type's width, sign- or zero-extending to 64 bits. */
    public long normalize(long v) {
        return switch (this) {
            case S8 -> (byte) v;
            case S16 -> (short) v;
            case S32 -> (int) v;
            case U8, B8 -> v & 0xFF;
            case U16, B16, F16, BF16 -> v & 0xFFFF;
            case U32, B32, F32, F16X2, BF16X2 -> v & 0xFFFF_FFFFL;
            case PRED -> v & 1;
            default -> v;
        };
    }
}
