/** The replay engine: re-executes a recorded session's replay log on a device backend, without the program or the network. */
package io.gpumigrate.worker.replay;
