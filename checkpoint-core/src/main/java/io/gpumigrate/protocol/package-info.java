/** The wire protocol between client library, agents and workers: frames, operations, codecs (docs/wire-protocol.md). */
package io.gpumigrate.protocol;
