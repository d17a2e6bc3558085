package io.gpumigrate.worker;

import io.gpumigrate.device.CuResult;
import io.gpumigrate.device.CudaException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static io.gpumigrate.worker.HandleTable.Kind.EVENT;
import static io.gpumigrate.worker.HandleTable.Kind.STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandleTableTest {

    @Test
    void handlesAreNonzeroDistinctAndNeverReused() throws CudaException {
        HandleTable table = new HandleTable();
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            long h = table.add(STREAM, new Object());
            assertNotEquals(0, h);
            assertTrue(seen.add(h), "handle reused: " + h);
            table.remove(h, STREAM, Object.class);
        }
        assertEquals(0, table.size());
    }

    @Test
    void aHandleOfAnotherKindOrAnUnknownOneIsAnInvalidHandle() throws CudaException {
        HandleTable table = new HandleTable();
        Object stream = new Object();
        long h = table.add(STREAM, stream);
        assertSame(stream, table.get(h, STREAM, Object.class));
        CudaException wrongKind = assertThrows(CudaException.class, () -> table.get(h, EVENT, Object.class));
        assertEquals(CuResult.INVALID_HANDLE, wrongKind.result());
        assertTrue(wrongKind.getMessage().contains("event handle 0x" + Long.toHexString(h)), wrongKind.getMessage());
        assertThrows(CudaException.class, () -> table.get(h + 1, STREAM, Object.class));
        assertThrows(CudaException.class, () -> table.get(0, STREAM, Object.class));
        assertThrows(CudaException.class, () -> table.get(h, STREAM, String.class), "an object of another type");
    }
}
