package io.gpumigrate.cli;

import io.gpumigrate.agent.SessionInfo;
import io.gpumigrate.replay.retention.StoredLog;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ps --all}: the agent's sessions, live and finished, with their replay log
 * directories, then the logs on disk of sessions the agent no longer remembers (earlier runs
 * of the agent), as {@code finished}. Stateless.
 */
final class AllSessionsTable {

    private static final String[] HEADER = {"SESSION", "PROGRAM", "NODE", "MEMORY", "CALLS", "STATE", "LOG"};

    private AllSessionsTable() {
    }

    static void print(List<SessionInfo> sessions, List<StoredLog> logs, PrintWriter out) {
        Map<String, Path> logByName = new LinkedHashMap<>();
        for (StoredLog log : logs) {
            logByName.put(log.dir().getFileName().toString(), log.dir());
        }
        Map<String, Boolean> listed = new HashMap<>();
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (SessionInfo s : sessions) {
            String id = Long.toUnsignedString(s.session());
            listed.put(id, true);
            rows.add(withLog(SessionTable.row(s), logByName.get(id)));
        }
        for (Map.Entry<String, Path> e : logByName.entrySet()) {
            if (!listed.containsKey(e.getKey())) {
                rows.add(new String[] {e.getKey(), "-", "-", "-", "-", "finished", e.getValue().toString()});
            }
        }
        SessionTable.printRows(rows, out);
    }

    private static String[] withLog(String[] row, Path log) {
        String[] wider = java.util.Arrays.copyOf(row, row.length + 1);
        wider[row.length] = log == null ? "-" : log.toString();
        return wider;
    }
}
