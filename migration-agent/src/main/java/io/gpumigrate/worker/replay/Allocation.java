package io.gpumigrate.worker.replay;

/**
 * One device allocation a replayed session made.
 *
 * @param ordinal   1 for the session's first allocation, 2 for the next, ... ({@code #N} on the command line);
 *                  0 for a range the device placed itself (a module global)
 * @param base      its device address
 * @param bytes     its size
 * @param allocSeq  the call that made it
 * @param freedSeq  the call that freed it, or 0 while it is live
 */
public record Allocation(int ordinal, long base, long bytes, long allocSeq, long freedSeq) {

    public boolean live() {
        return freedSeq == 0;
    }

    Allocation freedAt(long seq) {
        return new Allocation(ordinal, base, bytes, allocSeq, seq);
    }

    @Override
    public String toString() {
        if (ordinal == 0) {
            return "range at 0x" + Long.toHexString(base) + " (" + bytes + " bytes, a module global)";
        }
        return "#" + ordinal + " at 0x" + Long.toHexString(base) + " (" + bytes + " bytes, allocated by seq " + allocSeq
                + (freedSeq == 0 ? "" : ", freed by seq " + freedSeq) + ")";
    }
}
