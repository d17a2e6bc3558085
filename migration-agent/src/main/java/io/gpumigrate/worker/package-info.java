/** The session worker process: a Netty server that executes one client's forwarded CUDA calls on a device backend. */
package io.gpumigrate.worker;
