package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * warp.cu: shuffles in every mode and width, votes, activemask, match. Each lane's result is
 * computed from the whole warp's inputs, so lanes must see each other's values as on hardware.
 */
class WarpTest extends ConformanceTest {

    private static final String[] WARP = {
        "shfl.sync.idx", "shfl.sync.up 3", "shfl.sync.down 5", "shfl.sync.bfly 9", "shfl.sync.idx width 8",
        "shfl.sync.up width 16", "shfl.sync.down width 4", "shfl.sync.bfly width 2", "shfl of a float",
        "vote.sync.all", "vote.sync.any", "vote.sync.uni", "vote.sync.ballot", "activemask (converged)",
        "activemask (divergent)", "ballot over activemask (divergent)", "match.any.sync", "match.all.sync mask",
        "match.all.sync predicate", "shfl of a 64-bit value",
    };

    @Test
    void shufflesVotesAndMatches() throws CudaException {
        int warps = 4, threads = 32 * warps;
        Random random = new Random(41);
        int[] in = new int[threads];
        for (int t = 0; t < threads; t++) {
            in[t] = switch (t / 32) {
                case 1 -> 1 + (random.nextInt(1 << 20) | 0x100);          // all positive, bit 8 uniform
                case 2 -> 3 << 28 | random.nextInt(1 << 28);               // same top nibble: match.all holds
                case 3 -> random.nextInt(5) * 97 - 194;                      // multiples of 97, a few classes
                default -> random.nextInt();
            };
        }
        int k = 20;
        long out = gpu.alloc(4L * threads * k);
        gpu.launch(gpu.kernel("warp", "warp_ops"), KernelRunner.grid(2, 64), gpu.upload(in), out);
        int[] r = gpu.ints(out, threads * k);
        Mismatches wrong = new Mismatches("warp_ops");
        for (int t = 0; t < threads; t++) {
            int base = t & ~31, lane = t & 31;
            int[] w = new int[32];
            System.arraycopy(in, base, w, 0, 32);
            boolean all = true, any = false;
            int ballot = 0, branchMask = 0, branchBallot = 0, sameLow = 0;
            for (int l = 0; l < 32; l++) {
                all &= w[l] > 0;
                any |= w[l] % 97 == 0;
                ballot |= (w[l] & 1) << l;
                if ((w[l] & 2) != 0) {
                    branchMask |= 1 << l;
                    branchBallot |= ((w[l] & 4) != 0 ? 1 : 0) << l;
                }
                sameLow |= ((w[l] & 3) == (w[lane] & 3) ? 1 : 0) << l;
            }
            boolean uni = true, allSameTop = true;
            for (int l = 0; l < 32; l++) {
                uni &= ((w[l] & 0x100) != 0) == ((w[0] & 0x100) != 0);
                allSameTop &= (w[l] >> 28) == (w[0] >> 28);
            }
            boolean mine = (w[lane] & 2) != 0;
            int[] e = {
                w[(lane * 7 + 3) & 31],
                lane >= 3 ? w[lane - 3] : w[lane],
                lane + 5 < 32 ? w[lane + 5] : w[lane],
                w[lane ^ 9],
                w[(lane & ~7) + ((lane + 2) & 7)],
                (lane & 15) >= 1 ? w[lane - 1] : w[lane],
                (lane & 3) + 2 < 4 ? w[lane + 2] : w[lane],
                w[lane ^ 1],
                Float.intBitsToFloat(w[31 - lane]) * 0.5f == 0.0f ? 1 : 0,
                all ? 1 : 0, any ? 1 : 0, uni ? 1 : 0, ballot, -1,
                mine ? branchMask : 0xdead, mine ? branchBallot : 0xbeef,
                sameLow, allSameTop ? -1 : 0, allSameTop ? 1 : 0,
                w[(lane + 1) & 31],
            };
            for (int j = 0; j < k; j++) {
                wrong.equal(WARP[j], e[j], r[t * k + j], "on thread " + t + " (warp " + t / 32 + ", lane " + lane + ")");
            }
        }
        wrong.assertNone();
    }

    @Test
    void partialWarpMasks() throws CudaException {
        int threads = 64;
        int[] in = TestInputs.ints(new Random(42), threads);
        long out = gpu.alloc(12L * threads);
        gpu.launch(gpu.kernel("warp", "partial_warp"), KernelRunner.grid(1, threads), gpu.upload(in), out);
        int[] r = gpu.ints(out, 3 * threads);
        for (int t = 0; t < threads; t++) {
            int lane = t & 31, base = t & ~31;
            if ((lane & 1) != 0) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(-1, r[3 * t + j], "odd lane " + t + " skips the branch");
                }
                continue;
            }
            int ballot = 0;
            for (int l = 0; l < 32; l += 2) {
                ballot |= (in[base + l] > 0 ? 1 : 0) << l;
            }
            assertEquals(in[base + ((lane + 2) & 31)], r[3 * t], "shuffle among even lanes, thread " + t);
            assertEquals(ballot, r[3 * t + 1], "ballot over even lanes, thread " + t);
            assertEquals(0x55555555, r[3 * t + 2], "activemask inside the even-lane branch, thread " + t);
        }
    }

    @Test
    void collectivesInsideALoopLanesLeaveAtDifferentTimes() throws CudaException {
        int threads = 64;
        int[] in = TestInputs.ints(new Random(43), threads);
        long out = gpu.alloc(12L * threads);
        gpu.launch(gpu.kernel("warp", "divergent_loop_collectives"), KernelRunner.grid(1, threads), gpu.upload(in), out);
        int[] r = gpu.ints(out, 3 * threads);
        int[] acc = new int[threads];
        for (int t = 0; t < threads; t++) {
            int lane = t & 31, base = t & ~31, trips = lane % 5 + 1;
            int lastMask = 0;
            for (int k = 0; k < trips; k++) {
                int mask = 0, votes = 0;
                for (int l = 0; l < 32; l++) {
                    if (l % 5 >= k) {
                        mask |= 1 << l;
                        votes |= ((in[base + l] >> k) & 1) << l;
                    }
                }
                int leader = Integer.numberOfTrailingZeros(mask);
                acc[t] += (in[base + leader] + k) ^ votes;
                lastMask = mask;
            }
            assertEquals(acc[t], r[3 * t], "shuffles and ballots over the shrinking active mask, thread " + t);
            assertEquals(lastMask, r[3 * t + 1], "activemask in the last iteration of thread " + t);
        }
        for (int t = 0; t < threads; t++) {
            int ballot = 0;
            for (int l = 0; l < 32; l++) {
                ballot |= (acc[(t & ~31) + l] & 1) << l;
            }
            assertEquals(ballot, r[3 * t + 2], "full-warp ballot after the loop, thread " + t);
        }
    }
}
