package io.gpumigrate.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions an agent knows: the live ones and the last {@value #FINISHED_KEPT} that ended.
 * Thread-safe.
 */
public final class SessionRegistry {

    static final int FINISHED_KEPT = 100;

    private final Map<Long, SessionRecord> live = new ConcurrentHashMap<>();
    private final Deque<SessionRecord> finished = new ArrayDeque<>();

    void add(SessionRecord record) {
        live.put(record.id(), record);
    }

    /** Adds a live record unless one with its id is live; false then. */
    boolean addIfAbsent(SessionRecord record) {
        return live.putIfAbsent(record.id(), record) == null;
    }

    /** The live record of {@code id}, or {@code null}. */
    public SessionRecord get(long id) {
        return live.get(id);
    }

    /** Moves a session that ended to the finished list. */
    void finished(SessionRecord record) {
        if (live.remove(record.id(), record)) {
            synchronized (finished) {
                finished.addLast(record);
                while (finished.size() > FINISHED_KEPT) {
                    finished.removeFirst();
                }
            }
        }
    }

    public boolean contains(long id) {
        return live.containsKey(id);
    }

    public Collection<SessionRecord> live() {
        return List.copyOf(live.values());
    }

    /** Live sessions by id, then finished ones, oldest first. */
    public List<SessionRecord> all() {
        List<SessionRecord> all = new ArrayList<>(live.values());
        all.sort(java.util.Comparator.comparing(SessionRecord::started));
        synchronized (finished) {
            all.addAll(finished);
        }
        return all;
    }
}
