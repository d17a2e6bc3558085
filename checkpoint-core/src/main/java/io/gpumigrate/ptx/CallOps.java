package io.gpumigrate.ptx;

import io.gpumigrate.device.CuResult;

/**
 * Calls into and returns from out-of-line device functions. Each lane has its own call stack
 * (in its {@link Warp}): a call pushes the return PC, the caller's frame pointer, the callee's
 * registers (an outer activation of a recursive function still needs them) and the callee's
 * index; arguments are copied into the new frame, which starts past the caller's. A return
 * copies the results back into the caller's frame and pops everything. Lanes may call
 * different functions (through pointers) or return to different places; the warp's scheduler
 * regroups them by PC.
 */
final class CallOps {

    private CallOps() {
    }

    static void call(Insn in, Warp w, int m, MemoryPort mem, DecodedKernel k, int pc) {
        final long[] r = w.r;
        final int fp = in.e;
        CallTarget[] targets = k.callTargets();
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            int index = in.mode;
            if (index < 0) {
                long address = r[in.a + l];
                long n = address - Space.FUNCTION_WINDOW;
                int[] byFunction = k.targetByFunction();
                if (n < 0 || n >= byFunction.length || byFunction[(int) n] < 0) {
                    throw mem.fault(CuResult.ILLEGAL_ADDRESS, "call through 0x" + Long.toHexString(address)
                            + ", which is not the address of a device function", l, in);
                }
                index = byFunction[(int) n];
            }
            CallTarget t = targets[index];
            long fpOld = r[fp + l];
            long fpNew = fpOld + in.offset;
            if (fpNew + t.frameSize() > mem.localBytes) {
                throw mem.fault(CuResult.ILLEGAL_ADDRESS, "call stack overflow calling " + t.name() + " (frame at "
                        + fpNew + " + " + t.frameSize() + " bytes exceeds " + mem.localBytes + " bytes of local memory)",
                        l, in);
            }
            int base = l * mem.localBytes;
            for (int a = in.size; a < in.vec.length / 3; a++) {
                System.arraycopy(mem.local, base + (int) fpOld + in.vec[3 * a], mem.local,
                        base + (int) fpNew + in.vec[3 * a + 1], in.vec[3 * a + 2]);
            }
            Warp.LaneStack s = w.stack(l);
            s.push(pc + 1);
            s.push(fpOld);
            for (int slot = t.regLo(); slot < t.regHi(); slot++) {
                s.push(r[(slot << 5) + l]);
            }
            s.push(index);
            r[fp + l] = fpNew;
            w.lanePc[l] = t.entryPc();
        }
    }

    static void ret(Insn in, Warp w, int m, MemoryPort mem, DecodedKernel k) {
        final long[] r = w.r;
        final int fp = in.e;
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int l = Integer.numberOfTrailingZeros(mm);
            Warp.LaneStack s = w.stack(l);
            if (s.size == 0) {
                throw mem.fault(CuResult.LAUNCH_FAILED, "return with an empty call stack", l, in);
            }
            CallTarget t = k.callTargets()[(int) s.pop()];
            long fpCur = r[fp + l];
            long[] saved = new long[t.regHi() - t.regLo()];
            for (int i = saved.length - 1; i >= 0; i--) {
                saved[i] = s.pop();
            }
            long fpOld = s.pop();
            int returnPc = (int) s.pop();
            Insn call = k.code()[returnPc - 1];
            int base = l * mem.localBytes;
            for (int a = 0; a < call.size; a++) {
                System.arraycopy(mem.local, base + (int) fpCur + call.vec[3 * a + 1], mem.local,
                        base + (int) fpOld + call.vec[3 * a], call.vec[3 * a + 2]);
            }
            for (int i = 0; i < saved.length; i++) {
                r[((t.regLo() + i) << 5) + l] = saved[i];
            }
            r[fp + l] = fpOld;
            w.lanePc[l] = returnPc;
        }
    }
}
