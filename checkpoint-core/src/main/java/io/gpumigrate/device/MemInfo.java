package io.gpumigrate.device;

/** Free and total device memory in bytes, as {@code cuMemGetInfo} reports them. */
public record MemInfo(long free, long total) {
}
