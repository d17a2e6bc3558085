package io.gpumigrate.ptx;

import io.gpumigrate.device.ParamLayout;
import io.gpumigrate.ptx.Scope.Binding;
import io.gpumigrate.ptx.Scope.Kind;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a parsed kernel into a {@link DecodedKernel}: resolves names to register slots and
 * addresses, inlines the device functions it calls (each call site gets its own registers,
 * local frame and labels; {@code ret} becomes a branch to the call's continuation) and decodes
 * every instruction. Anything the interpreter cannot run is rejected here, naming the
 * instruction and its line. Not thread-safe; one instance per module.
 */
public final class KernelCompiler {

    private static final int MAX_INLINE_DEPTH = 32;

    private final PtxModule module;
    private final Scope moduleScope = new Scope(null);
    private final Map<String, PtxVariable> moduleShared = new HashMap<>();
    private CodeBuilder builder;
    private int instances;

    /** @param globalAddresses device address of every module {@code .global} and {@code .const} variable */
    public KernelCompiler(PtxModule module, Map<String, Long> globalAddresses) {
        this.module = module;
        for (PtxVariable v : module.variables()) {
            if (v.space().equals("shared")) {
                moduleShared.put(v.name(), v);
            } else if (globalAddresses.containsKey(v.name())) {
                moduleScope.bind(v.name(), new Binding(Kind.GLOBAL, globalAddresses.get(v.name()), v.type(), v.byteSize()));
            }
        }
        for (PtxFunction f : module.functions()) {
            moduleScope.bind(f.name(), new Binding(Kind.FUNC, 0, null, 0));
        }
    }

    /**
     * What a pointer to device function {@code name} holds: a value in the function window,
     * the same for every kernel of the module; -1 when the module has no such function.
     */
    public static long functionAddress(PtxModule module, String name) {
        List<PtxFunction> fs = module.functions();
        for (int i = 0; i < fs.size(); i++) {
            if (fs.get(i).name().equals(name)) {
                return Space.FUNCTION_WINDOW + i;
            }
        }
        return -1;
    }

    /** The parameter layout of a kernel: each parameter at its alignment, in declaration order. */
    public static ParamLayout layout(PtxFunction f) {
        List<int[]> out = new ArrayList<>();
        int offset = 0;
        for (PtxVariable p : f.params()) {
            int align = Math.max(1, p.align());
            offset = (offset + align - 1) / align * align;
            int size = (int) Math.max(p.byteSize(), 1);
            out.add(new int[] {offset, size});
            offset += size;
        }
        return ParamLayout.of(out);
    }

    /** Compiles the kernel {@code entry} of this module. */
    public DecodedKernel compile(PtxFunction entry) throws PtxSyntaxException {
        builder = new CodeBuilder(moduleShared, module);
        ParamLayout layout = layout(entry);
        Scope scope = new Scope(moduleScope);
        for (int i = 0; i < entry.params().size(); i++) {
            PtxVariable p = entry.params().get(i);
            scope.bind(p.name(), new Binding(Kind.KPARAM, layout.offset(i), p.type(), layout.size(i)));
        }
        Insn start = new Insn();
        start.op = Op.NOP;
        start.text = "(frame pointer setup)";
        start.line = entry.line();
        builder.emit(start);
        Deque<String> stack = new ArrayDeque<>();
        stack.push(entry.name());
        emitBody(entry, scope, null, stack);
        emitEnd(Op.EXIT, entry.line());
        for (String name = builder.nextPending(); name != null; name = builder.nextPending()) {
            compileOutOfLine(name);
        }
        if (builder.usesFramePointer()) {
            start.op = Op.MOV;
            start.d = builder.framePointer();
            start.a = builder.constant(0);
            start.type = PtxType.U64;
        }
        return builder.finish(entry.name(), layout, entry.maxThreads());
    }

    private void emitEnd(int op, int line) {
        Insn end = new Insn();
        end.op = op;
        end.text = "ret";
        end.line = line;
        builder.emit(end);
    }

    /**
     * Compiles a device function that cannot be inlined (recursive, or called through a
     * pointer) once, after the kernel's code: its locals live in a frame addressed from the
     * frame pointer, with its return values and then its parameters at the frame's start.
     */
    private void compileOutOfLine(String name) throws PtxSyntaxException {
        PtxFunction f = module.function(name);
        if (f == null) {
            throw new PtxSyntaxException(0, "call to " + name + ", which has no body in this module");
        }
        CodeBuilder.Frame previous = builder.beginFrame();
        int entryPc = builder.code.size();
        int regLo = builder.registerCount();
        Scope scope = new Scope(moduleScope);
        for (List<PtxVariable> group : List.of(f.returns(), f.params())) {
            for (PtxVariable v : group) {
                long size = Math.max(1, v.byteSize());
                long at = builder.frame().allocate(size, argumentAlignment(size));
                scope.bind(v.name(), new Binding(Kind.FRAME, at, v.type(), v.byteSize()));
            }
        }
        Deque<String> stack = new ArrayDeque<>();
        stack.push(name);
        emitBody(f, scope, InstructionDecoder.OUT_OF_LINE, stack);
        emitEnd(Op.RET, f.line());
        builder.defineTarget(name, entryPc, regLo, builder.registerCount(), builder.frame().size);
        builder.endFrame(previous);
    }

    private void emitBody(PtxFunction f, Scope scope, String returnLabel, Deque<String> stack) throws PtxSyntaxException {
        String prefix = "i" + (instances++) + ":";
        Deque<String> labelScopes = new ArrayDeque<>();
        labelScopes.push(prefix);
        int blocks = 0;
        InstructionDecoder decoder = new InstructionDecoder(builder, labelScopes);
        for (PtxStatement s : f.body()) {
            switch (s) {
                case PtxStatement.Open o -> {
                    scope = new Scope(scope);
                    labelScopes.push(prefix + "{" + (blocks++) + "}");
                }
                case PtxStatement.Close c -> {
                    scope = scope.parent();
                    labelScopes.pop();
                }
                case PtxStatement.Decl d -> builder.declare(scope, d.variable(), d.variable().line());
                case PtxStatement.Label l -> builder.label(labelScopes.peek() + l.name());
                case PtxStatement.Instr in -> {
                    if (in.opcode().equals("call") || in.opcode().startsWith("call.")) {
                        emitCall(in, scope, stack);
                    } else if (in.opcode().equals("ret") || in.opcode().startsWith("ret.")) {
                        decoder.ret(in, scope, returnLabel);
                    } else {
                        decoder.decode(in, scope);
                    }
                }
            }
        }
    }

    private void emitCall(PtxStatement.Instr in, Scope scope, Deque<String> stack) throws PtxSyntaxException {
        List<PtxOperand> ops = in.operands();
        int i = 0;
        List<PtxOperand> rets = List.of();
        if (i < ops.size() && ops.get(i) instanceof PtxOperand.Group g) {
            rets = g.items();
            i++;
        }
        if (i >= ops.size()) {
            throw new PtxSyntaxException(in.line(), "call without a target");
        }
        PtxOperand targetOperand = ops.get(i++);
        List<PtxOperand> args = i < ops.size() && ops.get(i) instanceof PtxOperand.Group g ? g.items() : List.of();
        if (!(targetOperand instanceof PtxOperand.Sym callee) || scope.lookup(callee.name()) == null
                || scope.lookup(callee.name()).kind() != Kind.FUNC) {
            for (PtxFunction f : module.functions()) {
                if (!f.entry() && f.body() != null) {
                    builder.outOfLine(f.name()); // any of them may be the target
                }
            }
            emitOutOfLineCall(in, scope, targetOperand, null, args, rets);
            return;
        }
        PtxFunction target = module.function(callee.name());
        if (target == null && DeviceRuntime.provides(callee.name())) {
            builder.emit(DeviceRuntime.decodeCall(in, scope, builder, callee.name(), args, rets));
            return;
        }
        if (target != null && stack.contains(target.name())) {
            emitOutOfLineCall(in, scope, targetOperand, target, args, rets);
            return;
        }
        if (in.guard() != null) {
            throw new PtxSyntaxException(in.line(), "predicated call to " + callee.name() + " is not supported");
        }
        if (target == null) {
            throw new PtxSyntaxException(in.line(), "call to " + callee.name() + ", which has no body in this module");
        }
        if (stack.size() > MAX_INLINE_DEPTH) {
            throw new PtxSyntaxException(in.line(), "calls nest deeper than " + MAX_INLINE_DEPTH + " at " + target.name());
        }
        Scope callee2 = new Scope(moduleScope);
        bindArguments(in, scope, callee2, target.params(), args);
        bindArguments(in, scope, callee2, target.returns(), rets);
        String returnLabel = "ret" + (instances) + ":" + target.name();
        stack.push(target.name());
        emitBody(target, callee2, returnLabel, stack);
        stack.pop();
        builder.label(returnLabel);
    }

    /**
     * A call through the call stack: arguments are copied into the callee's new frame and
     * results back when it returns (see {@link CallOps}). {@code target} is null for calls
     * through a function pointer.
     */
    private void emitOutOfLineCall(PtxStatement.Instr in, Scope scope, PtxOperand targetOperand, PtxFunction target,
                                   List<PtxOperand> args, List<PtxOperand> rets) throws PtxSyntaxException {
        Insn call = new Insn();
        call.op = Op.CALL;
        call.text = in.opcode();
        call.line = in.line();
        if (in.guard() != null) {
            call.guard = (int) scope.lookup(in.guard()).value();
            call.guardNegated = in.negated();
        }
        call.e = builder.framePointer();
        if (target != null) {
            call.mode = builder.outOfLine(target.name());
        } else {
            call.mode = -1;
            OperandResolver resolver = new OperandResolver(builder);
            resolver.at(scope, in.line());
            call.a = resolver.src(targetOperand, PtxType.U64);
        }
        CodeBuilder.Frame layout = new CodeBuilder.Frame(true);
        call.vec = new int[3 * (rets.size() + args.size())];
        int k = 0;
        for (List<PtxOperand> group : List.of(rets, args)) {
            for (PtxOperand o : group) {
                if (!(o instanceof PtxOperand.Sym sym) || scope.lookup(sym.name()) == null) {
                    throw new PtxSyntaxException(in.line(), "call argument " + o + " is not a declared .param");
                }
                Binding b = scope.lookup(sym.name());
                if (b.kind() != Kind.LOCAL && b.kind() != Kind.FRAME) {
                    throw new PtxSyntaxException(in.line(), "call argument " + sym.name() + " is not a .param variable");
                }
                long size = Math.max(1, b.size());
                call.vec[k++] = (int) b.value();
                call.vec[k++] = (int) layout.allocate(size, argumentAlignment(size));
                call.vec[k++] = (int) size;
            }
        }
        call.size = rets.size();
        builder.callFrom(call, builder.frame());
        builder.emit(call);
    }

    /** Caller and callee lay out call arguments alike, from their sizes alone. */
    private static long argumentAlignment(long size) {
        return Math.min(8, Long.highestOneBit(size));
    }

    private void bindArguments(PtxStatement.Instr in, Scope caller, Scope callee, List<PtxVariable> formals,
                               List<PtxOperand> actuals) throws PtxSyntaxException {
        if (formals.size() != actuals.size()) {
            throw new PtxSyntaxException(in.line(), "call passes " + actuals.size() + " values where "
                    + formals.size() + " are declared");
        }
        for (int k = 0; k < formals.size(); k++) {
            if (!(actuals.get(k) instanceof PtxOperand.Sym sym)) {
                throw new PtxSyntaxException(in.line(), "call argument " + actuals.get(k) + " is not a .param variable");
            }
            Binding b = caller.lookup(sym.name());
            if (b == null || (b.kind() != Kind.LOCAL && b.kind() != Kind.REG)) {
                throw new PtxSyntaxException(in.line(), "call argument " + sym.name() + " is not a declared .param");
            }
            callee.bind(formals.get(k).name(), b);
        }
    }
}
