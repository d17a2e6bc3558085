/** The PTX emulator backend: a software GPU with an emulated, bounds-checked device address space. */
package io.gpumigrate.device.emulator;
