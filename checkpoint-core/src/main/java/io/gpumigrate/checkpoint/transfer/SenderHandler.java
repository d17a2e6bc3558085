package io.gpumigrate.checkpoint.transfer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The source's view of what the target says: VERIFIED completes {@link #verified()}; ABORT,
 * a closed connection or an error records the first failure and completes it exceptionally.
 * One handler serves every connection of a transfer: a failure on any of them fails the whole.
 * Thread-safe: the event loops write, the sender's thread reads.
 */
@io.netty.channel.ChannelHandler.Sharable
final class SenderHandler extends SimpleChannelInboundHandler<TransferMessage> {

    private final CompletableFuture<TransferMessage.Verified> verified = new CompletableFuture<>();
    private final AtomicReference<TransferAbortedException> failure = new AtomicReference<>();

    CompletableFuture<TransferMessage.Verified> verified() {
        return verified;
    }

    boolean failed() {
        return failure.get() != null;
    }

    /** The first failure, or a generic one when none was recorded. */
    TransferAbortedException failure() {
        TransferAbortedException f = failure.get();
        return f != null ? f : new TransferAbortedException("the transfer failed");
    }

    /** Throws the first failure, if any. */
    void check() throws TransferAbortedException {
        TransferAbortedException f = failure.get();
        if (f != null) {
            throw new TransferAbortedException(f.getMessage(), f);
        }
    }

    /** Records a failure unless the target has verified already or another failure came first. */
    void fail(TransferAbortedException e) {
        if (!verified.isDone() && failure.compareAndSet(null, e)) {
            verified.completeExceptionally(e);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TransferMessage msg) {
        switch (msg) {
            case TransferMessage.Verified v -> verified.complete(v);
            case TransferMessage.Abort a -> {
                fail(new TransferAbortedException("the target aborted the transfer: " + a.reason()));
                ctx.close();
            }
            default -> {
                fail(new TransferAbortedException("unexpected " + msg.getClass().getSimpleName() + " from the target"));
                ctx.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new TransferAbortedException("the connection to the target closed before it verified the image"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(new TransferAbortedException("the connection to the target failed: " + cause, cause));
        ctx.close();
    }
}
