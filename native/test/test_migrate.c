/*
 * Live migration as the client library sees it (docs/migration-protocol.md): each scenario
 * runs a program (migrate_scenarios.c) in a child process against the scripted fake cluster
 * (fake_cluster.c), which moves the session under it: MIGRATED while the program waits for a
 * reply or while it only pipelines, a worker that dies without a word (SESSION_LOCATE), chains
 * of moves, a full resend buffer (ACK), nobody answering (error 46 after the timeout), a dump
 * that ends the session (CHECKPOINTED) and a restore found later. The
 * program checks its own results; the fakes check that every call was applied exactly once,
 * in order, and which frames were resent where; the log lines are checked as a user reads them.
 * Peers are sequenced by the protocol itself (each fake acts on the frames it reads), never by
 * sleeping. This tests the client library, not the Java workers.
 * Usage: test_migrate LIBRARY
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "fake_cluster.h"
#include "migrate_scenarios.h"

#define TEST_TIMEOUT_S 120 /* a hung scenario fails the test instead of the build hanging */

static const char *library;
static char log_text[65536];

/* Runs program in a child against a cluster following plan; its stderr lands in log_text. */
static const struct fake_cluster_seen *run(const char *name, int (*program)(const char *),
                                           const struct fake_cluster_plan *plan)
{
    char agent[32], path[] = "/tmp/gm-test-migrate-XXXXXX";
    snprintf(agent, sizeof agent, "127.0.0.1:%d", fake_cluster_start(plan));
    setenv("GPUMIGRATE_AGENT", agent, 1);
    int log_fd = mkstemp(path);
    unlink(path);
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a test killed by its alarm takes its program along */
        dup2(log_fd, 2);
        exit(program(library));
    }
    int status = 0;
    waitpid(child, &status, 0);
    const struct fake_cluster_seen *seen = fake_cluster_stop();
    ssize_t n = pread(log_fd, log_text, sizeof log_text - 1, 0);
    log_text[n > 0 ? n : 0] = '\0';
    close(log_fd);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: the program failed (status 0x%x); its stderr:\n%s",
          name, status, log_text);
    CHECK(seen->errors == 0, "%s: %d protocol errors, the first: %s", name, seen->errors, seen->error);
    return seen;
}

/* How many lines of the program's log contain all of the given words (NULL-terminated). */
static int log_lines_with(const char *first, ...)
{
    int count = 0;
    for (const char *line = log_text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char copy[2048];
        snprintf(copy, sizeof copy, "%.*s", (int)len, line);
        int all = strncmp(copy, "gpumigrate: ", 12) == 0;
        va_list words;
        va_start(words, first);
        for (const char *w = first; w != NULL && all; w = va_arg(words, const char *))
            all = strstr(copy, w) != NULL;
        va_end(words);
        count += all;
        line = end ? end + 1 : line + len;
    }
    return count;
}

static const char *worker_name(int i)
{
    static char names[FAKE_WORKERS][32];
    snprintf(names[i], sizeof names[i], "127.0.0.1:%d", fake_cluster_worker_port(i));
    return names[i];
}

static struct fake_cluster_plan plan_of(void)
{
    struct fake_cluster_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.locate_to = 1;
    plan.attach_notify_fd = -1;
    return plan;
}

/* (1) MIGRATED while the program waits for call K = 14; the target has applied up to K-3. */
static void resends_exactly_the_unapplied_calls(void)
{
    struct fake_cluster_plan plan = plan_of();
    plan.workers[0] = (struct fake_plan){ .apply_until = 11, .leave_at = 14, .exit = FAKE_MIGRATED, .target = 1 };
    const struct fake_cluster_seen *s = run("resend", program_sync_then_more, &plan);
    CHECK(s->workers[1].attached, "ATTACH to the target lacked the session or MIGRATED's secret");
    CHECK_EQ(s->workers[1].attach_applied, 11);
    CHECK_EQ(s->workers[1].first_seq, 12);
    CHECK_EQ(s->workers[1].last_seq, 21); /* ..., DtoH 20, GOODBYE 21 */
    CHECK_EQ(s->workers[0].applied + s->workers[1].applied, 21);
    CHECK(s->workers[1].goodbye, "no GOODBYE at the target");
    CHECK_EQ(s->locates, 0);
    CHECK(log_lines_with("session 42 moved", worker_name(0), worker_name(1), "told by MIGRATED",
                         "resent 3 frames", "paused", NULL) == 1, "no migration line in:\n%s", log_text);
}

/* (2) The worker dies without MIGRATED: the agent locates the session, same resend. */
static void locates_the_session_without_migrated(void)
{
    struct fake_cluster_plan plan = plan_of();
    plan.workers[0] = (struct fake_plan){ .apply_until = 11, .leave_at = 14, .exit = FAKE_CLOSE };
    const struct fake_cluster_seen *s = run("locate", program_sync_then_more, &plan);
    CHECK_EQ(s->locates, 1);
    CHECK_EQ(s->locates_ok, 1);
    CHECK(s->workers[1].attached, "ATTACH lacked the session or the located secret");
    CHECK_EQ(s->workers[1].first_seq, 12);
    CHECK(log_lines_with("session 42 moved", worker_name(1), "located by the agent", "resent 3 frames", NULL) == 1,
          "no migration line in:\n%s", log_text);
}

/* (3) MIGRATED while the program is blocked on a DtoH reply; then the reply already came (N <= L); then a chain. */
static void moves_while_reading(void)
{
    struct fake_cluster_plan plan = plan_of();
    plan.workers[0] = (struct fake_plan){ .apply_until = 11, .leave_at = 12, .exit = FAKE_MIGRATED, .target = 1 };
    const struct fake_cluster_seen *s = run("dtoh pending", program_two_reads, &plan);
    CHECK_EQ(s->workers[1].first_seq, 12);
    CHECK(log_lines_with("session 42 moved", "resent 1 frames", NULL) == 1, "no migration line in:\n%s", log_text);

    plan.workers[0] = (struct fake_plan){ .apply_until = 12, .leave_at = 12, .exit = FAKE_MIGRATED, .target = 1 };
    s = run("dtoh answered", program_two_reads, &plan);
    CHECK_EQ(s->workers[1].attach_applied, 12);
    CHECK_EQ(s->workers[1].first_seq, 13);

    plan.workers[0] = (struct fake_plan){ .apply_until = 11, .leave_at = 12, .exit = FAKE_MIGRATED, .target = 1 };
    plan.workers[1] = (struct fake_plan){ .apply_until = 14, .leave_at = 15, .exit = FAKE_MIGRATED_ABRUPT, .target = 2 };
    s = run("chain", program_two_reads, &plan);
    CHECK_EQ(s->workers[1].first_seq, 12);
    CHECK_EQ(s->workers[2].first_seq, 15);
    CHECK_EQ(s->workers[0].applied + s->workers[1].applied + s->workers[2].applied, 16);
    CHECK(log_lines_with("session 42 moved", worker_name(1), worker_name(2), NULL) == 1,
          "no second migration line in:\n%s", log_text);
}

/* MIGRATED while the program is idle: the client attaches to the new worker before its next call. */
static void follows_while_idle(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return;
    char fd_text[16];
    snprintf(fd_text, sizeof fd_text, "%d", fds[0]);
    setenv("TEST_ATTACH_PIPE", fd_text, 1);
    struct fake_cluster_plan plan = plan_of();
    plan.attach_notify_fd = fds[1];
    plan.workers[0] = (struct fake_plan){ .apply_until = 12, .leave_at = 12, .exit = FAKE_MIGRATED, .target = 1 };
    const struct fake_cluster_seen *s = run("idle", program_idle_after_read, &plan);
    CHECK_EQ(s->workers[1].first_seq, 13);
    CHECK(log_lines_with("session 42 moved", worker_name(1), "resent 0 frames", NULL) == 1,
          "no migration line in:\n%s", log_text);
    close(fds[0]);
    close(fds[1]);
    unsetenv("TEST_ATTACH_PIPE");
}

/* (4) A burst of pipelined HtoD copies and launches, cut at seq 240 with a reset connection. */
static void moves_mid_burst(void)
{
    struct fake_cluster_plan plan = plan_of();
    plan.workers[0] = (struct fake_plan){ .apply_until = 200, .leave_at = 240, .exit = FAKE_MIGRATED_ABRUPT,
                                          .target = 1 };
    const struct fake_cluster_seen *s = run("burst", program_burst, &plan);
    CHECK_EQ(s->workers[0].applied, 200);
    CHECK_EQ(s->workers[1].first_seq, 201);
    CHECK_EQ(s->workers[1].last_seq, 610); /* 600 burst frames after 8, the DtoH 609, GOODBYE 610 */
}

/* (5) A full resend buffer makes the client ACK and wait: by bytes, then by frames. */
static void acknowledges_when_full(void)
{
    struct fake_cluster_plan plan = plan_of();
    setenv("GPUMIGRATE_RESEND_BUFFER", "256K", 1);
    const struct fake_cluster_seen *s = run("ack by bytes", program_many_bytes, &plan);
    unsetenv("GPUMIGRATE_RESEND_BUFFER");
    CHECK(s->workers[0].acks >= 15, "%llu ACKs for 4 MiB through a 256 KiB buffer",
          (unsigned long long)s->workers[0].acks);
    CHECK(s->workers[0].max_unanswered_bytes <= (256u << 10) + 16, "%llu bytes unanswered, above 256 KiB + ACK",
          (unsigned long long)s->workers[0].max_unanswered_bytes);

    s = run("ack by frames", program_many_frames, &plan);
    CHECK(s->workers[0].acks >= 2, "%llu ACKs for 140,000 launches", (unsigned long long)s->workers[0].acks);
    CHECK(s->workers[0].max_unanswered_frames <= 65537, "%llu frames unanswered, above 65,536 + ACK",
          (unsigned long long)s->workers[0].max_unanswered_frames);
}

/* (6) The worker dies and the agent is gone: calls fail with 46 after the timeout, with one line. */
static void fails_after_the_timeout(void)
{
    struct fake_cluster_plan plan = plan_of();
    plan.workers[0] = (struct fake_plan){ .apply_until = 11, .leave_at = 12, .exit = FAKE_CLOSE };
    plan.agent_leaves = 1;
    setenv("GPUMIGRATE_RECONNECT_TIMEOUT", "0.3", 1);
    run("nobody answers", program_nobody_answers, &plan);
    unsetenv("GPUMIGRATE_RECONNECT_TIMEOUT");
    CHECK(log_lines_with("lost session 42", worker_name(0), "CUDA_ERROR_DEVICE_UNAVAILABLE (46)", NULL) == 1,
          "not one clear line about the lost session in:\n%s", log_text);
}

/*
 * (7) The session is dumped (CHECKPOINTED) while the program waits for call 14 and restored on
 * worker 1 only after several SESSION_LOCATEs: longer than GPUMIGRATE_RECONNECT_TIMEOUT, which
 * a checkpointed session does not go by. Then nobody restores it: 46 after
 * GPUMIGRATE_RESTORE_TIMEOUT, with one line naming it.
 */
static void waits_for_a_checkpointed_session_to_be_restored(void)
{
    struct fake_cluster_plan plan = plan_of();
    plan.workers[0] = (struct fake_plan){ .apply_until = 11, .leave_at = 14, .exit = FAKE_CHECKPOINTED };
    plan.locate_misses = 6; /* backoff 10+20+40+80+160+320 ms: 0.6 s */
    setenv("GPUMIGRATE_RECONNECT_TIMEOUT", "0.2", 1);
    const struct fake_cluster_seen *s = run("restored", program_sync_then_more, &plan);
    CHECK_EQ(s->locates, 7);
    CHECK(s->workers[1].attached, "ATTACH after the restore lacked the session or the located secret");
    CHECK_EQ(s->workers[1].attach_applied, 11);
    CHECK_EQ(s->workers[1].first_seq, 12);
    CHECK(s->workers[1].goodbye, "no GOODBYE at the restored session");
    CHECK(log_lines_with("session 42 was checkpointed to " FAKE_IMAGE, worker_name(0), "GPUMIGRATE_RESTORE_TIMEOUT",
                         NULL) == 1, "no line saying the client waits for the restore in:\n%s", log_text);
    CHECK(log_lines_with("session 42 moved", worker_name(1), "restored, located by the agent", "resent 3 frames",
                         NULL) == 1, "no line about the restored session in:\n%s", log_text);

    plan.workers[0] = (struct fake_plan){ .apply_until = 11, .leave_at = 12, .exit = FAKE_CHECKPOINTED };
    plan.locate_to = -1;
    plan.locate_misses = 0;
    setenv("GPUMIGRATE_RESTORE_TIMEOUT", "0.3", 1);
    run("never restored", program_nobody_answers, &plan);
    unsetenv("GPUMIGRATE_RESTORE_TIMEOUT");
    unsetenv("GPUMIGRATE_RECONNECT_TIMEOUT");
    CHECK(log_lines_with("lost session 42", "checkpointed and not restored", "GPUMIGRATE_RESTORE_TIMEOUT",
                         "CUDA_ERROR_DEVICE_UNAVAILABLE (46)", NULL) == 1,
          "not one clear line about the session never restored in:\n%s", log_text);
}

/* Threads with copies in flight while the session moves (the flusher runs meanwhile too). */
static void moves_under_threads(void)
{
    struct fake_cluster_plan plan = plan_of();
    plan.workers[0] = (struct fake_plan){ .apply_until = 300, .exit = FAKE_MIGRATED, .target = 1 };
    const struct fake_cluster_seen *s = run("threads", program_threads, &plan);
    CHECK_EQ(s->workers[0].applied, 300);
    CHECK_EQ(s->workers[1].first_seq, 301);
}

/* GPUMIGRATE_SESSION: a second program joins the session the first left, located by the agent. */
static void a_second_program_attaches_to_the_session(void)
{
    struct fake_cluster_plan plan = plan_of();
    const struct fake_cluster_seen *s = run("attach", program_two_reads_then_attached, &plan);
    CHECK_EQ(s->hellos, 1);
    CHECK_EQ(s->locates_ok, 1);
    CHECK(s->workers[0].goodbye, "the first program sent no GOODBYE");
    CHECK(s->workers[1].attached, "ATTACH of the second program lacked the session or the located secret");
    CHECK_EQ(s->workers[1].attach_applied, 16);
    CHECK_EQ(s->workers[1].first_seq, 17);
    CHECK_EQ(s->workers[1].last_seq, 32);
    CHECK_EQ(s->workers[0].applied + s->workers[1].applied, 32);
    CHECK(s->workers[1].goodbye, "the second program sent no GOODBYE");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    library = argv[1];
    alarm(TEST_TIMEOUT_S);
    setenv("GPUMIGRATE_TOKEN", FAKE_TOKEN, 1);
    setenv("GPUMIGRATE_LOG", "info", 0); /* debug, when set, shows more on a failure */
    resends_exactly_the_unapplied_calls();
    locates_the_session_without_migrated();
    moves_while_reading();
    follows_while_idle();
    moves_mid_burst();
    acknowledges_when_full();
    fails_after_the_timeout();
    waits_for_a_checkpointed_session_to_be_restored();
    moves_under_threads();
    a_second_program_attaches_to_the_session();
    return check_result("test_migrate");
}
