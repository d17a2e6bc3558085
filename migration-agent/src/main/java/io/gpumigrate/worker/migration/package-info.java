/** The worker's side of migration and checkpoint: the agent's control connection and the operations it starts. */
package io.gpumigrate.worker.migration;
