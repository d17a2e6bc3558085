/** The PTX conformance suite: nvcc-compiled kernels run through the device SPI and checked against CPU references. */
package io.gpumigrate.ptx.conformance;
