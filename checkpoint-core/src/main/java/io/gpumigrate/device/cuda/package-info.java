/** The CUDA backend: real GPUs through NVIDIA's {@code libcuda.so.1}, called with Java's FFM API, allocations placed in a fixed address window. */
package io.gpumigrate.device.cuda;
