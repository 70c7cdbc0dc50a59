package org.libleanix.jna;

import com.sun.jna.IntegerType;
import com.sun.jna.Native;

/** C {@code size_t}: unsigned, {@link Native#SIZE_T_SIZE} bytes wide (JNA has no built-in type). */
public final class SizeT extends IntegerType {
    private static final long serialVersionUID = 1L;

    /** Zero (JNA needs a public no-argument constructor). */
    public SizeT() {
        this(0);
    }

    /**
     * @param value the value (non-negative)
     */
    public SizeT(long value) {
        super(Native.SIZE_T_SIZE, value, true);
    }
}
