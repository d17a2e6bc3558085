package io.gpumigrate.ptx;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.ptx.Scope.Binding;
import io.gpumigrate.ptx.Scope.Kind;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions a CUDA driver provides to kernels without a body in their module:
 * {@code __assertfail} (device-side {@code assert}) and {@code vprintf} (device-side
 * {@code printf}). A call to one compiles to a single instruction ({@link Op#ASSERTFAIL} or
 * {@link Op#VPRINTF}) whose {@link Insn#vec} holds, for each {@code .param} argument and then
 * each result, a register with the base of its frame and its offset in that frame
 * ({@code vec[2k]}, {@code vec[2k + 1]}). Stateless; safe on any worker thread.
 */
final class DeviceRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRuntime.class);

    private static final int MAX_STRING = 4096;

    private DeviceRuntime() {
    }

    /** Whether {@code name} is a driver-provided device function this emulator implements. */
    static boolean provides(String name) {
        return name.equals("__assertfail") || name.equals("vprintf");
    }

    /** Decodes a call to a driver-provided function; {@code args} and {@code rets} name {@code .param} variables. */
    static Insn decodeCall(PtxStatement.Instr in, Scope scope, CodeBuilder builder, String name,
                           List<PtxOperand> args, List<PtxOperand> rets) throws PtxSyntaxException {
        boolean assertion = name.equals("__assertfail");
        int expected = assertion ? 5 : 2;
        if (args.size() != expected || rets.size() > (assertion ? 0 : 1)) {
            throw new PtxSyntaxException(in.line(), "call to " + name + " passes " + args.size() + " arguments and "
                    + rets.size() + " results where " + expected + " arguments and " + (assertion ? 0 : 1)
                    + " result are declared");
        }
        Insn insn = new Insn();
        insn.op = assertion ? Op.ASSERTFAIL : Op.VPRINTF;
        insn.text = in.opcode() + " " + name;
        insn.line = in.line();
        if (in.guard() != null) {
            insn.guard = (int) scope.lookup(in.guard()).value();
            insn.guardNegated = in.negated();
        }
        insn.vec = new int[2 * (args.size() + rets.size())];
        int k = 0;
        for (List<PtxOperand> group : List.of(args, rets)) {
            for (PtxOperand o : group) {
                Binding b = o instanceof PtxOperand.Sym sym ? scope.lookup(sym.name()) : null;
                if (b == null || (b.kind() != Kind.LOCAL && b.kind() != Kind.FRAME)) {
                    throw new PtxSyntaxException(in.line(), "argument " + o + " of " + name + " is not a declared .param");
                }
                insn.vec[k++] = b.kind() == Kind.FRAME ? builder.framePointer() : builder.constant(0);
                insn.vec[k++] = (int) b.value();
            }
        }
        insn.size = rets.size();
        return insn;
    }

    /** A failed device-side assert: ends the launch with {@code CUDA_ERROR_ASSERT}, naming what failed and where. */
    static KernelFault assertFail(Insn in, long[] r, int m, MemoryPort mem) {
        int lane = Integer.numberOfTrailingZeros(m);
        String message = string(mem, argument(in, r, 0, 8, lane, mem), lane, in);
        String file = string(mem, argument(in, r, 1, 8, lane, mem), lane, in);
        long line = argument(in, r, 2, 4, lane, mem);
        String function = string(mem, argument(in, r, 3, 8, lane, mem), lane, in);
        return mem.fault(CuResult.ASSERT, "device-side assert failed: " + file + ":" + line + ": " + function
                + ": Assertion `" + message + "` failed.", lane, in);
    }

    /** Device-side printf: formats each lane's output and writes it to the log; the result is the argument count. */
    static void printf(Insn in, long[] r, int m, MemoryPort mem) {
        for (int mm = m; mm != 0; mm &= mm - 1) {
            int lane = Integer.numberOfTrailingZeros(mm);
            String format = string(mem, argument(in, r, 0, 8, lane, mem), lane, in);
            long args = argument(in, r, 1, 8, lane, mem);
            DeviceFormatter.Result out = DeviceFormatter.format(format, (addr, size) ->
                    mem.load(Space.GENERIC, addr, size, lane, in), addr -> string(mem, addr, lane, in), args);
            String text = out.text().endsWith("\n") ? out.text().substring(0, out.text().length() - 1) : out.text();
            LOG.info("printf from kernel {}, {}: {}", mem.context.kernel, mem.context.thread(lane), text);
            if (in.size > 0) {
                mem.store(Space.LOCAL, r[in.vec[4] + lane] + in.vec[5], 4, out.arguments(), lane, in);
            }
        }
    }

    /** The {@code size}-byte value of argument {@code k}, read from the lane's local frame. */
    private static long argument(Insn in, long[] r, int k, int size, int lane, MemoryPort mem) {
        return mem.load(Space.LOCAL, r[in.vec[2 * k] + lane] + in.vec[2 * k + 1], size, lane, in);
    }

    /** The NUL-terminated string at generic address {@code addr}, or a placeholder naming a bad pointer. */
    static String string(MemoryPort mem, long addr, int lane, Insn in) {
        if (addr == 0) {
            return "(null)";
        }
        java.io.ByteArrayOutputStream s = new java.io.ByteArrayOutputStream();
        try {
            for (int i = 0; i < MAX_STRING; i++) {
                int c = (int) mem.load(Space.GENERIC, addr + i, 1, lane, in);
                if (c == 0) {
                    return s.toString(java.nio.charset.StandardCharsets.UTF_8);
                }
                s.write(c);
            }
            return s.toString(java.nio.charset.StandardCharsets.UTF_8) + "...";
        } catch (KernelFault e) {
            return s.toString(java.nio.charset.StandardCharsets.UTF_8) + "(unreadable string at 0x"
                    + Long.toHexString(addr) + ")";
        }
    }
}
