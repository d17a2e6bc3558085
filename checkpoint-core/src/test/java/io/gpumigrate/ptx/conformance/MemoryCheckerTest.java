package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceFunction;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * memory_errors.cu: kernels that access memory outside every allocation. The emulator checks
 * every access, so each launch must fail with CUDA_ERROR_ILLEGAL_ADDRESS and a message that
 * names the kernel and the address. A real GPU only faults on some of these (it does not see
 * a write into an allocation's alignment padding), hence the tag: exclude it on CUDA.
 */
@Tag("memory-checker")
class MemoryCheckerTest extends ConformanceTest {

    @Test
    void outOfBoundsGlobalRead() throws CudaException {
        long in = gpu.upload(new int[64]);
        long out = gpu.alloc(4 * 64);
        long offset = 1L << 24;
        DeviceFunction kernel = gpu.kernel("memory_errors", "oob_read");
        CudaException e = assertThrows(CudaException.class,
                () -> gpu.launch(kernel, KernelRunner.grid(1, 64), in, out, 5, offset));
        assertIllegalAddress(e, "oob_read", in + 4 * offset);
        assertNamesThread(e, "(0,0,0)", "(5,0,0)");
    }

    @Test
    void writePastTheEndOfAnAllocation() throws CudaException {
        int n = 100;   // 400 bytes: the write at byte 400 lands in the allocation's padding
        long out = backendAlloc(4L * n);
        DeviceFunction kernel = gpu.kernel("memory_errors", "write_past_end");
        CudaException e = assertThrows(CudaException.class,
                () -> gpu.launch(kernel, KernelRunner.grid(2, 64), out, n));
        assertIllegalAddress(e, "write_past_end", out + 4L * n);
        assertNamesThread(e, "(1,0,0)", "(36,0,0)");   // global thread 100 = block 1, thread 36 of 64
    }

    @Test
    void sharedMemoryOverrun() throws CudaException {
        int[] idx = new int[64];
        for (int t = 0; t < 64; t++) {
            idx[t] = t;
        }
        idx[9] = 64 + 1000;   // past the 64-word __shared__ array and the block's whole shared window
        long out = gpu.alloc(4 * 64);
        long idxPtr = gpu.upload(idx);
        DeviceFunction kernel = gpu.kernel("memory_errors", "shared_overrun");
        CudaException e = assertThrows(CudaException.class,
                () -> gpu.launch(kernel, KernelRunner.grid(1, 64), idxPtr, out));
        assertEquals(CuResult.ILLEGAL_ADDRESS, e.result(), e.getMessage());
        String message = e.getMessage().toLowerCase(Locale.ROOT);
        assertTrue(message.contains("shared_overrun"), "message names the kernel: " + e.getMessage());
        assertTrue(message.contains("shared"), "message names the state space: " + e.getMessage());
    }

    @Test
    void misalignedVectorLoad() throws CudaException {
        long base = gpu.alloc(4 * 4 * 33);
        long out = gpu.alloc(16 * 32);
        DeviceFunction kernel = gpu.kernel("memory_errors", "misaligned_vector");
        CudaException e = assertThrows(CudaException.class, () -> gpu.launch(kernel, KernelRunner.grid(1, 32), base, out));
        assertEquals(CuResult.MISALIGNED_ADDRESS, e.result(), e.getMessage());
        assertTrue(e.getMessage().contains("misaligned_vector"), "message names the kernel: " + e.getMessage());
    }

    @Test
    void readOfFreedMemory() throws CudaException {
        long in = gpu.upload(new int[64]);
        long out = gpu.alloc(4 * 64);
        backend.memFree(in);
        DeviceFunction kernel = gpu.kernel("memory_errors", "oob_read");
        CudaException e = assertThrows(CudaException.class,
                () -> gpu.launch(kernel, KernelRunner.grid(1, 64), in, out, -1, 0L));
        assertEquals(CuResult.ILLEGAL_ADDRESS, e.result(), e.getMessage());
        assertTrue(e.getMessage().contains("oob_read"), "message names the kernel: " + e.getMessage());
        Matcher hex = Pattern.compile("0x([0-9a-fA-F]+)").matcher(e.getMessage());
        boolean named = false;
        while (hex.find()) {
            long address = Long.parseUnsignedLong(hex.group(1), 16);
            named |= address >= in && address < in + 4 * 64;
        }
        assertTrue(named, "message names an address inside the freed allocation at 0x" + Long.toHexString(in) + ": " + e.getMessage());
    }

    @Test
    void inBoundsAccessesOfTheSameKernelsSucceed() throws CudaException {
        int n = 100;
        long out = backendAlloc(4L * (n + 1));
        gpu.launch(gpu.kernel("memory_errors", "write_past_end"), KernelRunner.grid(2, 64), out, n);
        int[] r = gpu.ints(out, n + 1);
        for (int t = 0; t <= n; t++) {
            assertEquals(t, r[t], "element " + t);
        }
    }

    private long backendAlloc(long bytes) throws CudaException {
        return backend.memAlloc(bytes);
    }

    /** The faulting thread, as "(x,y,z)" coordinates of its block and of the thread in it. */
    private static void assertNamesThread(CudaException e, String block, String thread) {
        String message = e.getMessage().replace(" ", "");
        assertTrue(message.contains(block) && message.contains(thread),
                "message names block " + block + " and thread " + thread + ": " + e.getMessage());
    }

    private static void assertIllegalAddress(CudaException e, String kernel, long address) {
        assertEquals(CuResult.ILLEGAL_ADDRESS, e.result(), e.getMessage());
        String message = e.getMessage().toLowerCase(Locale.ROOT);
        assertTrue(message.contains(kernel), "message names the kernel " + kernel + ": " + e.getMessage());
        assertTrue(message.contains(Long.toHexString(address)),
                "message names the address 0x" + Long.toHexString(address) + ": " + e.getMessage());
    }
}
