// Bit operations: popc, clz, brev, ffs, bfind, bfe, bfi, prmt (all modes; __byte_perm masks its
// selector with 0x7777, the raw instruction also replicates signs), funnel shifts,
// shifts past the register width (PTX clamps the amount), cnot, lop3.
// x, y: operands; z packs a bit position (low byte) and a field length (second byte),
// passed unmasked so that the instructions' own "& 0xff" is exercised.

#define BIT32_RESULTS 30
#define BIT64_RESULTS 12

extern "C" __global__ void bits32(const unsigned *a, const unsigned *b, const unsigned *c,
                                  unsigned *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned x = a[i], y = b[i], z = c[i];
    unsigned pos = z, len = z >> 8;
    unsigned *o = out + i * BIT32_RESULTS;
    o[0] = __popc(x);
    o[1] = __clz(x);
    o[2] = __brev(x);
    o[3] = __ffs(x);
    o[4] = __byte_perm(x, y, z);
    asm("prmt.b32.f4e %0, %1, %2, %3;" : "=r"(o[5]) : "r"(x), "r"(y), "r"(z));
    asm("prmt.b32.b4e %0, %1, %2, %3;" : "=r"(o[6]) : "r"(x), "r"(y), "r"(z));
    asm("prmt.b32.rc8 %0, %1, %2, %3;" : "=r"(o[7]) : "r"(x), "r"(y), "r"(z));
    asm("prmt.b32.ecl %0, %1, %2, %3;" : "=r"(o[8]) : "r"(x), "r"(y), "r"(z));
    asm("prmt.b32.ecr %0, %1, %2, %3;" : "=r"(o[9]) : "r"(x), "r"(y), "r"(z));
    asm("prmt.b32.rc16 %0, %1, %2, %3;" : "=r"(o[10]) : "r"(x), "r"(y), "r"(z));
    asm("bfe.u32 %0, %1, %2, %3;" : "=r"(o[11]) : "r"(x), "r"(pos), "r"(len));
    asm("bfe.s32 %0, %1, %2, %3;" : "=r"(o[12]) : "r"(x), "r"(pos), "r"(len));
    asm("bfi.b32 %0, %1, %2, %3, %4;" : "=r"(o[13]) : "r"(x), "r"(y), "r"(pos), "r"(len));
    asm("bfind.u32 %0, %1;" : "=r"(o[14]) : "r"(x));
    asm("bfind.s32 %0, %1;" : "=r"(o[15]) : "r"(x));
    asm("bfind.shiftamt.u32 %0, %1;" : "=r"(o[16]) : "r"(x));
    o[17] = __funnelshift_l(x, y, z);
    o[18] = __funnelshift_r(x, y, z);
    o[19] = __funnelshift_lc(x, y, z);
    o[20] = __funnelshift_rc(x, y, z);
    unsigned amount = z & 63;   // 0..63: beyond 31 PTX clamps the shift to the width
    asm("shl.b32 %0, %1, %2;" : "=r"(o[21]) : "r"(x), "r"(amount));
    asm("shr.u32 %0, %1, %2;" : "=r"(o[22]) : "r"(x), "r"(amount));
    asm("shr.s32 %0, %1, %2;" : "=r"(o[23]) : "r"(x), "r"(amount));
    asm("cnot.b32 %0, %1;" : "=r"(o[24]) : "r"(x & 1 ? 0u : x));
    asm("lop3.b32 %0, %1, %2, %3, 0x96;" : "=r"(o[25]) : "r"(x), "r"(y), "r"(z));  // a ^ b ^ c
    asm("lop3.b32 %0, %1, %2, %3, 0xE8;" : "=r"(o[26]) : "r"(x), "r"(y), "r"(z));  // majority
    o[27] = __popc(x & ~y);
    o[28] = __clz(x >> (z & 31));
    asm("prmt.b32 %0, %1, %2, %3;" : "=r"(o[29]) : "r"(x), "r"(y), "r"(z));   // selector msbs replicate signs
}

extern "C" __global__ void bits64(const unsigned long long *a, const unsigned long long *b,
                                  const unsigned *c, unsigned long long *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned long long x = a[i], y = b[i];
    unsigned z = c[i];
    unsigned pos = z, len = z >> 8, amount = z & 127;
    unsigned long long *o = out + i * BIT64_RESULTS;
    o[0] = __popcll(x);
    o[1] = __clzll(x);
    o[2] = __brevll(x);
    o[3] = __ffsll(x);
    asm("bfe.u64 %0, %1, %2, %3;" : "=l"(o[4]) : "l"(x), "r"(pos), "r"(len));
    asm("bfe.s64 %0, %1, %2, %3;" : "=l"(o[5]) : "l"(x), "r"(pos), "r"(len));
    asm("bfi.b64 %0, %1, %2, %3, %4;" : "=l"(o[6]) : "l"(x), "l"(y), "r"(pos), "r"(len));
    unsigned found;
    asm("bfind.s64 %0, %1;" : "=r"(found) : "l"(x));
    o[7] = found;
    asm("shl.b64 %0, %1, %2;" : "=l"(o[8]) : "l"(x), "r"(amount));
    asm("shr.u64 %0, %1, %2;" : "=l"(o[9]) : "l"(x), "r"(amount));
    asm("shr.s64 %0, %1, %2;" : "=l"(o[10]) : "l"(x), "r"(amount));
    o[11] = (x & y) | (~x & (y >> 3));
}
