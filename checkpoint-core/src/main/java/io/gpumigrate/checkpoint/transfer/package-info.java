/** Live migration's data path: streams a session image and its device memory chunks from a source to a target over Netty. */
package io.gpumigrate.checkpoint.transfer;
