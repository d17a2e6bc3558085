/** The replay log's formats on disk: segment and block headers, record encoding, directory layout, format errors. */
package io.gpumigrate.replay.format;
