package io.gpumigrate.workloads.jcuda;

/** A workload could not run or found a wrong result; its message says which call or value. */
final class WorkloadFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkloadFailure(String message) {
        super(message);
    }
}
