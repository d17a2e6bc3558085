package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceModule;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * half_math.cu: f16 and f16x2 arithmetic (beyond issue 3's list, common in ML kernels). Each op is
 * one correctly rounded operation, checked bit for bit (a sum or product of two halves is exact
 * in float, so rounding the float result to half is the reference); or the backend refuses the
 * module at load, naming the instruction.
 */
class HalfPrecisionTest extends ConformanceTest {

    @Test
    void halfArithmeticIsExactOrRefusedByName() throws CudaException {
        Optional<DeviceModule> loaded = loadOrRefuseNaming("half_math", "f16");
        if (loaded.isEmpty()) {
            return;
        }
        DeviceModule module = loaded.get();
        int n = 256;
        Random random = new Random(91);
        short[] a = new short[n], b = new short[n];
        for (int i = 0; i < n; i++) {
            a[i] = Float.floatToFloat16((random.nextFloat() - 0.5f) * (i % 4 == 0 ? 0.001f : 200f));
            b[i] = Float.floatToFloat16((random.nextFloat() - 0.5f) * 200f);
        }
        long out = gpu.alloc(20L * n);
        gpu.launch(gpu.kernel(module, "half_ops"), KernelRunner.grid(n / 64, 64), gpu.upload(a), gpu.upload(b), out, n);
        short[] r = gpu.shorts(out, 10 * n);
        Mismatches wrong = new Mismatches("half_ops");
        String[] names = {"add.f16", "sub.f16", "mul.f16", "min.f16", "max.f16", "neg.f16", "setp.lt.f16",
            "add.f16x2 (low)", "mul.f16x2 (high)", "sub.f16x2 (low)"};
        for (int i = 0; i < n; i++) {
            float x = Float.float16ToFloat(a[i]), y = Float.float16ToFloat(b[i]);
            short[] e = {half(x + y), half(x - y), half(x * y), half(Math.min(x, y)), half(Math.max(x, y)), half(-x),
                (short) (x < y ? 1 : 0), half(x + y), half(y * x), half(x - y)};
            for (int j = 0; j < e.length; j++) {
                wrong.equal(names[j], e[j] & 0xffff, r[10 * i + j] & 0xffff, "of x=" + x + " y=" + y);
            }
        }
        wrong.assertNone();
    }

    private static short half(float exactInFloat) {
        return Float.floatToFloat16(exactInFloat);
    }
}
