package io.gpumigrate.checkpoint.transfer;

import io.gpumigrate.checkpoint.SessionImage;

/**
 * A migrated session as the target holds it once verified: its allocations are placed on the
 * target device with the source's final contents; the worker re-creates the rest from {@code image}.
 *
 * @param image      the session state the source sent
 * @param chunks     chunks applied over all rounds
 * @param bytes      device bytes those chunks covered
 * @param seconds    from the first frame to VERIFIED
 * @param preloaded  modules loaded on the target before the pause, from the source's MODULES, for
 *                   re-creating the session; their owner unloads the ones it does not take
 */
public record ReceivedImage(SessionImage image, long chunks, long bytes, double seconds, PreloadedModules preloaded) {
}
