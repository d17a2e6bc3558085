package io.gpumigrate.ptx;

/**
 * Special registers. Those fixed for a warp's life get a register slot filled when the warp
 * starts; clocks and timers are read when their {@code mov} runs.
 */
final class SpecialRegister {

    static final int TID_X = 0, TID_Y = 1, TID_Z = 2;
    static final int NTID_X = 3, NTID_Y = 4, NTID_Z = 5;
    static final int CTAID_X = 6, CTAID_Y = 7, CTAID_Z = 8;
    static final int NCTAID_X = 9, NCTAID_Y = 10, NCTAID_Z = 11;
    static final int LANEID = 12, WARPID = 13, NWARPID = 14, SMID = 15, NSMID = 16, GRIDID = 17;
    static final int LANEMASK_EQ = 18, LANEMASK_LT = 19, LANEMASK_LE = 20, LANEMASK_GT = 21, LANEMASK_GE = 22;
    static final int DYNAMIC_SMEM_SIZE = 23, TOTAL_SMEM_SIZE = 24, WARPSZ = 25;

    /** Dynamic ones, read by {@link Op#MOV_DYNAMIC_SREG}. */
    static final int CLOCK = 100, CLOCK64 = 101, GLOBALTIMER = 102, GLOBALTIMER_LO = 103, GLOBALTIMER_HI = 104;

    private SpecialRegister() {
    }

    /** The register's code, or -1 when {@code name} is not a special register. */
    static int parse(String name) {
        return switch (name) {
            case "%tid.x" -> TID_X; case "%tid.y" -> TID_Y; case "%tid.z" -> TID_Z;
            case "%ntid.x" -> NTID_X; case "%ntid.y" -> NTID_Y; case "%ntid.z" -> NTID_Z;
            case "%ctaid.x" -> CTAID_X; case "%ctaid.y" -> CTAID_Y; case "%ctaid.z" -> CTAID_Z;
            case "%nctaid.x" -> NCTAID_X; case "%nctaid.y" -> NCTAID_Y; case "%nctaid.z" -> NCTAID_Z;
            case "%laneid" -> LANEID; case "%warpid" -> WARPID; case "%nwarpid" -> NWARPID;
            case "%smid" -> SMID; case "%nsmid" -> NSMID; case "%gridid" -> GRIDID;
            case "%lanemask_eq" -> LANEMASK_EQ; case "%lanemask_lt" -> LANEMASK_LT;
            case "%lanemask_le" -> LANEMASK_LE; case "%lanemask_gt" -> LANEMASK_GT;
            case "%lanemask_ge" -> LANEMASK_GE;
            case "%dynamic_smem_size" -> DYNAMIC_SMEM_SIZE; case "%total_smem_size" -> TOTAL_SMEM_SIZE;
            case "WARP_SZ" -> WARPSZ;
            case "%clock" -> CLOCK; case "%clock64" -> CLOCK64; case "%globaltimer" -> GLOBALTIMER;
            case "%globaltimer_lo" -> GLOBALTIMER_LO; case "%globaltimer_hi" -> GLOBALTIMER_HI;
            default -> -1;
        };
    }

    static boolean dynamic(int code) {
        return code >= CLOCK;
    }
}
