package io.gpumigrate.ptx;

import io.gpumigrate.ptx.PtxLexer.Kind;
import io.gpumigrate.ptx.PtxLexer.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses one instruction operand: registers, literals, symbols, {@code [base+offset]}
 * addresses, {@code {vectors}}, {@code (argument lists)}, {@code !p} and {@code d|p}.
 * Stateless; reads tokens from a {@link PtxParser}.
 */
final class PtxOperandParser {

    private PtxOperandParser() {
    }

    static PtxOperand operand(PtxParser p) throws PtxSyntaxException {
        Token t = p.next();
        PtxOperand result;
        if (t.is("!")) {
            return new PtxOperand.Not(operand(p));
        } else if (t.is("-")) {
            Token num = p.next();
            if (num.kind() == Kind.INT) {
                result = new PtxOperand.Imm(-PtxLiterals.parseInt(num));
            } else if (num.kind() == Kind.FLOAT) {
                PtxOperand.FImm f = PtxLiterals.parseFloat(num);
                result = new PtxOperand.FImm(f.bits() ^ (f.isDouble() ? Long.MIN_VALUE : 0x8000_0000L), f.isDouble());
            } else {
                throw new PtxSyntaxException(num.line(), "expected a number after '-', found " + num);
            }
        } else if (t.kind() == Kind.INT) {
            result = new PtxOperand.Imm(PtxLiterals.parseInt(t));
        } else if (t.kind() == Kind.FLOAT) {
            result = PtxLiterals.parseFloat(t);
        } else if (t.is("[")) {
            result = address(p);
        } else if (t.is("{")) {
            List<PtxOperand> items = new ArrayList<>();
            while (!p.peek().is("}")) {
                items.add(operand(p));
                if (p.peek().is(",")) {
                    p.next();
                }
            }
            p.next();
            result = new PtxOperand.Vec(items);
        } else if (t.is("(")) {
            List<PtxOperand> items = new ArrayList<>();
            while (!p.peek().is(")")) {
                items.add(operand(p));
                if (p.peek().is(",")) {
                    p.next();
                }
            }
            p.next();
            result = new PtxOperand.Group(items);
        } else if (t.kind() == Kind.IDENT) {
            if (t.text().equals("_")) {
                result = new PtxOperand.Sink();
            } else if (t.text().startsWith("%")) {
                result = new PtxOperand.Reg(t.text());
            } else {
                result = new PtxOperand.Sym(t.text());
                if (p.peek().is("+") && p.peekAhead(1).kind() == Kind.INT) {
                    p.next();
                    long off = PtxLiterals.parseInt(p.next());
                    result = new PtxOperand.Addr(t.text(), off);
                }
            }
        } else {
            throw new PtxSyntaxException(t.line(), "unexpected " + t + " in operand");
        }
        if (p.peek().is("|")) {
            p.next();
            result = new PtxOperand.Pair(result, operand(p));
        }
        return result;
    }

    private static PtxOperand address(PtxParser p) throws PtxSyntaxException {
        String base = null;
        long offset = 0;
        Token t = p.next();
        if (t.kind() == Kind.IDENT) {
            base = t.text();
            if (p.peek().is(",")) {
                // texture/surface style [tex, coords]: kept as a group for the decoder to refuse by name
                List<PtxOperand> items = new ArrayList<>();
                items.add(new PtxOperand.Sym(base));
                while (p.peek().is(",")) {
                    p.next();
                    items.add(operand(p));
                }
                p.expect("]");
                return new PtxOperand.Group(items);
            }
            t = p.next();
        } else if (t.kind() == Kind.INT) {
            offset = PtxLiterals.parseInt(t);
            t = p.next();
        }
        while (t.is("+") || t.is("-")) {
            boolean minus = t.is("-");
            Token n = p.next();
            long sign = minus ? -1 : 1;
            if (n.is("-")) {
                sign = -sign;
                n = p.next();
            }
            if (n.kind() != Kind.INT) {
                throw new PtxSyntaxException(n.line(), "expected an offset in address, found " + n);
            }
            offset += sign * PtxLiterals.parseInt(n);
            t = p.next();
        }
        if (!t.is("]")) {
            throw new PtxSyntaxException(t.line(), "expected ']' in address, found " + t);
        }
        return new PtxOperand.Addr(base, offset);
    }

}
