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
        builder = new CodeBuilder(moduleShared);
        ParamLayout layout = layout(entry);
        Scope scope = new Scope(moduleScope);
        for (int i = 0; i < entry.params().size(); i++) {
            PtxVariable p = entry.params().get(i);
            scope.bind(p.name(), new Binding(Kind.KPARAM, layout.offset(i), p.type(), layout.size(i)));
        }
        Deque<String> stack = new ArrayDeque<>();
        stack.push(entry.name());
        emitBody(entry, scope, null, stack);
        Insn exit = new Insn();
        exit.op = Op.EXIT;
        exit.text = "ret";
        exit.line = entry.line();
        builder.emit(exit);
        return builder.finish(entry.name(), layout, entry.maxThreads());
    }

    private void emitBody(PtxFunction f, Scope scope, String returnLabel, Deque<String> stack) throws PtxSyntaxException {
        String prefix = "i" + (instances++) + ":";
        InstructionDecoder decoder = new InstructionDecoder(builder, prefix);
        for (PtxStatement s : f.body()) {
            switch (s) {
                case PtxStatement.Open o -> scope = new Scope(scope);
                case PtxStatement.Close c -> scope = scope.parent();
                case PtxStatement.Decl d -> builder.declare(scope, d.variable(), d.variable().line());
                case PtxStatement.Label l -> builder.label(prefix + l.name());
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
        if (i >= ops.size() || !(ops.get(i) instanceof PtxOperand.Sym callee)) {
            throw new PtxSyntaxException(in.line(), "indirect calls are not supported: " + in.opcode());
        }
        i++;
        List<PtxOperand> args = i < ops.size() && ops.get(i) instanceof PtxOperand.Group g ? g.items() : List.of();
        if (in.guard() != null) {
            throw new PtxSyntaxException(in.line(), "predicated call to " + callee.name() + " is not supported");
        }
        PtxFunction target = module.function(callee.name());
        if (target == null) {
            if (callee.name().equals("vprintf")) {
                return; // device printf: output is not emulated; its result (a count) is rarely read
            }
            throw new PtxSyntaxException(in.line(), "call to " + callee.name() + ", which has no body in this module");
        }
        if (stack.contains(target.name()) || stack.size() > MAX_INLINE_DEPTH) {
            throw new PtxSyntaxException(in.line(), "recursive call to " + target.name() + " is not supported");
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
