package io.gpumigrate.ptx.conformance;

import io.gpumigrate.device.DeviceFunction;
import io.gpumigrate.device.ParamLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Packs kernel arguments into the launch buffer at the offsets {@link DeviceFunction#params()}
 * gives, checking each argument's size against the parameter's declared size.
 *
 * <p>Arguments map to bytes as C passes them: {@code Byte} 1, {@code Short} 2, {@code Integer}
 * and {@code Float} 4, {@code Long} (also device pointers) and {@code Double} 8, and a
 * {@code byte[]} is a struct passed by value, copied as is. Stateless; thread-safe.
 */
final class ParamPacker {

    private ParamPacker() {
    }

    static MemorySegment pack(DeviceFunction function, Arena arena, Object... args) {
        ParamLayout layout = function.params();
        if (layout.count() != args.length) {
            throw new IllegalArgumentException("kernel " + function.name() + " takes " + layout.count()
                    + " parameters, " + args.length + " arguments given");
        }
        MemorySegment buffer = arena.allocate(Math.max(1, layout.bufferSize()), 8);
        for (int i = 0; i < args.length; i++) {
            long at = layout.offset(i);
            int size = layout.size(i);
            Object arg = args[i];
            int argSize = sizeOf(arg);
            if (argSize != size) {
                throw new IllegalArgumentException("kernel " + function.name() + " parameter " + i + " is "
                        + size + " bytes but the argument " + describe(arg) + " is " + argSize);
            }
            switch (arg) {
                case Byte b -> buffer.set(ValueLayout.JAVA_BYTE, at, b);
                case Short s -> buffer.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, s);
                case Integer v -> buffer.set(ValueLayout.JAVA_INT_UNALIGNED, at, v);
                case Float f -> buffer.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, f);
                case Long l -> buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, at, l);
                case Double d -> buffer.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at, d);
                case byte[] bytes -> MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, at, bytes.length);
                default -> throw new IllegalStateException("unreachable: " + describe(arg));
            }
        }
        return buffer;
    }

    private static int sizeOf(Object arg) {
        return switch (arg) {
            case Byte b -> 1;
            case Short s -> 2;
            case Integer i -> 4;
            case Float f -> 4;
            case Long l -> 8;
            case Double d -> 8;
            case byte[] bytes -> bytes.length;
            case null -> throw new IllegalArgumentException("null kernel argument");
            default -> throw new IllegalArgumentException("unsupported kernel argument type "
                    + arg.getClass().getName() + "; use Byte, Short, Integer, Float, Long, Double or byte[]");
        };
    }

    private static String describe(Object arg) {
        return arg instanceof byte[] b ? "byte[" + b.length + "]" : arg.getClass().getSimpleName() + " " + arg;
    }
}
