package io.gpumigrate.ptx;

import io.gpumigrate.ptx.PtxLexer.Kind;
import io.gpumigrate.ptx.PtxLexer.Token;

/** PTX integer literals (decimal, hex, octal, binary, U suffix) and float literals (0f, 0d, decimal). Stateless. */
final class PtxLiterals {

    private PtxLiterals() {
    }

    static long parseInt(Token t) throws PtxSyntaxException {
        String s = t.text();
        if (t.kind() != Kind.INT) {
            throw new PtxSyntaxException(t.line(), "expected an integer, found " + t);
        }
        if (s.endsWith("U") || s.endsWith("u")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            if (s.startsWith("0b") || s.startsWith("0B")) {
                return Long.parseUnsignedLong(s.substring(2), 2);
            }
            if (s.length() > 1 && s.startsWith("0")) {
                return Long.parseUnsignedLong(s.substring(1), 8);
            }
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new PtxSyntaxException(t.line(), "bad integer literal " + t);
        }
    }

    static PtxOperand.FImm parseFloat(Token t) throws PtxSyntaxException {
        String s = t.text();
        try {
            if (s.length() > 2 && (s.charAt(1) == 'f' || s.charAt(1) == 'F')) {
                return new PtxOperand.FImm(Long.parseUnsignedLong(s.substring(2), 16), false);
            }
            if (s.length() > 2 && (s.charAt(1) == 'd' || s.charAt(1) == 'D')) {
                return new PtxOperand.FImm(Long.parseUnsignedLong(s.substring(2), 16), true);
            }
            return new PtxOperand.FImm(Double.doubleToRawLongBits(Double.parseDouble(s)), true);
        } catch (NumberFormatException e) {
            throw new PtxSyntaxException(t.line(), "bad float literal " + t);
        }
    }
}
