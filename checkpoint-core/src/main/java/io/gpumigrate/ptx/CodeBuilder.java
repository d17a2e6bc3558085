package io.gpumigrate.ptx;

import io.gpumigrate.ptx.Scope.Binding;
import io.gpumigrate.ptx.Scope.Kind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compile-time state of one kernel: register slots, constants, predicates, local and shared
 * memory layout, labels and the instruction list. Resolves operands to register bases.
 * Not thread-safe; one per kernel compilation.
 */
final class CodeBuilder {

    final List<Insn> code = new ArrayList<>();
    private final List<Long> constantValues = new ArrayList<>();
    private final Map<Long, Integer> constantSlots = new HashMap<>();
    private final Map<Integer, Integer> specialSlots = new HashMap<>();
    private final List<Integer> registerSlots = new ArrayList<>();
    private int predicates;
    private long staticShared;
    private final Map<String, Long> sharedOffsets = new HashMap<>();
    private int dynamicSharedSlot = -1;
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<Object[]> fixups = new ArrayList<>();
    private int scratch = -1;
    private int carry = -1;
    private int declaredRegisters;
    /** Local memory layout being filled: the kernel's own, or an out-of-line function's activation frame. */
    private Frame frame = new Frame(false);
    private final Frame kernelFrame = frame;
    private int framePointer = -1;
    private final Map<String, Integer> outOfLineIndex = new java.util.LinkedHashMap<>();
    private final List<String> outOfLinePending = new ArrayList<>();
    private final List<CallTarget> callTargets = new ArrayList<>();
    private final List<Object[]> callFixups = new ArrayList<>();

    /** Bytes of local memory each thread gets for out-of-line calls (recursion, function pointers). */
    static final int CALL_STACK_BYTES = 8 * 1024;

    /** A local memory layout; {@code relative} when addressed from the frame pointer. */
    static final class Frame {
        final boolean relative;
        long size;

        Frame(boolean relative) {
            this.relative = relative;
        }

        long allocate(long bytes, long align) {
            size = (size + align - 1) / align * align;
            long at = size;
            size += Math.max(bytes, 1);
            return at;
        }
    }
    /** Module variables not placed in device memory: shared ones, placed per kernel on first use. */
    private final Map<String, PtxVariable> moduleShared;

    private final PtxModule module;

    CodeBuilder(Map<String, PtxVariable> moduleShared, PtxModule module) {
        this.moduleShared = moduleShared;
        this.module = module;
    }

    // ---- allocation ----

    /** A new register's base, marked until {@link #finish} moves it past the constants. */
    int newRegister() {
        int slot = registerSlots.size();
        registerSlots.add(slot);
        return (slot << 5) | REGISTER_MARK;
    }

    void declare(Scope scope, PtxVariable v, int line) throws PtxSyntaxException {
        switch (v.space()) {
            case "reg" -> {
                int count = v.count() < 0 ? 1 : v.count();
                for (int i = 0; i < count; i++) {
                    String name = v.count() < 0 ? v.name() : v.name() + i;
                    if (v.type() == PtxType.PRED) {
                        scope.bind(name, new Binding(Kind.PRED, predicates++, PtxType.PRED, 0));
                    } else {
                        declaredRegisters += v.type().size() > 4 ? 2 : 1;
                        scope.bind(name, new Binding(Kind.REG, newRegister(), v.type(), 0));
                    }
                }
            }
            case "local", "param" -> {
                long at = frame.allocate(v.byteSize(), Math.max(1, v.align()));
                scope.bind(v.name(), new Binding(frame.relative ? Kind.FRAME : Kind.LOCAL, at, v.type(), v.byteSize()));
            }
            case "shared" -> scope.bind(v.name(), new Binding(Kind.SHARED, placeShared(v), v.type(), v.byteSize()));
            default -> throw new PtxSyntaxException(line, "." + v.space() + " variables inside a function are not supported");
        }
    }

    private long placeShared(PtxVariable v) {
        long align = Math.max(1, v.align());
        staticShared = (staticShared + align - 1) / align * align;
        long at = staticShared;
        staticShared += v.byteSize();
        return at;
    }

    /** Binds a module-scope shared variable on its first use in this kernel. */
    Binding sharedSymbol(String name) {
        PtxVariable v = moduleShared.get(name);
        if (v == null) {
            return null;
        }
        if (v.external() || v.elements() == 0) {
            if (dynamicSharedSlot < 0) {
                dynamicSharedSlot = uniqueConstant(0);
            }
            return new Binding(Kind.SHARED, -1, v.type(), 0);
        }
        Long at = sharedOffsets.get(name);
        if (at == null) {
            at = placeShared(v);
            sharedOffsets.put(name, at);
        }
        return new Binding(Kind.SHARED, at, v.type(), v.byteSize());
    }

    // ---- out-of-line functions ----

    Frame frame() {
        return frame;
    }

    /** Starts laying out an out-of-line function's frame; returns the kernel's (or caller's) frame. */
    Frame beginFrame() {
        Frame previous = frame;
        frame = new Frame(true);
        return previous;
    }

    void endFrame(Frame previous) {
        frame = previous;
    }

    boolean usesFramePointer() {
        return framePointer >= 0;
    }

    /** The register holding each thread's frame pointer (0 at the kernel's top level). */
    int framePointer() {
        if (framePointer < 0) {
            framePointer = newRegister();
        }
        return framePointer;
    }

    /** The index of an out-of-line function, queueing it for compilation on first use. */
    int outOfLine(String function) {
        return outOfLineIndex.computeIfAbsent(function, f -> {
            outOfLinePending.add(f);
            callTargets.add(null);
            return callTargets.size() - 1;
        });
    }

    /** What a pointer to the function holds (see {@link KernelCompiler#functionAddress}). */
    long functionAddress(String function) {
        return KernelCompiler.functionAddress(module, function);
    }

    /** The next out-of-line function still to compile, or null. */
    String nextPending() {
        return outOfLinePending.isEmpty() ? null : outOfLinePending.remove(0);
    }

    int registerCount() {
        return registerSlots.size();
    }

    void defineTarget(String function, int entryPc, int regLo, int regHi, long frameSize) {
        callTargets.set(outOfLineIndex.get(function), new CallTarget(function, entryPc, regLo, regHi, frameSize));
    }

    /** The CALL's new frame starts past the caller's frame, whose size is final only at {@link #finish}. */
    void callFrom(Insn call, Frame caller) {
        callFixups.add(new Object[] {call, caller});
    }

    // ---- operands ----

    /** The register base of a constant holding {@code value}, shared by equal constants. */
    int constant(long value) {
        Integer slot = constantSlots.get(value);
        if (slot == null) {
            slot = uniqueConstant(value);
            constantSlots.put(value, slot);
        }
        return slot;
    }

    private int uniqueConstant(long value) {
        constantValues.add(value);
        return (constantValues.size() - 1) << 5;
    }

    int dynamicSharedSlot() {
        return dynamicSharedSlot;
    }

    /** The register base of the slot holding a special register. */
    int special(int code) {
        return specialSlots.computeIfAbsent(code, c -> newRegister());
    }

    /** A register for results nobody reads ({@code _}). */
    int scratch() {
        if (scratch < 0) {
            scratch = newRegister();
        }
        return scratch;
    }

    /** The hidden carry flag of add.cc/addc. */
    int carry() {
        if (carry < 0) {
            carry = newRegister();
        }
        return carry;
    }

    // ---- labels ----

    void label(String key) {
        labels.put(key, code.size());
    }

    /** Resolves the branch to the first of {@code keys} (innermost label scope first) that is defined. */
    void branchTo(Insn insn, String... keys) {
        fixups.add(new Object[] {insn, keys});
    }

    int emit(Insn insn) {
        code.add(insn);
        return code.size() - 1;
    }

    // ---- finishing ----

    DecodedKernel finish(String name, io.gpumigrate.device.ParamLayout params, int maxThreads) throws PtxSyntaxException {
        for (Object[] f : fixups) {
            Insn insn = (Insn) f[0];
            String[] keys = (String[]) f[1];
            Integer target = null;
            for (int k = 0; k < keys.length && target == null; k++) {
                target = labels.get(keys[k]);
            }
            if (target == null) {
                String key = keys[keys.length - 1];
                throw new PtxSyntaxException(insn.line, "branch to undefined label " + key.substring(key.indexOf(':') + 1));
            }
            insn.target = target;
        }
        int constants = constantValues.size();
        int total = constants + registerSlots.size();
        for (Insn insn : code) {
            insn.d = relocate(insn.d, constants);
            insn.d2 = relocate(insn.d2, constants);
            insn.a = relocate(insn.a, constants);
            insn.b = relocate(insn.b, constants);
            insn.c = relocate(insn.c, constants);
            insn.e = relocate(insn.e, constants);
            if (insn.vec != null) {
                for (int i = 0; i < insn.vec.length; i++) {
                    insn.vec[i] = relocate(insn.vec[i], constants);
                }
            }
        }
        long[] values = new long[constants];
        for (int i = 0; i < constants; i++) {
            values[i] = constantValues.get(i);
        }
        int[] sSlots = new int[specialSlots.size()];
        int[] sCodes = new int[specialSlots.size()];
        int i = 0;
        for (Map.Entry<Integer, Integer> e : specialSlots.entrySet()) {
            sCodes[i] = e.getKey();
            sSlots[i] = relocate(e.getValue(), constants);
            i++;
        }
        long localBytes = (kernelFrame.size + 15) & -16L;
        for (Object[] f : callFixups) {
            ((Insn) f[0]).offset = (((Frame) f[1]).size + 15) & -16L;
        }
        CallTarget[] targets = new CallTarget[callTargets.size()];
        for (int k = 0; k < targets.length; k++) {
            CallTarget t = callTargets.get(k);
            targets[k] = new CallTarget(t.name(), t.entryPc(), t.regLo() + constants, t.regHi() + constants,
                    (t.frameSize() + 15) & -16L);
        }
        if (targets.length > 0) {
            localBytes += CALL_STACK_BYTES;
        }
        if (localBytes > Integer.MAX_VALUE / 64 || staticShared > Integer.MAX_VALUE / 2) {
            throw new PtxSyntaxException(0, "kernel " + name + " needs too much local or shared memory");
        }
        int staticSize = (int) staticShared;
        if (dynamicSharedSlot >= 0) {
            values[dynamicSharedSlot >> 5] = (staticShared + 15) & -16L;
        }
        int fp = framePointer < 0 ? -1 : relocate(framePointer, constants);
        int[] targetByFunction = new int[module.functions().size()];
        java.util.Arrays.fill(targetByFunction, -1);
        for (Map.Entry<String, Integer> e : outOfLineIndex.entrySet()) {
            long address = KernelCompiler.functionAddress(module, e.getKey());
            if (address >= 0) {
                targetByFunction[(int) (address - Space.FUNCTION_WINDOW)] = e.getValue();
            }
        }
        return new DecodedKernel(name, code.toArray(new Insn[0]), total, values, sSlots, sCodes, predicates,
                (int) localBytes, staticSize, dynamicSharedSlot, params, maxThreads,
                Math.max(1, Math.min(255, declaredRegisters)), targets, fp, targetByFunction);
    }

    /**
     * Register operands are numbered with constants first; while compiling, ordinary registers
     * carry a marker so they can be moved past the constants once their count is known.
     */
    private static int relocate(int operand, int constants) {
        if (operand < 0 || (operand & REGISTER_MARK) == 0) {
            return operand;
        }
        return (operand & ~REGISTER_MARK) + (constants << 5);
    }

    /** Marks a register (not constant) base until {@link #finish}. Predicate indices never carry it. */
    static final int REGISTER_MARK = 1 << 30;
}
