package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.ProgressMeter;

/** The running tallies of a sender's round. Not thread-safe: the sender's thread updates and reads them. */
final class RoundCounters {
    final ProgressMeter meter;
    long sent;
    long zero;
    long zstd;
    long wire;

    RoundCounters(ProgressMeter meter) {
        this.meter = meter;
    }
}
