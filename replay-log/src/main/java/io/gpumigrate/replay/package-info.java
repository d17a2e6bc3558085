/** What a session's replay log holds: logged calls, gaps where calls could not be logged, blob references. */
package io.gpumigrate.replay;
