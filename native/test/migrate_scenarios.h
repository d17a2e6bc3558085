/*
 * The programs test_migrate runs against the fake cluster, each in a child process: ordinary
 * CUDA driver-API code (copies, launches of the fake "axpy", synchronizations) that checks
 * its own results, as a user would, while the fakes move its session underneath it.
 * Frame seqs of the common start: 1 DEVICE_GET_PROPERTIES, 2 CTX_CREATE, 3 MODULE_LOAD,
 * 4 MODULE_GET_FUNCTION, 5-6 MEM_ALLOC x and y, 7-8 MEMCPY_HTOD x and y; launches follow.
 */
#ifndef GM_TEST_MIGRATE_SCENARIOS_H
#define GM_TEST_MIGRATE_SCENARIOS_H

/**
 * 3 launches, a DtoH copy (seq 12; y = 3 x), then idle until a byte arrives on the fd named by
 * TEST_ATTACH_PIPE (the session's new worker saw ATTACH), then 2 launches and a DtoH (y = 5 x).
 */
int program_idle_after_read(const char *lib);
/**
 * program_two_reads in one process (seqs 1-16, GOODBYE last), then again in a second process
 * joining the same session with GPUMIGRATE_SESSION=42 (its frames continue at 17).
 */
int program_two_reads_then_attached(const char *lib);
/** 5 launches, a synchronization (seq 14), 5 launches, a DtoH copy; checks y = 10 x. */
int program_sync_then_more(const char *lib);
/** 3 launches, a DtoH copy (seq 12; y = 3 x), 2 launches, a DtoH copy (seq 15; y = 5 x). */
int program_two_reads(const char *lib);
/** 300 x {HtoD of a reused 64 KiB host buffer, launch} with no wait (seqs 9-608), then a DtoH check. */
int program_burst(const char *lib);
/** 64 x {HtoD 64 KiB, launch} then a check; with GPUMIGRATE_RESEND_BUFFER=256K it must ACK. */
int program_many_bytes(const char *lib);
/** 140,000 launches then a check: more frames than the resend buffer may hold. */
int program_many_frames(const char *lib);
/**
 * 3 launches, a DtoH (seq 12) that fails with 46 once nobody takes the session back (not before
 * GPUMIGRATE_RESTORE_TIMEOUT when set, else GPUMIGRATE_RECONNECT_TIMEOUT); later calls fail too.
 */
int program_nobody_answers(const char *lib);
/** 4 threads, each 200 x {HtoD 4 KiB, DtoH 4 KiB} of its own data, checking every read. */
int program_threads(const char *lib);

#endif
