/** Printing a replay log one call per line, as strace prints system calls ({@code gpumigrate log show}). */
package io.gpumigrate.replay.show;
