/** Reading a session's replay log: segments in sequence order, blob resolution, checks, tail recovery. */
package io.gpumigrate.replay.read;
