package io.gpumigrate.worker.replay;

/**
 * A module global a replayed session looked up ({@code cuModuleGetGlobal}). Its address is the
 * device's choice, so two backends may place the same global differently: globals are matched
 * by module handle and name, never by address.
 *
 * @param module the module's handle
 * @param name   the global's name
 * @param base   the device address its client was given: the recorded one where the log holds
 *               it, which may differ from where the device replayed on put it
 * @param bytes  its size
 */
public record ModuleGlobal(long module, String name, long base, long bytes) {

    @Override
    public String toString() {
        return "global '" + name + "' of module 0x" + Long.toHexString(module) + " (" + bytes + " bytes)";
    }
}
