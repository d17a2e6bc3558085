package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CudaException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** control_flow.cu: per-thread loop counts, nested loops with break/continue, a switch, early returns, divergence rejoining at a barrier. */
class ControlFlowTest extends ConformanceTest {

    @Test
    void loopsWithPerThreadTripCounts() throws CudaException {
        int n = 200;
        int[] start = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = i + 1;
        }
        start[199] = 837799;   // a long chain: 524 steps
        long steps = gpu.alloc(4L * n);
        gpu.launch(gpu.kernel("control_flow", "collatz"), KernelRunner.grid(4, 64), gpu.upload(start), steps, n);
        int[] r = gpu.ints(steps, n);
        for (int i = 0; i < n; i++) {
            long v = start[i] & 0xffffffffL;
            int s = 0;
            while (v != 1 && s < 10000) {
                v = (v & 1) != 0 ? 3 * v + 1 : v >> 1;
                s++;
            }
            assertEquals(s, r[i], "Collatz steps of " + start[i]);
        }
    }

    @Test
    void nestedLoopsSwitchAndEarlyReturn() throws CudaException {
        int n = 256;
        int[] in = TestInputs.ints(new Random(15), n);
        for (int i = 0; i < n; i += 2) {
            in[i] = Math.abs(in[i] % 5000);
        }
        long out = gpu.alloc(4L * n);
        gpu.launch(gpu.kernel("control_flow", "branchy"), KernelRunner.grid(4, 64), gpu.upload(in), out, n);
        int[] r = gpu.ints(out, n);
        for (int i = 0; i < n; i++) {
            assertEquals(branchy(in[i]), r[i], "thread " + i + " with input " + in[i]);
        }
    }

    @Test
    void divergentPathsMeetAtBarrier() throws CudaException {
        int blocks = 2, threads = 256;
        int[] in = TestInputs.ints(new Random(16), blocks * threads);
        long out = gpu.alloc(4L * in.length);
        gpu.launch(gpu.kernel("control_flow", "diverge_then_sync"), KernelRunner.grid(blocks, threads), gpu.upload(in), out);
        int[] r = gpu.ints(out, in.length);
        for (int b = 0; b < blocks; b++) {
            int[] vals = new int[threads];
            for (int t = 0; t < threads; t++) {
                int v = in[b * threads + t];
                if ((t & 1) != 0) {
                    for (int k = 0; k < (t & 7); k++) {
                        v = v * 5 + 1;
                    }
                } else if (t % 4 == 0) {
                    v = ~v;
                } else {
                    v -= t;
                }
                vals[t] = v;
            }
            for (int t = 0; t < threads; t++) {
                assertEquals(vals[t] + vals[(t + 1) % threads], r[b * threads + t], "block " + b + " thread " + t);
            }
        }
    }

    private static int branchy(int v) {
        int acc = 0;
        for (int a = 0; a < (v & 15); a++) {
            if (a % 3 == 2) {
                continue;
            }
            for (int b = 0; b < 10; b++) {
                if (b > a) {
                    break;
                }
                acc += a * b + (v >> 4 & 7);
            }
        }
        switch (v % 9) {
            case 0 -> acc += 11;
            case 1 -> acc *= 3;
            case 2 -> acc -= 100;
            case 3 -> acc ^= 0x5555;
            case 4 -> acc = acc << 2;
            case 5 -> acc = -acc;
            case 6 -> acc += v;
            case 7 -> acc |= 1;
            default -> acc = 42;
        }
        return v < 0 ? -1 : acc;
    }
}
