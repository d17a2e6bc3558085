package io.gpumigrate.cli;

import io.gpumigrate.agent.migration.ControlConnection;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Prints a long operation's PROGRESS as lines of phase, bytes and rate: on each new phase and
 * then at most every half second. Not thread-safe (one operation's frames arrive in order).
 */
final class ProgressPrinter implements Consumer<ControlConnection.Progress> {

    private static final long INTERVAL_MICROS = 500_000;

    private final PrintWriter out;
    private final String indent;
    private String phase = "";
    private long lastMicros = -INTERVAL_MICROS;
    private long phaseStartMicros;

    ProgressPrinter(PrintWriter out, String indent) {
        this.out = out;
        this.indent = indent;
    }

    @Override
    public void accept(ControlConnection.Progress p) {
        boolean newPhase = !p.phase().equals(phase);
        if (newPhase) {
            phase = p.phase();
            phaseStartMicros = p.elapsedMicros();
        }
        boolean last = p.bytesTotal() > 0 && p.bytesDone() >= p.bytesTotal();
        if (!newPhase && !last && p.elapsedMicros() - lastMicros < INTERVAL_MICROS) {
            return;
        }
        lastMicros = p.elapsedMicros();
        double seconds = (p.elapsedMicros() - phaseStartMicros) / 1e6;
        String rate = seconds > 0 && p.bytesDone() > 0 ? "  " + rate(p.bytesDone() / seconds) : "";
        String bytes = p.bytesTotal() > 0 ? "  " + SessionTable.bytes(p.bytesDone()) + " / "
                + SessionTable.bytes(p.bytesTotal()) : "";
        out.printf(Locale.ROOT, "%s%-11s%s%s%n", indent, p.phase(), bytes, rate);
        out.flush();
    }

    static String rate(double bytesPerSecond) {
        return SessionTable.bytes((long) bytesPerSecond) + "/s";
    }
}
