package io.gpumigrate.ptx;

/** Values of {@link Insn#mode} and {@link Insn#mode2}, by instruction family. */
final class Mode {

    // rounding (float results and cvt)
    static final int RN = 0, RZ = 1, RM = 2, RP = 3;

    // comparisons of setp/set
    static final int EQ = 0, NE = 1, LT = 2, LE = 3, GT = 4, GE = 5, LO = 6, LS = 7, HI = 8, HS = 9;
    static final int EQU = 10, NEU = 11, LTU = 12, LEU = 13, GTU = 14, GEU = 15, NUM = 16, NAN = 17;

    // boolean combination of setp/set with a third predicate (mode2)
    static final int BOOL_NONE = 0, BOOL_AND = 1, BOOL_OR = 2, BOOL_XOR = 3;

    // atom/red/redux operations
    static final int A_ADD = 0, A_MIN = 1, A_MAX = 2, A_EXCH = 3, A_CAS = 4, A_AND = 5, A_OR = 6, A_XOR = 7;
    static final int A_INC = 8, A_DEC = 9;

    // shfl
    static final int SHFL_UP = 0, SHFL_DOWN = 1, SHFL_BFLY = 2, SHFL_IDX = 3;

    // vote and bar.red
    static final int VOTE_ALL = 0, VOTE_ANY = 1, VOTE_UNI = 2, VOTE_BALLOT = 3, RED_POPC = 4;

    // match
    static final int MATCH_ANY = 0, MATCH_ALL = 1;

    // testp
    static final int T_FINITE = 0, T_INFINITE = 1, T_NUMBER = 2, T_NAN = 3, T_NORMAL = 4, T_SUBNORMAL = 5;

    // shf: mode bit 0 = right, bit 1 = clamp
    static final int SHF_RIGHT = 1, SHF_CLAMP = 2;

    private Mode() {
    }

    static int compare(String s) {
        return switch (s) {
            case "eq" -> EQ; case "ne" -> NE; case "lt" -> LT; case "le" -> LE; case "gt" -> GT; case "ge" -> GE;
            case "lo" -> LO; case "ls" -> LS; case "hi" -> HI; case "hs" -> HS;
            case "equ" -> EQU; case "neu" -> NEU; case "ltu" -> LTU; case "leu" -> LEU; case "gtu" -> GTU;
            case "geu" -> GEU; case "num" -> NUM; case "nan" -> NAN;
            default -> -1;
        };
    }

    static int atomic(String s) {
        return switch (s) {
            case "add" -> A_ADD; case "min" -> A_MIN; case "max" -> A_MAX; case "exch" -> A_EXCH;
            case "cas" -> A_CAS; case "and" -> A_AND; case "or" -> A_OR; case "xor" -> A_XOR;
            case "inc" -> A_INC; case "dec" -> A_DEC;
            default -> -1;
        };
    }

    static int rounding(String s) {
        return switch (s) {
            case "rn", "rni" -> RN; case "rz", "rzi" -> RZ; case "rm", "rmi" -> RM; case "rp", "rpi" -> RP;
            default -> -1;
        };
    }
}
