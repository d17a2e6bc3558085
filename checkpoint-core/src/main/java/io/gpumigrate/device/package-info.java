/** The device SPI: what a session worker asks of a GPU, implemented by the CUDA (FFM) and emulator backends. */
package io.gpumigrate.device;
