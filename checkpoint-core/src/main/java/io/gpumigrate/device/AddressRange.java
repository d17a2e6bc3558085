package io.gpumigrate.device;

/** A range of device addresses: an allocation or a module global. */
public record AddressRange(long base, long size) {

    public boolean contains(long address, long length) {
        return address >= base && length >= 0 && address - base <= size - length;
    }
}
