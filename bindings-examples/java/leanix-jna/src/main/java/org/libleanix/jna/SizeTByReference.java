package org.libleanix.jna;

import com.sun.jna.Native;
import com.sun.jna.ptr.ByReference;

/** A {@code size_t *} out-parameter ({@link Native#SIZE_T_SIZE} bytes; JNA has no built-in type). */
public final class SizeTByReference extends ByReference {
    /** A zeroed {@code size_t}. */
    public SizeTByReference() {
        super(Native.SIZE_T_SIZE);
        getPointer().clear(Native.SIZE_T_SIZE);
    }

    /** @return the value the callee wrote */
    public long getValue() {
        return Native.SIZE_T_SIZE == 8 ? getPointer().getLong(0) : Integer.toUnsignedLong(getPointer().getInt(0));
    }
}
