package io.gpumigrate.ptx;

/** PTX that cannot be parsed or that uses something the emulator does not implement; names the line. */
public final class PtxSyntaxException extends Exception {

    private final int line;

    public PtxSyntaxException(int line, String message) {
        super("PTX line " + line + ": " + message);
        this.line = line;
    }

    /** 1-based line of the PTX text, 0 when unknown. */
    public int line() {
        return line;
    }
}
