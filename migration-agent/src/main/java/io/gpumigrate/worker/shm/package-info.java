/** The worker side of the same-host data path: a client's shared mapping that copies read from and write into. */
package io.gpumigrate.worker.shm;
