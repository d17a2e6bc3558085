package io.gpumigrate.checkpoint;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Large host memory whose pages are all in place before it is used: anonymous memory from the
 * kernel ({@code mmap}), populated by several threads of a pool at once, each asking the kernel
 * for the pages of its part ({@code MADV_POPULATE_WRITE}). On a kernel without that the thread
 * zero-fills its part; where the kernel has not the memory, {@link OutOfMemoryError}, so that the
 * caller does without instead of the OOM killer choosing for it. {@link Arena#allocate}
 * zero-fills on the calling thread, a few GB/s: seconds for the tens of GiB a large session's
 * staging takes. Huge pages are not asked for ({@code MADV_HUGEPAGE}): where the kernel compacts
 * memory for them on a fault, taking 2 GiB took from 0.1 to 2.8 s, against a steady 0.5 s with
 * ordinary pages (two cores). Where {@code mmap} cannot be called (not Linux, no native access)
 * it falls back to {@link Arena#allocate}.
 */
final class PrefaultedMemory {

    private static final long PAGE = 4096;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_POPULATE_WRITE = 23;
    private static final int EINVAL = 22;
    private static final VarHandle ERRNO = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private PrefaultedMemory() {
    }

    /**
     * {@code bytes} (a multiple of the page size) of zeroed memory, freed when {@code arena}
     * closes, every page touched on {@code pool} before this returns.
     *
     * @throws OutOfMemoryError when the host does not give the memory
     */
    static MemorySegment allocate(long bytes, Arena arena, ExecutorService pool) {
        Optional<Calls> calls = Calls.get();
        if (calls.isEmpty()) {
            return arena.allocate(bytes, PAGE);
        }
        MemorySegment memory = calls.get().map(bytes, arena);
        touch(memory, calls.get(), pool);
        return memory;
    }

    /** The errno of populating {@code part} (0: done); for tests. */
    static int populate(MemorySegment part) {
        return Calls.get().orElseThrow().populate(part);
    }

    /** Whether memory comes from {@code mmap} here (else from {@link Arena#allocate}). */
    static boolean mapped() {
        return Calls.get().isPresent();
    }

    /**
     * Puts every page of {@code memory} in place, the pages split among the pool's threads: the
     * kernel populates each part ({@code MADV_POPULATE_WRITE}, Linux 5.14 and later), or, on a
     * kernel without it, the thread zero-fills it.
     */
    private static void touch(MemorySegment memory, Calls calls, ExecutorService pool) {
        long pages = memory.byteSize() / PAGE;
        int parts = (int) Math.max(1, Math.min(ChunkWorkers.threads(), pages / 256));
        List<Future<?>> touched = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            long first = pages * p / parts;
            long end = pages * (p + 1) / parts;
            MemorySegment part = memory.asSlice(first * PAGE, (end - first) * PAGE);
            touched.add(pool.submit(() -> {
                int errno = calls.populate(part);
                if (errno == EINVAL) {
                    part.fill((byte) 0); // a kernel without MADV_POPULATE_WRITE
                } else if (errno != 0) {
                    // ENOMEM and the like: filling it would only bring the OOM killer; the caller does without
                    throw new OutOfMemoryError("the kernel did not populate " + part.byteSize() + " bytes (errno "
                            + errno + ")");
                }
            }));
        }
        // every task ends before this returns, even when interrupted: the caller may unmap the memory next
        Throwable failure = null;
        boolean interrupted = false;
        for (Future<?> f : touched) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (ExecutionException e) {
                    failure = e.getCause();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof OutOfMemoryError e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("touching host memory failed: " + failure, failure);
        }
    }

    /** The C library's {@code mmap}, {@code munmap} and {@code madvise}, where they can be called. */
    private record Calls(MethodHandle mmap, MethodHandle munmap, MethodHandle madvise) {

        private static final Optional<Calls> CALLS = link();

        static Optional<Calls> get() {
            return CALLS;
        }

        private static Optional<Calls> link() {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                return Optional.empty();
            }
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                return Optional.of(new Calls(
                        linker.downcallHandle(libc.find("mmap").orElseThrow(),
                                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG)),
                        linker.downcallHandle(libc.find("munmap").orElseThrow(),
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG)),
                        linker.downcallHandle(libc.find("madvise").orElseThrow(),
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
                                Linker.Option.captureCallState("errno"))));
            } catch (RuntimeException e) {
                return Optional.empty(); // no native access: the arena's memory, filled on one thread
            }
        }

        MemorySegment map(long bytes, Arena arena) {
            MemorySegment address;
            try {
                address = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS, -1, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException("mmap of " + bytes + " bytes failed: " + t, t);
            }
            if (address.address() == -1L || address.address() == 0) {
                throw new OutOfMemoryError("the host did not map " + bytes + " bytes");
            }
            return address.reinterpret(bytes, arena, segment -> unmap(address, bytes));
        }

        /** Has the kernel put every page of {@code part} in place, writable: 0, else the call's errno. */
        int populate(MemorySegment part) {
            try (Arena local = Arena.ofConfined()) {
                MemorySegment state = local.allocate(Linker.Option.captureStateLayout());
                int rc = (int) madvise.invokeExact(state, part, part.byteSize(), MADV_POPULATE_WRITE);
                return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
            } catch (Throwable t) {
                return EINVAL; // the call itself failed: the thread fills the part instead
            }
        }

        private void unmap(MemorySegment address, long bytes) {
            try {
                int ignored = (int) munmap.invokeExact(address, bytes);
            } catch (Throwable t) {
                // the process's end frees it
            }
        }
    }
}
