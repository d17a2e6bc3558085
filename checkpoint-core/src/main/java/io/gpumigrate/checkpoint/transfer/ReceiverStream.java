package io.gpumigrate.checkpoint.transfer;

import io.netty.channel.Channel;
import java.util.ArrayDeque;

/**
 * One connection of a transfer as the receiver sees it: its stream number (from its HELLO),
 * and what it delivered after reaching a barrier the other streams have not reached yet.
 * Guarded by the {@link ReceiverSession} it belongs to.
 */
final class ReceiverStream {

    final Channel channel;
    /** The stream number, -1 before HELLO. */
    int index = -1;
    /** At a barrier: later frames wait in {@link #queue}, and the channel does not read. */
    boolean held;
    /** Not part of the transfer (another source): everything it sends is dropped. */
    boolean refused;
    final ArrayDeque<TransferMessage> queue = new ArrayDeque<>();

    ReceiverStream(Channel channel) {
        this.channel = channel;
    }
}
