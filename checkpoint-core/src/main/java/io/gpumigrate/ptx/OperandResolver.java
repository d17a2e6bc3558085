package io.gpumigrate.ptx;

import io.gpumigrate.ptx.Scope.Binding;
import io.gpumigrate.ptx.Scope.Kind;

/** Resolves written operands to register bases, predicate indices and addresses. Not thread-safe. */
final class OperandResolver {

    private final CodeBuilder builder;
    private Scope scope;
    private int line;

    OperandResolver(CodeBuilder builder) {
        this.builder = builder;
    }

    void at(Scope scope, int line) {
        this.scope = scope;
        this.line = line;
    }

    PtxSyntaxException error(String message) {
        return new PtxSyntaxException(line, message);
    }

    Binding lookup(String name) {
        Binding b = scope.lookup(name);
        return b != null ? b : builder.sharedSymbol(name);
    }

    /** The hidden carry flag register of add.cc and friends. */
    int carryRegister() {
        return builder.carry();
    }

    /** A destination register ({@code _} writes to scratch). */
    int dst(PtxOperand o) throws PtxSyntaxException {
        if (o instanceof PtxOperand.Sink) {
            return builder.scratch();
        }
        String name = registerName(o);
        if (name != null) {
            Binding b = lookup(name);
            if (b != null && b.kind() == Kind.REG) {
                return (int) b.value();
            }
            throw error("undeclared register " + name);
        }
        throw error("expected a register, found " + o);
    }

    /** A source operand of the given type as a register base; literals and symbols become constants. */
    int src(PtxOperand o, PtxType type) throws PtxSyntaxException {
        return switch (o) {
            case PtxOperand.Reg r -> {
                int special = SpecialRegister.parse(r.name());
                if (special >= 0) {
                    if (SpecialRegister.dynamic(special)) {
                        throw error(r.name() + " can only be read by mov");
                    }
                    yield builder.special(special);
                }
                Binding b = lookup(r.name());
                if (b == null) {
                    throw error("undeclared register " + r.name());
                }
                if (b.kind() == Kind.PRED) {
                    throw error("predicate " + r.name() + " used as a value");
                }
                if (b.kind() != Kind.REG) {
                    yield builder.constant(address(b, r.name()));
                }
                yield (int) b.value();
            }
            case PtxOperand.Imm i -> builder.constant(immediate(i.value(), type));
            case PtxOperand.FImm f -> builder.constant(floatImmediate(f, type));
            case PtxOperand.Sym s when lookup(s.name()) != null && lookup(s.name()).kind() == Kind.REG ->
                    (int) lookup(s.name()).value();
            case PtxOperand.Sym s when s.name().equals("WARP_SZ") -> builder.constant(32);
            case PtxOperand.Sym s -> symbolAddress(s.name(), 0);
            case PtxOperand.Addr a when a.base() != null -> symbolAddress(a.base(), a.offset());
            default -> throw error("unsupported operand " + o);
        };
    }

    private int symbolAddress(String name, long offset) throws PtxSyntaxException {
        Binding b = lookup(name);
        if (b == null) {
            throw error("undefined symbol " + name);
        }
        if (b.kind() == Kind.SHARED && b.value() < 0) {
            if (offset != 0) {
                throw error("offset from dynamic shared array " + name + " in a mov is not supported");
            }
            return builder.dynamicSharedSlot();
        }
        if (b.kind() == Kind.REG) {
            return (int) b.value();
        }
        if (b.kind() == Kind.FUNC) {
            builder.outOfLine(name);
            return builder.constant(builder.functionAddress(name));
        }
        if (b.kind() == Kind.FRAME) {
            // frame-relative: the address is the frame pointer plus the offset, computed into a temporary
            Insn add = new Insn();
            add.op = Op.ADD;
            add.type = PtxType.U64;
            add.type2 = PtxType.U64;
            add.text = "add.u64 (address of " + name + ")";
            add.line = line;
            add.d = builder.newRegister();
            add.a = builder.framePointer();
            add.b = builder.constant(b.value() + offset);
            builder.emit(add);
            return add.d;
        }
        return builder.constant(address(b, name) + offset);
    }

    /** The address of a variable in its own state space. */
    long address(Binding b, String name) throws PtxSyntaxException {
        return switch (b.kind()) {
            case GLOBAL, LOCAL, SHARED, KPARAM -> b.value();
            default -> throw error(name + " has no address");
        };
    }

    static long immediate(long value, PtxType type) {
        return switch (type) {
            case F32 -> Float.floatToRawIntBits((float) value) & 0xFFFF_FFFFL;
            case F64 -> Double.doubleToRawLongBits((double) value);
            default -> type.normalize(value);
        };
    }

    static long floatImmediate(PtxOperand.FImm f, PtxType type) {
        double value = f.isDouble() ? Double.longBitsToDouble(f.bits()) : Float.intBitsToFloat((int) f.bits());
        return switch (type) {
            case F32 -> Float.floatToRawIntBits((float) value) & 0xFFFF_FFFFL;
            case F64 -> Double.doubleToRawLongBits(value);
            case F16 -> Float.floatToFloat16((float) value) & 0xFFFFL;
            default -> type.normalize(f.bits());
        };
    }

    /** A predicate operand: its index; {@code negated[0]} is set for {@code !p}. */
    int pred(PtxOperand o, boolean[] negated) throws PtxSyntaxException {
        if (o instanceof PtxOperand.Not n) {
            if (negated == null) {
                throw error("negated predicate not allowed here");
            }
            negated[0] = true;
            return pred(n.inner(), null);
        }
        String name = registerName(o);
        if (name != null) {
            Binding b = lookup(name);
            if (b != null && b.kind() == Kind.PRED) {
                return (int) b.value();
            }
            throw error("undeclared predicate " + name);
        }
        throw error("expected a predicate, found " + o);
    }

    /** The name of a register operand; inline assembly may declare registers without a '%'. */
    private static String registerName(PtxOperand o) {
        return switch (o) {
            case PtxOperand.Reg r -> r.name();
            case PtxOperand.Sym s -> s.name();
            default -> null;
        };
    }

    /**
     * Fills a memory operand's base register and offset; returns the state space its symbol
     * lives in, or -1 when the base is a register or absolute.
     */
    int memory(PtxOperand o, Insn insn) throws PtxSyntaxException {
        if (!(o instanceof PtxOperand.Addr a)) {
            throw error("expected a memory operand [..], found " + o);
        }
        insn.offset = a.offset();
        if (a.base() == null) {
            insn.a = builder.constant(0);
            return -1;
        }
        if (a.base().startsWith("%")) {
            Binding b = lookup(a.base());
            if (b == null) {
                throw error("undeclared register " + a.base());
            }
            if (b.kind() == Kind.REG) {
                insn.a = (int) b.value();
                return -1;
            }
        }
        Binding b = lookup(a.base());
        if (b == null) {
            throw error("undefined symbol " + a.base());
        }
        switch (b.kind()) {
            case SHARED -> {
                insn.a = b.value() < 0 ? builder.dynamicSharedSlot() : builder.constant(b.value());
                return Space.SHARED;
            }
            case GLOBAL -> {
                insn.a = builder.constant(b.value());
                return Space.GLOBAL;
            }
            case LOCAL -> {
                insn.a = builder.constant(b.value());
                return Space.LOCAL;
            }
            case FRAME -> {
                insn.a = builder.framePointer();
                insn.offset += b.value();
                return Space.LOCAL;
            }
            case KPARAM -> {
                insn.a = builder.constant(b.value());
                return Space.KPARAM;
            }
            case REG -> {
                insn.a = (int) b.value();
                return -1;
            }
            default -> throw error(a.base() + " is not addressable");
        }
    }
}
