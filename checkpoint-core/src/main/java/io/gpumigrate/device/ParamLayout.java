package io.gpumigrate.device;

import java.util.List;

/**
 * Where each kernel parameter sits in the packed launch buffer.
 *
 * @param offsets byte offset of each parameter
 * @param sizes   byte size of each parameter
 */
public record ParamLayout(int[] offsets, int[] sizes) {

    public ParamLayout {
        if (offsets.length != sizes.length) {
            throw new IllegalArgumentException(offsets.length + " offsets but " + sizes.length + " sizes");
        }
        offsets = offsets.clone();
        sizes = sizes.clone();
    }

    public int count() {
        return offsets.length;
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int size(int i) {
        return sizes[i];
    }

    /** Bytes of the whole buffer: the end of the last parameter. */
    public int bufferSize() {
        int end = 0;
        for (int i = 0; i < offsets.length; i++) {
            end = Math.max(end, offsets[i] + sizes[i]);
        }
        return end;
    }

    public static ParamLayout of(List<int[]> offsetAndSize) {
        int[] o = new int[offsetAndSize.size()];
        int[] s = new int[offsetAndSize.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = offsetAndSize.get(i)[0];
            s[i] = offsetAndSize.get(i)[1];
        }
        return new ParamLayout(o, s);
    }
}
