/** Retention of finished session logs under an agent's data directory, by total size and by age. */
package io.gpumigrate.replay.retention;
