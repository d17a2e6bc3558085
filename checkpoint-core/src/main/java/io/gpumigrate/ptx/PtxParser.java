package io.gpumigrate.ptx;

import io.gpumigrate.ptx.PtxLexer.Kind;
import io.gpumigrate.ptx.PtxLexer.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses PTX text (as nvcc and clang emit it) into a {@link PtxModule}. Only the syntax is
 * checked here; whether each instruction is supported is decided by {@link KernelCompiler}.
 * Debug directives ({@code .file}, {@code .loc}, {@code .section}) are skipped. Not thread-safe.
 */
public final class PtxParser {

    private final List<Token> tokens;
    private int pos;

    private PtxParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Parses a whole module. */
    public static PtxModule parse(String text) throws PtxSyntaxException {
        return new PtxParser(PtxLexer.tokenize(text)).module();
    }

    private PtxModule module() throws PtxSyntaxException {
        String version = null;
        String target = null;
        int addressSize = 64;
        List<PtxVariable> vars = new ArrayList<>();
        List<PtxFunction> funcs = new ArrayList<>();
        while (peek().kind() != Kind.END) {
            Token t = next();
            switch (t.text()) {
                case ".version" -> version = next().text();
                case ".target" -> {
                    target = next().text();
                    while (peek().is(",")) {
                        next();
                        next();
                    }
                }
                case ".address_size" -> addressSize = (int) PtxLiterals.parseInt(next());
                case ".file" -> skipLine(t.line());
                case ".section" -> skipSection();
                case ".visible", ".extern", ".weak", ".common" -> {
                    boolean external = t.is(".extern");
                    Token what = peek();
                    if (what.is(".entry") || what.is(".func")) {
                        next();
                        funcs.add(function(what.is(".entry") || what.text().equals(".entry"), what));
                    } else if (what.is(".visible") || what.is(".weak")) {
                        // e.g. ".extern .visible" is not valid, but ".weak .visible" does not exist either
                        next();
                    } else {
                        String space = next().text();
                        vars.add(variable(space.substring(1), external, t.line()));
                    }
                }
                case ".entry", ".func" -> funcs.add(function(t.is(".entry"), t));
                case ".global", ".const", ".shared" -> vars.add(variable(t.text().substring(1), false, t.line()));
                default -> throw new PtxSyntaxException(t.line(), "unexpected " + t + " at module scope");
            }
        }
        if (version == null || target == null) {
            throw new PtxSyntaxException(1, "not PTX: no .version/.target directives");
        }
        return new PtxModule(version, target, addressSize, vars, funcs);
    }

    private PtxFunction function(boolean entry, Token keyword) throws PtxSyntaxException {
        List<PtxVariable> returns = new ArrayList<>();
        if (peek().is("(")) {
            returns = paramList();
        }
        String name = expect(Kind.IDENT).text();
        List<PtxVariable> params = peek().is("(") ? paramList() : new ArrayList<>();
        int maxThreads = 0;
        while (peek().kind() == Kind.IDENT && peek().text().startsWith(".")) {
            String d = next().text();
            switch (d) {
                case ".maxntid", ".reqntid" -> {
                    int product = (int) PtxLiterals.parseInt(next());
                    while (peek().is(",")) {
                        next();
                        product *= (int) PtxLiterals.parseInt(next());
                    }
                    maxThreads = product;
                }
                case ".minnctapersm", ".maxnreg", ".maxclusterrank" -> next();
                case ".reqnctapercluster", ".explicitcluster" -> {
                    while (!peek().is("{") && !peek().is(";") && peek().kind() != Kind.END) {
                        next();
                    }
                }
                case ".noreturn" -> { }
                default -> throw new PtxSyntaxException(keyword.line(), "unknown function directive " + d);
            }
        }
        if (peek().is(";")) {
            next();
            return new PtxFunction(name, entry, params, returns, null, maxThreads, keyword.line());
        }
        expect("{");
        List<PtxStatement> body = new ArrayList<>();
        block(body);
        return new PtxFunction(name, entry, params, returns, body, maxThreads, keyword.line());
    }

    private List<PtxVariable> paramList() throws PtxSyntaxException {
        expect("(");
        List<PtxVariable> out = new ArrayList<>();
        while (!peek().is(")")) {
            Token start = next();
            if (!start.is(".param") && !start.is(".reg")) {
                throw new PtxSyntaxException(start.line(), "expected .param, found " + start);
            }
            out.add(declaration(start.text().substring(1), false, start.line()));
            if (peek().is(",")) {
                next();
            }
        }
        next();
        return out;
    }

    /** Statements up to the matching close brace (consumed). */
    private void block(List<PtxStatement> body) throws PtxSyntaxException {
        while (true) {
            Token t = next();
            if (t.kind() == Kind.END) {
                throw new PtxSyntaxException(t.line(), "missing '}' at end of input");
            }
            if (t.is("}")) {
                return;
            }
            if (t.is("{")) {
                body.add(new PtxStatement.Open(t.line()));
                block(body);
                body.add(new PtxStatement.Close(t.line()));
                continue;
            }
            if (t.kind() == Kind.IDENT && peek().is(":") && !t.text().startsWith(".")) {
                next();
                body.add(new PtxStatement.Label(t.text(), t.line()));
                continue;
            }
            switch (t.text()) {
                case ".reg", ".local", ".shared", ".param", ".const", ".global" -> {
                    body.addAll(declarations(t.text().substring(1), t.line()));
                    continue;
                }
                case ".callprototype" -> {
                    while (!peek().is(";") && peek().kind() != Kind.END) {
                        next();
                    }
                    next();
                    continue;
                }
                case ".pragma", ".loc", ".file" -> {
                    skipLine(t.line());
                    if (peek().is(";")) {
                        next();
                    }
                    continue;
                }
                default -> { }
            }
            body.add(instruction(t));
        }
    }

    private List<PtxStatement> declarations(String space, int line) throws PtxSyntaxException {
        List<PtxStatement> out = new ArrayList<>();
        PtxVariable first = declaration(space, false, line);
        out.add(new PtxStatement.Decl(first));
        while (peek().is(",")) {
            next();
            Token name = expect(Kind.IDENT);
            out.add(new PtxStatement.Decl(withName(first, name.text(), rangeCount())));
        }
        expect(";");
        return out;
    }

    private PtxVariable withName(PtxVariable v, String name, int count) {
        return new PtxVariable(v.space(), name, v.type(), v.align(), count, v.elements(), null, false, v.line(),
                java.util.List.of());
    }

    private PtxStatement instruction(Token first) throws PtxSyntaxException {
        String guard = null;
        boolean negated = false;
        Token op = first;
        if (first.is("@")) {
            if (peek().is("!")) {
                next();
                negated = true;
            }
            guard = expect(Kind.IDENT).text();
            op = expect(Kind.IDENT);
        }
        if (op.kind() != Kind.IDENT) {
            throw new PtxSyntaxException(op.line(), "expected an instruction, found " + op);
        }
        List<PtxOperand> operands = new ArrayList<>();
        while (!peek().is(";")) {
            operands.add(PtxOperandParser.operand(this));
            if (peek().is(",")) {
                next();
            } else if (!peek().is(";")) {
                throw new PtxSyntaxException(peek().line(), "expected ',' or ';' after operand of "
                        + op.text() + ", found " + peek());
            }
        }
        next();
        return new PtxStatement.Instr(guard, negated, op.text(), operands, op.line());
    }

    /** {@code [.align N] [.v2|.v4] [.ptr ...] .type name[<N>][[dims]] [= init]} after the space keyword. */
    private PtxVariable declaration(String space, boolean external, int line) throws PtxSyntaxException {
        int align = 0;
        int vector = 1;
        PtxType type = null;
        while (true) {
            Token t = next();
            if (t.is(".align")) {
                align = (int) PtxLiterals.parseInt(next());
            } else if (t.is(".v2") || t.is(".v4") || t.is(".v8")) {
                vector = Integer.parseInt(t.text().substring(2));
            } else if (t.is(".ptr") || t.is(".global") || t.is(".const") || t.is(".shared") || t.is(".local")) {
                continue;
            } else if (t.kind() == Kind.IDENT && t.text().startsWith(".") && PtxType.parse(t.text()) != null) {
                type = PtxType.parse(t.text());
            } else if (t.kind() == Kind.IDENT && type != null) {
                int count = rangeCount();
                long elements = vector;
                while (peek().is("[")) {
                    next();
                    if (peek().is("]")) {
                        elements = 0;
                    } else {
                        elements *= PtxLiterals.parseInt(next());
                    }
                    expect("]");
                }
                byte[] init = null;
                List<PtxVariable.Relocation> relocations = new ArrayList<>();
                if (peek().is("=")) {
                    next();
                    init = PtxInitializer.parse(this, type, elements, line, relocations);
                }
                int a = align > 0 ? align : type.size() * vector;
                return new PtxVariable(space, t.text(), type, a, count, elements, init, external, line, relocations);
            } else {
                throw new PtxSyntaxException(t.line(), "unexpected " + t + " in ." + space + " declaration");
            }
        }
    }

    private PtxVariable variable(String space, boolean external, int line) throws PtxSyntaxException {
        PtxVariable v = declaration(space, external, line);
        expect(";");
        return v;
    }

    private int rangeCount() throws PtxSyntaxException {
        if (!peek().is("<")) {
            return -1;
        }
        next();
        int count = (int) PtxLiterals.parseInt(next());
        expect(">");
        return count;
    }

    private void skipLine(int line) {
        while (peek().kind() != Kind.END && peek().line() == line && !peek().is(";")) {
            next();
        }
    }

    private void skipSection() {
        next();
        int depth = 0;
        while (peek().kind() != Kind.END) {
            Token t = next();
            if (t.is("{")) {
                depth++;
            } else if (t.is("}") && --depth <= 0) {
                return;
            }
        }
    }

    Token peek() {
        return tokens.get(pos);
    }

    Token peekAhead(int n) {
        return tokens.get(Math.min(pos + n, tokens.size() - 1));
    }

    Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Kind.END) {
            pos++;
        }
        return t;
    }

    Token expect(String text) throws PtxSyntaxException {
        Token t = next();
        if (!t.is(text)) {
            throw new PtxSyntaxException(t.line(), "expected '" + text + "', found " + t);
        }
        return t;
    }

    private Token expect(Kind kind) throws PtxSyntaxException {
        Token t = next();
        if (t.kind() != kind) {
            throw new PtxSyntaxException(t.line(), "expected " + kind.name().toLowerCase() + ", found " + t);
        }
        return t;
    }
}
