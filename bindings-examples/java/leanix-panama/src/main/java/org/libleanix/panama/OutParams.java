package org.libleanix.panama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The out-parameters of one call, as one native struct with named fields (one allocation in the
 * call's arena): {@code result} ({@code T **}: the response, string, options or client),
 * {@code error} ({@code lx_error **}) and {@code length} ({@code size_t *}).
 */
final class OutParams {
    /** {@code struct { void *result; lx_error *error; size_t length; }}. */
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
        ADDRESS.withName("result"),
        ADDRESS.withName("error"),
        Lib.SIZE_T.withName("length"));

    private static final long RESULT = LAYOUT.byteOffset(PathElement.groupElement("result"));
    private static final long ERROR = LAYOUT.byteOffset(PathElement.groupElement("error"));
    private static final long LENGTH = LAYOUT.byteOffset(PathElement.groupElement("length"));

    private final MemorySegment block;

    /** @param arena the call's arena, which frees the block when the call returns */
    OutParams(Arena arena) {
        this.block = arena.allocate(LAYOUT); // zeroed
    }

    /** @return the {@code result} out-parameter, to pass as {@code T **} */
    MemorySegment result() {
        return block.asSlice(RESULT, ADDRESS);
    }

    /** @return the {@code error} out-parameter, to pass as {@code lx_error **} */
    MemorySegment error() {
        return block.asSlice(ERROR, ADDRESS);
    }

    /** @return the {@code length} out-parameter, to pass as {@code size_t *} */
    MemorySegment length() {
        return block.asSlice(LENGTH, Lib.SIZE_T);
    }

    /** @return the pointer the callee wrote to {@code result} */
    MemorySegment resultValue() {
        return block.get(ADDRESS, RESULT);
    }

    /** @return the pointer the callee wrote to {@code error} (NULL if none) */
    MemorySegment errorValue() {
        return block.get(ADDRESS, ERROR);
    }

    /** @return the length the callee wrote ({@code size_t}, 8 bytes: {@link Loader} checks) */
    long lengthValue() {
        return block.get(JAVA_LONG, LENGTH);
    }
}
