package io.gpumigrate.ptx;

/** Grid and block dimensions and dynamic shared memory of one launch. */
public record LaunchShape(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int dynamicShared) {

    public long blocks() {
        return (long) gridX * gridY * gridZ;
    }

    public int threadsPerBlock() {
        return blockX * blockY * blockZ;
    }
}
