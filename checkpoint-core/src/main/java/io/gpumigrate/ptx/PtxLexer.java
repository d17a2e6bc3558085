package io.gpumigrate.ptx;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits PTX text into tokens. Identifiers keep their dots and sigils ({@code ld.global.f32},
 * {@code %tid.x}, {@code $L__BB0_2}, {@code .reg}); comments are dropped. Not thread-safe.
 */
final class PtxLexer {

    enum Kind { IDENT, INT, FLOAT, STRING, PUNCT, END }

    record Token(Kind kind, String text, int line) {
        boolean is(String s) {
            return text.equals(s) && kind != Kind.STRING;
        }

        @Override
        public String toString() {
            return kind == Kind.END ? "end of input" : "'" + text + "'";
        }
    }

    private PtxLexer() {
    }

    static List<Token> tokenize(String src) throws PtxSyntaxException {
        List<Token> out = new ArrayList<>();
        int line = 1;
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                int end = src.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new PtxSyntaxException(line, "unterminated comment");
                }
                for (int k = i; k < end; k++) {
                    if (src.charAt(k) == '\n') {
                        line++;
                    }
                }
                i = end + 2;
            } else if (c == '"') {
                int end = src.indexOf('"', i + 1);
                if (end < 0) {
                    throw new PtxSyntaxException(line, "unterminated string");
                }
                out.add(new Token(Kind.STRING, src.substring(i + 1, end), line));
                i = end + 1;
            } else if (Character.isDigit(c)) {
                int start = i;
                Kind kind = Kind.INT;
                if (c == '0' && i + 1 < n && (src.charAt(i + 1) == 'f' || src.charAt(i + 1) == 'F'
                        || src.charAt(i + 1) == 'd' || src.charAt(i + 1) == 'D')) {
                    kind = Kind.FLOAT;
                    i += 2;
                    while (i < n && Character.digit(src.charAt(i), 16) >= 0) {
                        i++;
                    }
                } else {
                    while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '.')) {
                        char d = src.charAt(i);
                        if (d == '.' || ((d == 'e' || d == 'E') && !src.startsWith("0x", start) && !src.startsWith("0X", start))) {
                            kind = Kind.FLOAT;
                            if ((d == 'e' || d == 'E') && i + 1 < n && (src.charAt(i + 1) == '-' || src.charAt(i + 1) == '+')) {
                                i++;
                            }
                        }
                        i++;
                    }
                }
                out.add(new Token(kind, src.substring(start, i), line));
            } else if (isIdentStart(c)) {
                int start = i++;
                while (i < n && isIdentPart(src.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.IDENT, src.substring(start, i), line));
            } else if ("{}[]()<>,;:+-@!|=".indexOf(c) >= 0) {
                out.add(new Token(Kind.PUNCT, String.valueOf(c), line));
                i++;
            } else {
                throw new PtxSyntaxException(line, "unexpected character '" + c + "'");
            }
        }
        out.add(new Token(Kind.END, "", line));
        return out;
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '%' || c == '$' || c == '.';
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.';
    }
}
