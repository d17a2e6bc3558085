/** Writing a session's replay log: a non-blocking append on the session thread, compression and disk I/O on a background thread. */
package io.gpumigrate.replay.write;
