// 8- and 16-bit integers: byte and half-word loads and stores with sign and zero extension,
// narrowing conversions, and PTX's 16-bit arithmetic (.s16/.u16/.b16, written with inline asm
// because C promotes short operands to int).

#define SMALL_RESULTS 24

extern "C" __global__ void small_ints(const short *a, const short *b, const signed char *c,
                                      const unsigned char *d, int *out, signed char *bytes,
                                      short *halves, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    short x = a[i], y = b[i];
    short ynz = y == 0 ? (short) 1 : y;
    signed char sc = c[i];
    unsigned char uc = d[i];
    unsigned short ux = (unsigned short) x, uy = (unsigned short) ynz;
    int *o = out + i * SMALL_RESULTS;
    short h;
    unsigned short uh;
    int w;
    asm("add.s16 %0, %1, %2;" : "=h"(h) : "h"(x), "h"(y));           o[0] = h;
    asm("sub.s16 %0, %1, %2;" : "=h"(h) : "h"(x), "h"(y));           o[1] = h;
    asm("mul.lo.s16 %0, %1, %2;" : "=h"(h) : "h"(x), "h"(y));        o[2] = h;
    asm("mul.hi.s16 %0, %1, %2;" : "=h"(h) : "h"(x), "h"(y));        o[3] = h;
    asm("mul.hi.u16 %0, %1, %2;" : "=h"(uh) : "h"(ux), "h"(uy));     o[4] = uh;
    asm("mul.wide.s16 %0, %1, %2;" : "=r"(w) : "h"(x), "h"(y));      o[5] = w;
    asm("mul.wide.u16 %0, %1, %2;" : "=r"(w) : "h"(ux), "h"(uy));    o[6] = w;
    asm("mad.lo.s16 %0, %1, %2, %3;" : "=h"(h) : "h"(x), "h"(y), "h"((short) sc)); o[7] = h;
    asm("div.s16 %0, %1, %2;" : "=h"(h) : "h"(x), "h"(ynz));         o[8] = h;
    asm("rem.s16 %0, %1, %2;" : "=h"(h) : "h"(x), "h"(ynz));         o[9] = h;
    asm("div.u16 %0, %1, %2;" : "=h"(uh) : "h"(ux), "h"(uy));        o[10] = uh;
    asm("min.s16 %0, %1, %2;" : "=h"(h) : "h"(x), "h"(y));           o[11] = h;
    asm("max.u16 %0, %1, %2;" : "=h"(uh) : "h"(ux), "h"(uy));        o[12] = uh;
    asm("abs.s16 %0, %1;" : "=h"(h) : "h"(x));                       o[13] = h;
    asm("neg.s16 %0, %1;" : "=h"(h) : "h"(x));                       o[14] = h;
    asm("shr.s16 %0, %1, %2;" : "=h"(h) : "h"(x), "r"((unsigned) uc & 31)); o[15] = h;
    asm("shl.b16 %0, %1, %2;" : "=h"(h) : "h"(x), "r"((unsigned) uc & 31)); o[16] = h;
    asm("cvt.s8.s16 %0, %1;" : "=h"(h) : "h"(x));                    o[17] = h;
    asm("cvt.u8.s16 %0, %1;" : "=h"(h) : "h"(x));                    o[18] = h;
    o[19] = sc;                               // ld.s8: sign extension
    o[20] = uc;                               // ld.u8: zero extension
    o[21] = (signed char) (sc * uc);          // wrap to 8 bits
    o[22] = (unsigned short) (x * 3 - y);     // wrap to 16 bits, zero-extended
    o[23] = (short) ((unsigned) uc << 8 | (unsigned char) sc);
    bytes[i] = (signed char) (x + sc);
    halves[i] = (short) (x * y);
}
