package io.gpumigrate.device.cuda;

import io.gpumigrate.device.ParamLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kernel parameter layout read from a PTX {@code .entry} declaration: the fallback for drivers
 * without {@code cuFuncGetParamInfo} (before CUDA 12.4). Understands the parameter forms
 * compilers emit:
 *
 * <pre>
 *   .param .u64 name                          8 bytes, aligned to 8
 *   .param .u64 .ptr .global .align 16 name   a pointer: the .align after .ptr is the pointee's
 *   .param .align 8 .b8 name[24]              a struct passed by value: 24 bytes, aligned to 8
 *   .param .f32 name[4]                       an array: 16 bytes, aligned to 4
 * </pre>
 *
 * Each parameter starts at the previous one's end, rounded up to its alignment (the explicit
 * {@code .align}, else its element size), as the driver lays out the launch buffer.
 *
 * <p>Stateless and thread-safe.
 */
final class PtxEntryParams {

    private static final Pattern COMMENTS = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern ARRAY = Pattern.compile("(.*?)\\[\\s*(\\d+)\\s*]$");

    private PtxEntryParams() {
    }

    /**
     * The layout of kernel {@code name} in {@code ptx}.
     *
     * @return empty when the PTX declares no such {@code .entry}
     * @throws IllegalArgumentException naming the parameter the parser cannot read
     */
    static Optional<ParamLayout> parse(String ptx, String name) {
        String text = COMMENTS.matcher(ptx).replaceAll(" ");
        Matcher entry = Pattern.compile("\\.entry\\s+" + Pattern.quote(name) + "\\s*(\\(|\\{|\\.)").matcher(text);
        if (!entry.find()) {
            return Optional.empty();
        }
        List<int[]> params = new ArrayList<>();
        if (entry.group(1).equals("(")) {
            int close = text.indexOf(')', entry.end());
            if (close < 0) {
                throw new IllegalArgumentException(".entry " + name + " has no closing parenthesis");
            }
            String list = text.substring(entry.end(), close).trim();
            int end = 0;
            if (!list.isEmpty()) {
                for (String declaration : list.split(",")) {
                    int[] alignAndSize = alignAndSize(declaration.trim(), name);
                    int offset = roundUp(end, alignAndSize[0]);
                    params.add(new int[] {offset, alignAndSize[1]});
                    end = offset + alignAndSize[1];
                }
            }
        }
        return Optional.of(ParamLayout.of(params));
    }

    /** {alignment, size} of one {@code .param} declaration. */
    static int[] alignAndSize(String declaration, String kernel) {
        String[] tokens = declaration.split("\\s+");
        if (tokens.length < 3 || !tokens[0].equals(".param")) {
            throw new IllegalArgumentException("kernel " + kernel + ": cannot read parameter '" + declaration + "'");
        }
        int align = 0;
        int elementSize = 0;
        boolean pointer = false;
        for (int i = 1; i < tokens.length - 1; i++) {
            String token = tokens[i];
            if (token.equals(".ptr")) {
                pointer = true;
            } else if (token.equals(".align")) {
                int value = Integer.parseInt(tokens[++i]);
                if (!pointer) {
                    align = value;
                }
            } else if (elementSize == 0) {
                elementSize = typeSize(token);
            }
        }
        if (elementSize == 0) {
            throw new IllegalArgumentException("kernel " + kernel + ": parameter '" + declaration + "' has no type");
        }
        int count = 1;
        Matcher array = ARRAY.matcher(tokens[tokens.length - 1]);
        if (array.matches()) {
            count = Integer.parseInt(array.group(2));
        }
        return new int[] {align > 0 ? align : elementSize, elementSize * count};
    }

    /** Bytes of a PTX fundamental type such as {@code .u64} or {@code .f16x2}; 0 for a state space or other keyword. */
    static int typeSize(String type) {
        return switch (type) {
            case ".b8", ".u8", ".s8" -> 1;
            case ".b16", ".u16", ".s16", ".f16", ".bf16" -> 2;
            case ".b32", ".u32", ".s32", ".f32", ".f16x2", ".bf16x2" -> 4;
            case ".b64", ".u64", ".s64", ".f64" -> 8;
            case ".b128" -> 16;
            default -> 0;
        };
    }

    private static int roundUp(int value, int alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
