package io.gpumigrate.device;

/** Grid and block dimensions and dynamic shared memory of a kernel launch. */
public record LaunchConfig(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedMemBytes) {

    public long threadsPerBlock() {
        return (long) blockX * blockY * blockZ;
    }

    public long blocks() {
        return (long) gridX * gridY * gridZ;
    }
}
