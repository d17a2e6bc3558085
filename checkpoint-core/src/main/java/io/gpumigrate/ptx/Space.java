package io.gpumigrate.ptx;

/**
 * State spaces of memory operations, and the windows of the generic address space that
 * hold the per-block and per-thread spaces. Global and constant memory live at their device
 * addresses (the window the CUDA backend uses, from {@code 0x200000000000}); shared, local
 * and kernel-parameter memory appear in the generic space at fixed windows above it.
 */
public final class Space {

    static final int GENERIC = 0;
    static final int GLOBAL = 1;
    static final int SHARED = 2;
    static final int LOCAL = 3;
    static final int CONST = 4;
    static final int KPARAM = 5;

    /** Generic address of shared byte 0 of the executing block. */
    public static final long SHARED_WINDOW = 0x7E00_0000_0000L;
    /** Generic address of local byte 0 of the executing thread. */
    public static final long LOCAL_WINDOW = 0x7F00_0000_0000L;
    /** Generic address of the kernel parameter buffer. */
    public static final long KPARAM_WINDOW = 0x7D00_0000_0000L;
    /** "Address" of out-of-line function N is this plus N (what a function pointer holds). */
    public static final long FUNCTION_WINDOW = 0x7C00_0000_0000L;
    /** Size of each window. */
    static final long WINDOW_SIZE = 1L << 40;

    private Space() {
    }

    static int parse(String s) {
        return switch (s) {
            case "global" -> GLOBAL;
            case "shared", "shared::cta" -> SHARED;
            case "local" -> LOCAL;
            case "const" -> CONST;
            case "param", "param::entry", "param::func" -> KPARAM;
            default -> -1;
        };
    }

    static String name(int space) {
        return switch (space) {
            case GLOBAL -> "global";
            case SHARED -> "shared";
            case LOCAL -> "local";
            case CONST -> "const";
            case KPARAM -> "param";
            default -> "generic";
        };
    }

    static long window(int space) {
        return switch (space) {
            case SHARED -> SHARED_WINDOW;
            case LOCAL -> LOCAL_WINDOW;
            case KPARAM -> KPARAM_WINDOW;
            default -> 0;
        };
    }
}
