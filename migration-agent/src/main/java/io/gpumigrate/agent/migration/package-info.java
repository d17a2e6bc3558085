/** The agent's control operations: migration, checkpoint and restore, drain, cordon, placement and locating sessions across peers. */
package io.gpumigrate.agent.migration;
