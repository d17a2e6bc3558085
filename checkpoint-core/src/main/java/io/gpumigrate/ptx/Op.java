package io.gpumigrate.ptx;

/**
 * Operation codes of decoded instructions. The operand type lives in {@link Insn#type};
 * modifiers (rounding, comparison, atomic operation, shuffle mode) in {@link Insn#mode}
 * and {@link Insn#flags}.
 */
final class Op {

    // data movement
    static final int MOV = 1;
    static final int MOV_PACK = 2;
    static final int MOV_UNPACK = 3;
    static final int MOV_DYNAMIC_SREG = 4;
    static final int SELP = 5;
    static final int CVTA_TO_GENERIC = 6;
    static final int CVTA_FROM_GENERIC = 7;
    static final int CVT = 8;
    static final int LD = 9;
    static final int ST = 10;
    static final int LD_KPARAM = 11;
    static final int ATOM = 12;
    static final int ISSPACEP = 13;

    // integer and bit
    static final int ADD = 20;
    static final int SUB = 21;
    static final int MUL_LO = 22;
    static final int MUL_HI = 23;
    static final int MUL_WIDE = 24;
    static final int MAD_LO = 25;
    static final int MAD_HI = 26;
    static final int MAD_WIDE = 27;
    static final int DIV = 28;
    static final int REM = 29;
    static final int ABS = 30;
    static final int NEG = 31;
    static final int MIN = 32;
    static final int MAX = 33;
    static final int AND = 34;
    static final int OR = 35;
    static final int XOR = 36;
    static final int NOT = 37;
    static final int CNOT = 38;
    static final int SHL = 39;
    static final int SHR = 40;
    static final int SHF = 41;
    static final int POPC = 42;
    static final int CLZ = 43;
    static final int BREV = 44;
    static final int BFE = 45;
    static final int BFI = 46;
    static final int PRMT = 47;
    static final int BFIND = 48;
    static final int LOP3 = 49;
    static final int ADD_CC = 50;
    static final int ADDC = 51;
    static final int SUB_CC = 52;
    static final int SUBC = 53;
    static final int MAD_CC = 54;
    static final int MADC = 55;
    static final int MUL24 = 56;
    static final int SAD = 57;
    static final int DP4A = 58;
    static final int DP2A = 59;

    // floating point (type decides f32 / f64)
    static final int FADD = 60;
    static final int FSUB = 61;
    static final int FMUL = 62;
    static final int FMA = 63;
    static final int FDIV = 64;
    static final int FRCP = 65;
    static final int FSQRT = 66;
    static final int FRSQRT = 67;
    static final int FSIN = 68;
    static final int FCOS = 69;
    static final int FEX2 = 70;
    static final int FLG2 = 71;
    static final int FTANH = 72;
    static final int FABS = 73;
    static final int FNEG = 74;
    static final int FMIN = 75;
    static final int FMAX = 76;
    static final int COPYSIGN = 77;
    static final int TESTP = 78;

    // comparisons and predicates
    static final int SETP = 80;
    static final int SET = 81;
    static final int PRED_AND = 82;
    static final int PRED_OR = 83;
    static final int PRED_XOR = 84;
    static final int PRED_NOT = 85;
    static final int PRED_MOV = 86;

    // functions the driver provides (see DeviceRuntime); below BRA, so they take the ordinary path
    static final int ASSERTFAIL = 88;
    static final int VPRINTF = 89;

    // control
    static final int BRA = 90;
    static final int EXIT = 91;
    static final int BAR = 92;
    static final int BAR_RED = 93;
    static final int NOP = 94;
    static final int TRAP = 95;
    static final int CALL = 96;
    static final int RET = 97;
    static final int CP_ASYNC = 98;

    // warp
    static final int SHFL = 100;
    static final int VOTE = 101;
    static final int ACTIVEMASK = 102;
    static final int MATCH = 103;
    static final int REDUX = 104;
    /** bar.warp.sync: only a convergence point (see {@link Insn#MEMBER_MASK}). */
    static final int WARPSYNC = 105;


    private Op() {
    }
}
