/** The log's blob store: host-to-device payloads kept once per content, by xxHash64, across all segments. */
package io.gpumigrate.replay.blob;
