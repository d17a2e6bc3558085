package io.gpumigrate.device;

/** A failed device operation, carrying the {@code CUresult} that CUDA returns for it. */
public class CudaException extends Exception {

    private final int result;

    public CudaException(int result, String message) {
        super(CuResult.name(result) + " (" + result + "): " + message);
        this.result = result;
    }

    public CudaException(int result, String message, Throwable cause) {
        this(result, message);
        initCause(cause);
    }

    /** The {@code CUresult} code. */
    public int result() {
        return result;
    }

    /** Whether CUDA treats this error as sticky: the context is unusable afterwards. */
    public boolean sticky() {
        return CuResult.isSticky(result);
    }
}
