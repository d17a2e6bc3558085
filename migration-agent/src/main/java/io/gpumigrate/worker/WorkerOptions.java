package io.gpumigrate.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A worker's command line:
 * {@code (--session ID (--secret S | --secret-stdin) | --warm) [--port P] [--bind ADDR] [--backend auto|cuda|emulator] [--attach-timeout SECONDS] [--log-root DIR]}.
 * {@code --secret-stdin} reads the secret from the first line of standard input, which keeps
 * it out of the process list; the agent uses it. {@code --warm} starts the worker without a
 * session: it opens its backend, listens, and waits for its session on standard input
 * ({@link WarmClaim}). With {@code --log-root} the session records its replay log in
 * {@code DIR/SESSION} (known once claimed, for a warm worker); without it, nothing is recorded.
 */
record WorkerOptions(long session, String secret, int port, String bind, BackendChoice backend, int attachTimeoutSeconds,
                     boolean warm, java.nio.file.Path logRoot) {

    static final String USAGE = "usage: WorkerMain (--session ID (--secret S | --secret-stdin) | --warm) [--port P (0 = any)]"
            + " [--bind ADDR (127.0.0.1)] [--backend auto|cuda|emulator] [--attach-timeout SECONDS (60)]"
            + " [--log-root DIR (none: no replay log)]";

    /** @throws IllegalArgumentException naming the bad option and what it allows */
    static WorkerOptions parse(String[] args) throws IOException {
        Long session = null;
        String secret = null;
        int port = 0;
        String bind = "127.0.0.1";
        BackendChoice backend = BackendChoice.AUTO;
        int attachTimeout = 60;
        boolean warm = false;
        java.nio.file.Path logRoot = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--session" -> session = Long.parseUnsignedLong(value(args, ++i, arg));
                case "--secret" -> secret = value(args, ++i, arg);
                case "--secret-stdin" -> secret = new BufferedReader(
                        new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                case "--port" -> port = range(Integer.parseInt(value(args, ++i, arg)), 0, 65535, arg);
                case "--bind" -> bind = value(args, ++i, arg);
                case "--backend" -> backend = BackendChoice.parse(value(args, ++i, arg));
                case "--warm" -> warm = true;
                case "--attach-timeout" -> attachTimeout = range(Integer.parseInt(value(args, ++i, arg)), 1, 86400, arg);
                case "--log-root" -> logRoot = java.nio.file.Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (warm) {
            if (session != null || secret != null) {
                throw new IllegalArgumentException("--warm takes its session from standard input, not --session or a secret");
            }
            return new WorkerOptions(0, null, port, bind, backend, attachTimeout, true, logRoot);
        }
        if (session == null || secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("--session and a non-empty secret are required");
        }
        return new WorkerOptions(session, secret, port, bind, backend, attachTimeout, false, logRoot);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int range(int value, int min, int max, String option) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " " + value + " outside [" + min + ", " + max + "]");
        }
        return value;
    }
}
