package io.gpumigrate.worker;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UploadCopyBuffersTest {

    private static final int SLOT = (8 << 20) + 16;

    @Test
    void aReleasedBufferIsHandedOutAgainAndOneInUseIsNot() {
        try (UploadCopyBuffers buffers = new UploadCopyBuffers()) {
            ByteBuf first = buffers.acquire(SLOT);
            first.setLongLE(SLOT - 8, 0x1111_2222_3333_4444L);
            ByteBuf second = buffers.acquire(SLOT);
            second.setLongLE(SLOT - 8, 0x5555_6666_7777_8888L);
            assertEquals(0x1111_2222_3333_4444L, first.getLongLE(SLOT - 8), "a buffer in use is not handed out twice");
            first.release(); // the log writer is done with it
            ByteBuf third = buffers.acquire(SLOT);
            assertEquals(0x1111_2222_3333_4444L, third.getLongLE(SLOT - 8), "the released buffer is reused");
            assertEquals(0, third.readerIndex());
            assertEquals(0, third.writerIndex(), "handed out empty");
            assertTrue(third.capacity() >= SLOT);
            assertEquals(2, buffers.keptCount());
            second.release();
            third.release();
        }
    }

    @Test
    void beyondTheKeptBuffersOneOffsAreFreedOnRelease() {
        List<ByteBuf> inUse = new ArrayList<>();
        try (UploadCopyBuffers buffers = new UploadCopyBuffers()) {
            for (int i = 0; i < UploadCopyBuffers.KEPT + 2; i++) {
                inUse.add(buffers.acquire(SLOT));
            }
            assertEquals(UploadCopyBuffers.KEPT, buffers.keptCount());
            ByteBuf oneOff = inUse.getLast();
            assertEquals(1, oneOff.refCnt());
            oneOff.release();
            assertEquals(0, oneOff.refCnt(), "a one-off is freed by its user's release");
            inUse.removeLast();
        }
        for (ByteBuf b : inUse) {
            b.writeLongLE(7); // still usable after the pool closed: the user holds its own reference
            assertEquals(7, b.getLongLE(0));
            b.release();
            assertEquals(0, b.refCnt(), "freed by the last user once the pool has closed");
        }
    }

    @Test
    void aFreeBufferTooSmallIsReplacedBySmallOnesComingFromNettysPool() {
        try (UploadCopyBuffers buffers = new UploadCopyBuffers()) {
            ByteBuf small = buffers.acquire(UploadCopyBuffers.POOLED_BELOW);
            small.release();
            ByteBuf large = buffers.acquire(SLOT);
            assertTrue(large.capacity() >= SLOT, "a kept buffer too small is not handed out");
            assertEquals(1, buffers.keptCount(), "the small one made room");
            large.release();
            ByteBuf tiny = buffers.acquire(4096);
            assertEquals(1, buffers.keptCount(), "small copies do not use kept buffers");
            tiny.release();
        }
    }
}
