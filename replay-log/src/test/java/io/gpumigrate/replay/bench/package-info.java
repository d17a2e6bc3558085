/** Benchmarks of the replay log writer, run by hand (not by the build): see {@link io.gpumigrate.replay.bench.LogWriterBenchmark}. */
package io.gpumigrate.replay.bench;
