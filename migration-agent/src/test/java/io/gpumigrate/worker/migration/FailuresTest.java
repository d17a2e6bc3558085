package io.gpumigrate.worker.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** What a control operation's reply says of a failure: the user reads these after `gpumigrate dump` and the like. */
class FailuresTest {

    @Test
    void aMissingDirectoryIsNamedWithWhatIsWrongAndItsStatus() {
        var e = new ExecutionException(new NoSuchFileException("/proc/nope"));
        assertEquals("/proc/nope: no such file or directory", Failures.message(e));
        assertEquals(CuResult.FILE_NOT_FOUND, Failures.status(e));
    }

    @Test
    void aDirectoryNotOursToWriteIsPermissionDenied() {
        var e = new CompletionException(new AccessDeniedException("/root/images"));
        assertEquals("/root/images: permission denied", Failures.message(e));
        assertEquals(CuResult.NOT_PERMITTED, Failures.status(e));
    }

    @Test
    void aFileSystemFailureWithItsOwnReasonKeepsIt() {
        var e = new FileSystemException("/data/img", null, "a checkpoint image must not overwrite anything");
        assertEquals("/data/img: a checkpoint image must not overwrite anything", Failures.message(e));
        assertEquals(CuResult.UNKNOWN, Failures.status(e));
    }

    @Test
    void aCudaFailureKeepsItsStatusAndMessage() {
        var e = new ExecutionException(new CudaException(CuResult.OUT_OF_MEMORY, "the target has 1 byte free"));
        assertEquals(CuResult.OUT_OF_MEMORY, Failures.status(e));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY (2): the target has 1 byte free", Failures.message(e));
    }
}
