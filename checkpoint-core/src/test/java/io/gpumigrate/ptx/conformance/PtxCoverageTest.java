package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The suite covers what issue 3 asks of the emulator: each listed PTX feature occurs in at least
 * one committed kernel, and every .ptx matches its .cu (same kernels, so none is stale). Needs
 * no backend: it reads the corpus.
 */
class PtxCoverageTest {

    /** Feature of issue 3 -> a regular expression over the PTX text that shows the feature in use. */
    private static final Map<String, String> FEATURES = new LinkedHashMap<>();

    static {
        feature("8/16-bit loads, stores, arithmetic", "ld\\.global\\.s8|ld\\.global\\.u8", "st\\.global\\.u8",
                "add\\.s16", "mul\\.wide\\.s16");
        feature("32/64-bit signed and unsigned", "div\\.s32", "div\\.u64", "rem\\.u32", "min\\.u64", "max\\.s64");
        feature("mul.wide", "mul\\.wide\\.s32", "mul\\.wide\\.u32");
        feature("mad", "mad\\.lo\\.s32", "mad\\.lo\\.s64", "mad\\.hi\\.u64", "mad\\.wide\\.s32");
        feature("mul.hi/lo", "mul\\.hi\\.s32", "mul\\.hi\\.u64", "mul\\.lo\\.s64", "mul24\\.lo", "sad\\.s32");
        feature("bfe", "bfe\\.u32", "bfe\\.s64");
        feature("bfi", "bfi\\.b32", "bfi\\.b64");
        feature("prmt", "prmt\\.b32\\s", "prmt\\.b32\\.rc16");
        feature("popc", "popc\\.b64");
        feature("clz", "clz\\.b32");
        feature("brev", "brev\\.b64");
        feature("bfind", "bfind\\.s32");
        feature("shifts", "shl\\.b64", "shr\\.s32", "shr\\.u64", "shf\\.l\\.clamp");
        feature("min/max/abs/neg int", "abs\\.s32", "neg\\.s64");
        feature("float rounding modes", "add\\.rz\\.f32", "mul\\.rm\\.f64", "div\\.rp\\.f32", "fma\\.rz\\.f64",
                "sqrt\\.rm\\.f32", "rcp\\.rp\\.f64");
        feature("ftz", "add\\.rn\\.ftz\\.f32", "mul\\.rz\\.ftz\\.f32", "setp\\.eq\\.ftz\\.f32");
        feature("sat", "cvt\\.sat\\.f32\\.f32", "cvt\\.ftz\\.sat\\.f32");
        feature("div approx/full", "div\\.approx\\.f32", "div\\.full\\.f32");
        feature("rcp approx", "rcp\\.approx\\.f32");
        feature("sqrt/rsqrt", "sqrt\\.approx\\.f32", "rsqrt\\.approx\\.f32", "rsqrt\\.approx\\.f64");
        feature("ex2/lg2", "ex2\\.approx", "lg2\\.approx");
        feature("sin/cos", "sin\\.approx\\.f32", "cos\\.approx\\.f32");
        feature("float min/max/abs/neg", "min\\.f32", "max\\.f64", "abs\\.f32", "neg\\.f64", "copysign\\.f32");
        feature("cvt float<->int with rounding", "cvt\\.rni\\.s32\\.f32", "cvt\\.rzi\\.u64\\.f32",
                "cvt\\.rmi\\.s64\\.f32", "cvt\\.rpi\\.s32\\.f64");
        feature("cvt int->float with rounding", "cvt\\.rz\\.f32\\.s32", "cvt\\.rp\\.f32\\.u64", "cvt\\.rm\\.f64\\.s64");
        feature("cvt f64<->f32", "cvt\\.rz\\.f32\\.f64", "cvt\\.f64\\.f32");
        feature("cvt f16/bf16", "cvt\\.rn\\.f16\\.f32", "cvt\\.f32\\.f16", "cvt\\.rn\\.bf16\\.f32");
        feature("cvt integer widths and saturation", "cvt\\.s32\\.s8", "cvt\\.u8\\.s16", "cvt\\.sat\\.s8\\.s32",
                "cvt\\.rni\\.f32\\.f32");
        feature("setp/selp/set", "setp\\.ltu\\.f32", "setp\\.nan\\.f32", "setp\\.gt\\.and\\.s32", "selp",
                "set\\.lt\\.u32\\.s32", "set\\.le\\.f32\\.f32");
        feature("predicate logic and guards", "and\\.pred", "xor\\.pred", "not\\.pred", "@!\\w+", "@%p\\d+ bra");
        feature("shared static and dynamic", "st\\.shared", "\\.extern \\.shared");
        feature("local", "ld\\.local", "st\\.local");
        feature("const", "ld\\.const", "\\.const .*=");
        feature("module global with initialiser", "\\.global \\.align 8 \\.u64 \\w+ = ");
        feature("param space", "ld\\.param", "\\.param \\.align 8 \\.b8 \\w+\\[32\\]", "\\.b8 \\w+\\[200\\]",
                "ld\\.param\\.u32\\s+%r\\d+, \\[%rd");
        feature("vector accesses", "ld\\.global\\.v4\\.f32", "ld\\.global\\.v2\\.f32", "ld\\.global\\.nc\\.v4\\.s32",
                "st\\.global\\.v4\\.u32", "ld\\.global\\.v2\\.f64");
        feature("cvta and generic addressing", "cvta\\.shared", "cvta\\.local", "isspacep\\.shared");
        feature("control flow", "bra\\.uni", "call\\.uni", "call \\(retval0\\),\\s+%rd", "\\.callprototype", "exit;",
                "ret;");
        feature("barriers", "bar\\.sync", "bar\\.red\\.popc", "bar\\.red\\.and", "bar\\.warp\\.sync", "bar\\.arrive 1, 128",
                "bar\\.sync 1, 128", "barrier\\.sync");
        feature("fences", "membar\\.gl", "membar\\.cta", "fence\\.acq_rel");
        feature("atomics global", "atom\\.global\\.add\\.f32", "atom\\.global\\.add\\.f64",
                "atom\\.global\\.add\\.u64", "atom\\.global\\.min\\.s64", "atom\\.global\\.max\\.u32",
                "atom\\.global\\.exch\\.b64", "atom\\.global\\.cas\\.b32", "atom\\.global\\.cas\\.b64",
                "atom\\.global\\.and\\.b64", "atom\\.global\\.or\\.b32", "atom\\.global\\.xor\\.b32",
                "atom\\.global\\.inc\\.u32", "atom\\.global\\.dec\\.u32");
        feature("reductions", "red\\.global\\.add");
        feature("atomics shared", "atom\\.shared\\.add\\.u32", "atom\\.shared\\.add\\.f32",
                "atom\\.shared\\.cas\\.b32", "atom\\.shared\\.inc\\.u32", "atom\\.shared\\.add\\.u64");
        feature("shuffles", "shfl\\.sync\\.idx", "shfl\\.sync\\.up", "shfl\\.sync\\.down", "shfl\\.sync\\.bfly");
        feature("votes", "vote\\.sync\\.all", "vote\\.sync\\.any", "vote\\.sync\\.uni", "vote\\.sync\\.ballot");
        feature("activemask", "activemask\\.b32");
        feature("match", "match\\.any\\.sync", "match\\.all\\.sync");
        feature("special registers", "%tid\\.z", "%ntid\\.y", "%ctaid\\.z", "%nctaid\\.y", "%laneid", "%warpid",
                "%nwarpid", "%clock64", "%clock\\b", "%globaltimer", "%lanemask_lt", "%lanemask_ge", "%smid",
                "%nsmid", "%dynamic_smem_size", "%total_smem_size");
    }

    private static void feature(String name, String... patterns) {
        for (String regex : patterns) {
            FEATURES.put(name + ": " + regex, regex);
        }
    }

    @Test
    void everyFeatureOfTheIssueOccurs() {
        StringBuilder all = new StringBuilder();
        for (String name : PtxCorpus.moduleNames()) {
            all.append(PtxCorpus.read(name + ".ptx")).append('\n');
        }
        List<String> missing = new ArrayList<>();
        FEATURES.forEach((feature, regex) -> {
            if (!Pattern.compile(regex).matcher(all).find()) {
                missing.add(feature);
            }
        });
        assertTrue(missing.isEmpty(), "features of issue 3 no conformance kernel uses: " + missing);
        assertTrue(FEATURES.size() > 150, "the feature table was read: " + FEATURES.size());
    }

    @Test
    void everyPtxMatchesItsSource() {
        Pattern cuKernel = Pattern.compile("extern \"C\" __global__ void (\\w+)\\s*\\(");
        Pattern llKernel = Pattern.compile("@(\\w+), !\"kernel\", i32 1");
        Pattern ptxEntry = Pattern.compile("\\.visible \\.entry (\\w+)\\(");
        for (String name : PtxCorpus.moduleNames()) {
            String ptx = PtxCorpus.read(name + ".ptx");
            boolean fromLlvm = PtxCorpus.exists(name + ".ll");
            String source = PtxCorpus.read(name + (fromLlvm ? ".ll" : ".cu"));
            assertTrue(ptx.contains(fromLlvm ? "Generated by LLVM NVPTX Back-End" : "Generated by NVIDIA NVVM Compiler"),
                    name + ".ptx is " + (fromLlvm ? "llc" : "nvcc") + " output");
            assertEquals(names((fromLlvm ? llKernel : cuKernel).matcher(source)), names(ptxEntry.matcher(ptx)),
                    name + ".ptx declares the kernels of its source (run regen-ptx.sh after editing it)");
        }
    }

    private static TreeSet<String> names(Matcher m) {
        TreeSet<String> s = new TreeSet<>();
        while (m.find()) {
            s.add(m.group(1));
        }
        return s;
    }
}
