package io.gpumigrate.cli;

import io.gpumigrate.agent.SessionInfo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints sessions as the table {@code ps} shows: SESSION PROGRAM NODE MEMORY CALLS STATE. Stateless. */
final class SessionTable {

    private static final String[] HEADER = {"SESSION", "PROGRAM", "NODE", "MEMORY", "CALLS", "STATE"};

    private SessionTable() {
    }

    static void print(List<SessionInfo> sessions, PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (SessionInfo s : sessions) {
            rows.add(row(s));
        }
        printRows(rows, out);
    }

    /** The cells of one session, in {@code HEADER}'s order. */
    static String[] row(SessionInfo s) {
        return new String[] {Long.toUnsignedString(s.session()), s.program(), s.node(),
                bytes(s.deviceMemoryInUse()), Long.toString(s.callsExecuted()), s.state()};
    }

    /** Prints rows (the first is the header) in aligned columns; columns 3 and 4 (memory, calls) align right. */
    static void printRows(List<String[]> rows, PrintWriter out) {
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean numeric = i == 3 || i == 4;
                String cell = numeric ? " ".repeat(widths[i] - row[i].length()) + row[i]
                        : row[i] + " ".repeat(widths[i] - row[i].length());
                line.append(cell).append(i + 1 < row.length ? "  " : "");
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** Bytes in binary units with one decimal: {@code 0 B}, {@code 512 B}, {@code 1.5 MiB}. */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit + 1 < units.length) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
