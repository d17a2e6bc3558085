package io.gpumigrate.ptx;

/**
 * A device function compiled out of line (it is recursive or its address is taken): where
 * its code starts, the register slots it owns (saved and restored around each call, so that
 * recursive activations do not clobber each other) and the size of its activation frame.
 *
 * @param regLo first register slot it owns
 * @param regHi one past its last register slot
 */
record CallTarget(String name, int entryPc, int regLo, int regHi, long frameSize) {
}
