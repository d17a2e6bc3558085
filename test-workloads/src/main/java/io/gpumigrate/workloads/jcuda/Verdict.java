package io.gpumigrate.workloads.jcuda;

/** Runs a workload body and turns its outcome into the last output line, PASS or FAIL, and the exit status. */
final class Verdict {
    /** A workload body: returns whether the result matched its CPU reference. */
    interface Body {
        boolean run(String[] args);
    }

    private Verdict() {
    }

    /** Runs {@code body}; prints PASS and exits 0, FAIL and exits 1, or usage and exits 2. */
    static void runAndExit(String workload, String[] args, Body body) {
        boolean ok;
        try {
            ok = body.run(args);
        } catch (IllegalArgumentException e) {
            System.err.println(workload + ": " + e.getMessage());
            System.exit(2);
            return;
        } catch (WorkloadFailure e) {
            System.err.println(workload + ": " + e.getMessage());
            ok = false;
        } catch (RuntimeException e) {
            // JCuda reports misuse (a null argument, say) by throwing; that is a failed run too.
            System.err.println(workload + ": unexpected " + e);
            e.printStackTrace();
            ok = false;
        } catch (LinkageError e) {
            // JCuda's native library could not load or bind libcuda.so.1.
            System.err.println(workload + ": cannot load the CUDA driver through JCuda: " + e);
            ok = false;
        }
        System.err.flush();
        System.out.println(ok ? "PASS" : "FAIL");
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }
}
