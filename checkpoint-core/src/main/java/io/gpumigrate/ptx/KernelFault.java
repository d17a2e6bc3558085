package io.gpumigrate.ptx;

/**
 * A kernel did something a GPU would stop it for: an illegal or misaligned address, a trap,
 * a barrier nobody can reach. Thrown on the worker thread and turned into the launch's
 * {@code CudaException}; carries no stack trace (it describes the kernel, not the emulator).
 */
public final class KernelFault extends RuntimeException {

    private final int result;

    public KernelFault(int result, String message) {
        super(message, null, false, false);
        this.result = result;
    }

    /** The {@code CUresult} CUDA reports for it. */
    public int result() {
        return result;
    }
}
