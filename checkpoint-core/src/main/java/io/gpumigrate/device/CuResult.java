package io.gpumigrate.device;

import java.util.Map;

/** {@code CUresult} codes used by gpumigrate, with the names CUDA gives them. */
public final class CuResult {

    public static final int SUCCESS = 0;
    public static final int INVALID_VALUE = 1;
    public static final int OUT_OF_MEMORY = 2;
    public static final int NOT_INITIALIZED = 3;
    public static final int DEINITIALIZED = 4;
    public static final int NO_DEVICE = 100;
    public static final int INVALID_DEVICE = 101;
    public static final int INVALID_IMAGE = 200;
    public static final int INVALID_CONTEXT = 201;
    public static final int NO_BINARY_FOR_GPU = 209;
    public static final int INVALID_PTX = 218;
    public static final int UNSUPPORTED_PTX_VERSION = 222;
    public static final int INVALID_SOURCE = 300;
    public static final int FILE_NOT_FOUND = 301;
    public static final int OPERATING_SYSTEM = 304;
    public static final int INVALID_HANDLE = 400;
    public static final int ILLEGAL_STATE = 401;
    public static final int NOT_FOUND = 500;
    public static final int NOT_READY = 600;
    public static final int ILLEGAL_ADDRESS = 700;
    public static final int LAUNCH_OUT_OF_RESOURCES = 701;
    public static final int LAUNCH_TIMEOUT = 702;
    public static final int ASSERT = 710;
    public static final int HARDWARE_STACK_ERROR = 714;
    public static final int ILLEGAL_INSTRUCTION = 715;
    public static final int MISALIGNED_ADDRESS = 716;
    public static final int INVALID_PC = 718;
    public static final int LAUNCH_FAILED = 719;
    public static final int NOT_PERMITTED = 800;
    public static final int NOT_SUPPORTED = 801;
    public static final int UNKNOWN = 999;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(SUCCESS, "CUDA_SUCCESS"),
            Map.entry(INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE"),
            Map.entry(OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY"),
            Map.entry(NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED"),
            Map.entry(DEINITIALIZED, "CUDA_ERROR_DEINITIALIZED"),
            Map.entry(NO_DEVICE, "CUDA_ERROR_NO_DEVICE"),
            Map.entry(INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE"),
            Map.entry(INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE"),
            Map.entry(INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT"),
            Map.entry(NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU"),
            Map.entry(INVALID_PTX, "CUDA_ERROR_INVALID_PTX"),
            Map.entry(UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"),
            Map.entry(INVALID_SOURCE, "CUDA_ERROR_INVALID_SOURCE"),
            Map.entry(FILE_NOT_FOUND, "CUDA_ERROR_FILE_NOT_FOUND"),
            Map.entry(OPERATING_SYSTEM, "CUDA_ERROR_OPERATING_SYSTEM"),
            Map.entry(INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE"),
            Map.entry(ILLEGAL_STATE, "CUDA_ERROR_ILLEGAL_STATE"),
            Map.entry(NOT_FOUND, "CUDA_ERROR_NOT_FOUND"),
            Map.entry(NOT_READY, "CUDA_ERROR_NOT_READY"),
            Map.entry(ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS"),
            Map.entry(LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
            Map.entry(LAUNCH_TIMEOUT, "CUDA_ERROR_LAUNCH_TIMEOUT"),
            Map.entry(ASSERT, "CUDA_ERROR_ASSERT"),
            Map.entry(HARDWARE_STACK_ERROR, "CUDA_ERROR_HARDWARE_STACK_ERROR"),
            Map.entry(ILLEGAL_INSTRUCTION, "CUDA_ERROR_ILLEGAL_INSTRUCTION"),
            Map.entry(MISALIGNED_ADDRESS, "CUDA_ERROR_MISALIGNED_ADDRESS"),
            Map.entry(INVALID_PC, "CUDA_ERROR_INVALID_PC"),
            Map.entry(LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED"),
            Map.entry(NOT_PERMITTED, "CUDA_ERROR_NOT_PERMITTED"),
            Map.entry(NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED"),
            Map.entry(UNKNOWN, "CUDA_ERROR_UNKNOWN"));

    private CuResult() {
    }

    /** CUDA's name for the code, or {@code CUresult(N)} for a code not listed here. */
    public static String name(int result) {
        String n = NAMES.get(result);
        return n != null ? n : "CUresult(" + result + ")";
    }

    /** Errors after which CUDA's context is unusable. */
    public static boolean isSticky(int result) {
        return switch (result) {
            case ILLEGAL_ADDRESS, LAUNCH_TIMEOUT, ASSERT, HARDWARE_STACK_ERROR, ILLEGAL_INSTRUCTION,
                 MISALIGNED_ADDRESS, INVALID_PC, LAUNCH_FAILED -> true;
            default -> false;
        };
    }
}
