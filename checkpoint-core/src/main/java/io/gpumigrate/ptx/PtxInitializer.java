package io.gpumigrate.ptx;

import io.gpumigrate.ptx.PtxLexer.Kind;
import io.gpumigrate.ptx.PtxLexer.Token;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Reads a module variable's initializer ({@code = 5}, {@code = {1, 2, {3, 4}}}) into little-endian bytes. */
final class PtxInitializer {

    private PtxInitializer() {
    }

    static byte[] parse(PtxParser p, PtxType type, long elements, int line, List<PtxVariable.Relocation> relocations)
            throws PtxSyntaxException {
        long count = Math.max(elements, 1);
        if (count * type.size() > (64 << 20)) {
            throw new PtxSyntaxException(line, "initializer of " + count * type.size() + " bytes is too large");
        }
        ByteBuffer out = ByteBuffer.allocate((int) (count * type.size())).order(ByteOrder.LITTLE_ENDIAN);
        values(p, type, out, line, relocations);
        return out.array();
    }

    private static void values(PtxParser p, PtxType type, ByteBuffer out, int line,
                               List<PtxVariable.Relocation> relocations) throws PtxSyntaxException {
        if (p.peek().is("{")) {
            p.next();
            while (!p.peek().is("}")) {
                values(p, type, out, line, relocations);
                if (p.peek().is(",")) {
                    p.next();
                }
            }
            p.next();
            return;
        }
        boolean negative = false;
        Token t = p.next();
        if (t.is("-")) {
            negative = true;
            t = p.next();
        }
        long bits;
        if (t.kind() == Kind.IDENT && !negative) {
            String symbol = t.text();
            if (symbol.equals("generic") && p.peek().is("(")) {
                p.next();
                symbol = p.next().text();
                p.expect(")");
            }
            long addend = 0;
            if (p.peek().is("+")) {
                p.next();
                addend = PtxLiterals.parseInt(p.next());
            }
            if (type.size() < 4) {
                throw new PtxSyntaxException(t.line(), "address of " + symbol + " does not fit a ." + type.name().toLowerCase());
            }
            relocations.add(new PtxVariable.Relocation(out.position(), type.size(), symbol, addend));
            bits = 0;
        } else if (t.kind() == Kind.INT) {
            long v = PtxLiterals.parseInt(t);
            v = negative ? -v : v;
            bits = switch (type) {
                case F32 -> Float.floatToRawIntBits((float) v);
                case F64 -> Double.doubleToRawLongBits(v);
                default -> v;
            };
        } else if (t.kind() == Kind.FLOAT) {
            PtxOperand.FImm f = PtxLiterals.parseFloat(t);
            double d = f.isDouble() ? Double.longBitsToDouble(f.bits()) : Float.intBitsToFloat((int) f.bits());
            d = negative ? -d : d;
            bits = switch (type) {
                case F32 -> Float.floatToRawIntBits((float) d);
                case F64 -> Double.doubleToRawLongBits(d);
                default -> (long) d;
            };
        } else {
            throw new PtxSyntaxException(t.line(), "initializer " + t + " is not supported (only numbers are)");
        }
        if (out.remaining() < type.size()) {
            throw new PtxSyntaxException(line, "initializer has more values than the variable holds");
        }
        switch (type.size()) {
            case 1 -> out.put((byte) bits);
            case 2 -> out.putShort((short) bits);
            case 4 -> out.putInt((int) bits);
            default -> out.putLong(bits);
        }
    }
}
