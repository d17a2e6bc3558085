package io.gpumigrate.replay.retention;

import java.util.List;

/**
 * What one retention pass did.
 *
 * @param deletedForAge  logs deleted because they were older than the age limit
 * @param deletedForSize logs deleted, oldest first, to bring the total under the size limit
 * @param bytesFreed     bytes of the deleted logs
 * @param kept           logs left in place, active ones included
 * @param bytesKept      bytes of the logs left in place
 */
public record RetentionReport(List<StoredLog> deletedForAge, List<StoredLog> deletedForSize, long bytesFreed,
                              List<StoredLog> kept, long bytesKept) {
}
