package io.gpumigrate.device;

/** A kernel of a loaded module. */
public interface DeviceFunction {

    String name();

    /** Where each parameter sits in the packed launch buffer. */
    ParamLayout params();
}
