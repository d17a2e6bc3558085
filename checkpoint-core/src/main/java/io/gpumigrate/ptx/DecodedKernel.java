package io.gpumigrate.ptx;

import io.gpumigrate.device.ParamLayout;

/**
 * A kernel ready to run: its instructions with every name resolved, and the sizes of the
 * storage a launch must provide. Device functions it calls are inlined. Immutable.
 *
 * @param code          instructions; execution starts at 0
 * @param slots         register slots per thread (constants and special registers included)
 * @param constants     value of each constant slot, for slots {@code [0, constants.length)}
 * @param specialSlots  register base of each special register slot
 * @param specialCodes  which {@link SpecialRegister} each of those holds
 * @param predicates    predicate registers per thread
 * @param localBytes    local memory per thread
 * @param staticShared  bytes of static shared memory (dynamic shared memory starts after it, 16-aligned)
 * @param dynamicSharedSlot register base of the constant holding the dynamic shared base, or -1
 * @param params        the kernel parameter layout
 * @param maxThreads    from {@code .maxntid}/{@code .reqntid}, or 0
 * @param declaredRegisters registers the PTX declares (what {@code CU_FUNC_ATTRIBUTE_NUM_REGS} reports)
 * @param callTargets   out-of-line functions (recursive or called through pointers), by index
 * @param framePointer  register base of the frame pointer, or -1 when nothing is called out of line
 * @param targetByFunction for each function of the module (by position), its index in callTargets or -1
 */
public record DecodedKernel(String name, Insn[] code, int slots, long[] constants, int[] specialSlots,
                            int[] specialCodes, int predicates, int localBytes, int staticShared,
                            int dynamicSharedSlot, ParamLayout params, int maxThreads, int declaredRegisters,
                            CallTarget[] callTargets, int framePointer, int[] targetByFunction) {

    /** Instructions in the decoded form. */
    public int length() {
        return code.length;
    }
}
