/*
 * A fake agent and session worker for test_session and bench_launch: speaks the wire protocol
 * on loopback over the fake device (fake_device.h) to check what the client library sends.
 * A test fixture only: it is not the Java worker and says nothing about it.
 */
#ifndef GM_TEST_FAKE_WORKER_H
#define GM_TEST_FAKE_WORKER_H

#include "fake_device.h"

/** Makes the next fake_start's worker drop the client's window after n window copies, as a worker the session moved to (0: never). */
void fake_forget_window_after(int n);
/** Starts the agent and worker threads (again after fake_wait, with fresh state); returns the agent's port. */
int fake_start(void);
/** Launches seen so far; safe to call while the fake runs. */
uint64_t fake_launches(void);
/** Waits until the worker connection has ended (GOODBYE or close); returns its stats. */
const struct fake_stats *fake_wait(void);

#endif
