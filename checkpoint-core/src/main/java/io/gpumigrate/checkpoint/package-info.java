/** Session images: the backend-independent model of a session, the chunk codec and the checkpoint image format on disk. */
package io.gpumigrate.checkpoint;
