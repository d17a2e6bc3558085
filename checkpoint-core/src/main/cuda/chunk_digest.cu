// Chunk digests of device memory on the GPU: the function io.gpumigrate.device.ChunkHash
// computes on the CPU, bit for bit. A chunk is cut into 16 KiB segments (the last one shorter);
// each segment gets its xxHash64 (seed 0), and the chunk's digest is the xxHash64 (seed 0) of
// its segment digests laid end to end as little-endian 64-bit words. Segments hash in parallel
// (one thread each), which a single serial xxHash64 over a 2 MiB chunk cannot.
//
// Regenerate the PTX resource after editing (nvcc 12 or later):
//   nvcc -ptx -arch=sm_90 -o ../resources/io/gpumigrate/device/chunk_digest.ptx chunk_digest.cu
//   sed -i "s/^.version .*/.version 7.8/" ../resources/io/gpumigrate/device/chunk_digest.ptx
// (PTX ISA 7.8, the first with sm_90, so that drivers older than the nvcc still load it.)

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#define SEGMENT 16384ULL

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

__device__ __forceinline__ u64 rotl(u64 x, int r) { return (x << r) | (x >> (64 - r)); }

__device__ __forceinline__ u64 xxround(u64 acc, u64 input) {
    acc += input * P2;
    acc = rotl(acc, 31);
    return acc * P1;
}

__device__ __forceinline__ u64 merge(u64 h, u64 v) {
    h ^= xxround(0, v);
    return h * P1 + P4;
}

// xxHash64, seed 0, of len bytes at p (p 8-byte aligned). Sets *nonzero when any byte is not 0.
__device__ u64 xxh64(const u8* p, u64 len, u32* nonzero) {
    u64 h;
    u64 i = 0;
    u64 any = 0;
    if (len >= 32) {
        u64 v1 = P1 + P2, v2 = P2, v3 = 0, v4 = 0 - P1;
        for (; i + 32 <= len; i += 32) {
            const u64* w = (const u64*) (p + i);
            u64 a = w[0], b = w[1], c = w[2], d = w[3];
            any |= a | b | c | d;
            v1 = xxround(v1, a);
            v2 = xxround(v2, b);
            v3 = xxround(v3, c);
            v4 = xxround(v4, d);
        }
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
        h = merge(h, v1);
        h = merge(h, v2);
        h = merge(h, v3);
        h = merge(h, v4);
    } else {
        h = P5;
    }
    h += len;
    for (; i + 8 <= len; i += 8) {
        u64 k = *(const u64*) (p + i);
        any |= k;
        h ^= xxround(0, k);
        h = rotl(h, 27) * P1 + P4;
    }
    if (i + 4 <= len) {
        u64 k = *(const u32*) (p + i);
        any |= k;
        h ^= k * P1;
        h = rotl(h, 23) * P2 + P3;
        i += 4;
    }
    for (; i < len; i++) {
        u64 k = p[i];
        any |= k;
        h ^= k * P5;
        h = rotl(h, 11) * P1;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    *nonzero = any != 0;
    return h;
}

// Thread g hashes segment g % perChunk of chunk g / perChunk, perChunk = ceil(chunkSize / 16384).
// digests[g] and nonzero[g] receive its digest and whether it holds a byte other than 0.
extern "C" __global__ void segment_digests(const u8* base, u64 bytes, u64 chunkSize, u64 perChunk,
                                          u64 segments, u64* digests, u32* nonzero) {
    u64 g = (u64) blockIdx.x * blockDim.x + threadIdx.x;
    if (g >= segments) {
        return;
    }
    u64 chunk = g / perChunk;
    u64 start = chunk * chunkSize;
    u64 chunkLen = bytes - start < chunkSize ? bytes - start : chunkSize;
    u64 offset = (g - chunk * perChunk) * SEGMENT;
    if (offset >= chunkLen) {
        return;
    }
    u64 len = chunkLen - offset < SEGMENT ? chunkLen - offset : SEGMENT;
    u32 any;
    digests[g] = xxh64(base + start + offset, len, &any);
    nonzero[g] = any;
}

// Thread c folds chunk c's segment digests into the chunk digest; zero[c] = 1 when every
// segment of the chunk is all zero bytes, else 0.
extern "C" __global__ void chunk_digests(const u64* segDigests, const u32* segNonzero, u64 bytes, u64 chunkSize,
                                        u64 perChunk, u64 chunks, u64* digests, u32* zero) {
    u64 c = (u64) blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= chunks) {
        return;
    }
    u64 start = c * chunkSize;
    u64 chunkLen = bytes - start < chunkSize ? bytes - start : chunkSize;
    u64 n = (chunkLen + SEGMENT - 1) / SEGMENT;
    u32 anySegment = 0;
    for (u64 k = 0; k < n; k++) {
        anySegment |= segNonzero[c * perChunk + k];
    }
    u32 ignored;
    digests[c] = xxh64((const u8*) (segDigests + c * perChunk), n * 8, &ignored);
    zero[c] = anySegment == 0;
}
