package io.gpumigrate.cli;

import io.gpumigrate.device.CudaException;
import io.gpumigrate.device.DeviceBackend;
import io.gpumigrate.replay.read.SessionLog;
import io.gpumigrate.replay.show.LogFormatter;
import io.gpumigrate.worker.BackendChoice;
import io.gpumigrate.worker.replay.Allocation;
import io.gpumigrate.worker.replay.DeviceMemoryReader;
import io.gpumigrate.worker.replay.LogReplayer;
import io.gpumigrate.worker.replay.MemoryCheck;
import io.gpumigrate.worker.replay.ReplayComparison;
import io.gpumigrate.worker.replay.ReplayException;
import io.gpumigrate.worker.replay.ReplayedCall;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code gpumigrate replay LOG_DIR [--backend B] [--until SEQ] [--dump ALLOCATION --out FILE] [--check]}
 * and {@code gpumigrate replay --compare LOG_DIR --backend A --backend B}. Exit status 0 when the
 * replay reproduced every recorded status (and, with {@code --check}, found no bad access; with
 * {@code --compare}, found no difference), 1 otherwise, 2 for a usage error.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-executes a recorded session's calls without the program: on the emulator or a GPU,"
                + " up to a call (--until), then dumps an allocation (--dump); checks every device access (--check);"
                + " or runs the log on two backends and reports the first call after which device memory differs"
                + " (--compare)."})
final class ReplayCommand implements Callable<Integer> {

    private static final int DIVERGENCES_SHOWN = 5;

    @Parameters(index = "0", paramLabel = "LOG_DIR", description = "A session's log directory (see ps --all).")
    Path dir;

    @Option(names = "--backend", paramLabel = "emulator|cuda",
            description = "The backend to replay on (default: emulator); give two with --compare.")
    List<String> backends = new ArrayList<>();

    @Option(names = "--until", paramLabel = "SEQ", description = "Stop after the call with this sequence number.")
    Long until;

    @Option(names = "--dump", paramLabel = "ALLOCATION",
            description = "After the replay, write this allocation's bytes to --out: a device address in hex or #N"
                    + " (the N-th allocation the session made, from #1).")
    String dump;

    @Option(names = "--out", paramLabel = "FILE", description = "Where --dump writes.")
    Path out;

    @Option(names = "--check", description = "Replay on the emulator with every device access checked and report"
            + " the first out-of-bounds access: call, kernel, thread, PTX line, address.")
    boolean check;

    @Option(names = "--compare", description = "Replay on the two --backend given and report the first call after"
            + " which their device memory differs.")
    boolean compare;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws CliException {
        validate();
        PrintWriter stdout = spec.commandLine().getOut();
        SessionLog log = LogOpener.open(dir, spec.commandLine().getErr());
        long last = until == null ? Long.MAX_VALUE : until;
        try {
            int status;
            if (check) {
                status = check(log, last, stdout);
            } else if (compare) {
                status = compare(log, last, stdout);
            } else {
                status = replay(log, last, stdout);
            }
            stdout.flush();
            return status;
        } catch (IOException e) {
            stdout.flush();
            throw LogOpener.readFailure(dir, e);
        } catch (ReplayException e) {
            stdout.flush();
            throw new CliException(e.getMessage(), e);
        } catch (CudaException e) {
            stdout.flush();
            throw new CliException("the device failed while reading replayed memory: " + e.getMessage(), e);
        }
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        if (compare && backends.size() != 2) {
            throw new CommandLine.ParameterException(cl, "--compare needs two --backend options, got " + backends.size());
        }
        if (!compare && backends.size() > 1) {
            throw new CommandLine.ParameterException(cl, "one --backend without --compare, got " + backends);
        }
        if (check && (compare || !backends.isEmpty() && !backends.getFirst().equals("emulator"))) {
            throw new CommandLine.ParameterException(cl, "--check runs on the emulator only; leave out --backend and --compare");
        }
        if ((dump == null) != (out == null)) {
            throw new CommandLine.ParameterException(cl, "--dump and --out go together");
        }
        if (dump != null && (check || compare)) {
            throw new CommandLine.ParameterException(cl, "--dump goes with a plain replay, not --check or --compare");
        }
        if (until != null && until < 1) {
            throw new CommandLine.ParameterException(cl, "--until " + until + " must be at least 1");
        }
        for (String b : backends) {
            if (!b.equals("emulator") && !b.equals("cuda")) {
                throw new CommandLine.ParameterException(cl, "--backend '" + b + "' is not emulator or cuda");
            }
        }
    }

    private DeviceBackend backend(String name) throws CliException {
        try {
            return BackendChoice.parse(name).create();
        } catch (CudaException e) {
            throw new CliException("cannot replay on " + name + ": " + e.getMessage(), e);
        }
    }

    private int replay(SessionLog log, long last, PrintWriter stdout)
            throws CliException, IOException, ReplayException, CudaException {
        String name = backends.isEmpty() ? "emulator" : backends.getFirst();
        LogFormatter formatter = new LogFormatter();
        int divergences = 0;
        try (LogReplayer replayer = new LogReplayer(log, backend(name), last)) {
            for (ReplayedCall c = replayer.next(); c != null; c = replayer.next()) {
                if (c.diverged()) {
                    if (++divergences <= DIVERGENCES_SHOWN) {
                        stdout.println("diverged: " + formatter.format(c.call()).strip() + ": " + c.statusComparison()
                                + (c.outcome().message() == null ? "" : " (" + c.outcome().message() + ")"));
                    }
                }
            }
            if (until != null && !replayer.reached(until)) {
                throw new CliException("the log ends at seq " + replayer.lastSeq() + ", before --until " + until);
            }
            stdout.println("replayed " + replayer.calls() + " calls up to seq " + replayer.lastSeq() + " on " + name
                    + (divergences == 0 ? ": every recorded status reproduced"
                    : ": " + divergences + " calls returned another status than recorded"));
            if (dump != null) {
                dump(replayer, stdout);
            }
        }
        return divergences == 0 ? 0 : 1;
    }

    private void dump(LogReplayer replayer, PrintWriter stdout) throws CliException, IOException, CudaException {
        Allocation a;
        try {
            a = replayer.resolve(dump);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage() + " (after seq " + replayer.lastSeq() + ")");
        }
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out))) {
            DeviceMemoryReader.dump(replayer.backend(), a, file);
        }
        stdout.println("wrote allocation " + a + " as it was after seq " + replayer.lastSeq() + " to " + out);
    }

    private int check(SessionLog log, long last, PrintWriter stdout) throws IOException, ReplayException {
        MemoryCheck.Finding f = MemoryCheck.run(log, last);
        if (!f.found()) {
            stdout.println("no out-of-bounds access in " + f.calls() + " calls");
            return 0;
        }
        stdout.println("out-of-bounds access at seq " + f.call().seq() + ": " + new LogFormatter().format(f.call()).strip());
        stdout.println("  " + io.gpumigrate.device.CuResult.name(f.status()) + ": " + f.detail());
        return 1;
    }

    private int compare(SessionLog log, long last, PrintWriter stdout)
            throws CliException, IOException, ReplayException, CudaException {
        ReplayComparison.Result r = ReplayComparison.run(log, backend(backends.get(0)), backend(backends.get(1)), last);
        String pair = backends.get(0) + " (A) and " + backends.get(1) + " (B)";
        if (r.agree()) {
            stdout.println(pair + " agree: " + r.calls() + " calls, device memory compared after "
                    + r.comparisons() + " of them");
            return 0;
        }
        stdout.println(pair + " differ first after seq " + r.call().seq() + ": "
                + new LogFormatter().format(r.call()).strip());
        stdout.println("  " + r.what());
        return 1;
    }
}
