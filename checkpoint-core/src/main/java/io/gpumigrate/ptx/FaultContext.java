package io.gpumigrate.ptx;

/** Where a worker is executing, so a fault can name kernel, block, thread and PTX line. Worker-confined. */
final class FaultContext {

    String kernel;
    int blockX, blockY, blockZ;
    int ntidX, ntidY;
    int warp;

    String describe(int lane, Insn in) {
        return "kernel " + kernel + ", " + thread(lane) + ", PTX line " + in.line + " '" + in.text + "'";
    }

    /** "block (x,y,z), thread (x,y,z)" of lane {@code lane} of the current warp. */
    String thread(int lane) {
        int linear = warp * 32 + lane;
        int tx = linear % ntidX;
        int ty = (linear / ntidX) % ntidY;
        int tz = linear / (ntidX * ntidY);
        return "block (" + blockX + "," + blockY + "," + blockZ + "), thread (" + tx + "," + ty + "," + tz + ")";
    }
}
