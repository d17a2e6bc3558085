package io.gpumigrate.device.cuda;

/**
 * A cubin whose module globals {@link CubinGlobals} cannot place in a block of its own: it is
 * malformed, or something in it would keep pointing into the loader's copy of the globals. The
 * message says which; the module is then loaded as it came.
 */
final class UnplaceableGlobalsException extends Exception {

    UnplaceableGlobalsException(String message) {
        super(message);
    }

    UnplaceableGlobalsException(String message, Throwable cause) {
        super(message, cause);
    }
}
