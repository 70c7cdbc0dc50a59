/* libFuzzer harness for a Rust fuzz target of fuzz/src/lib.rs. Build with
 * -DLXFUZZ_TARGET=lxfuzz_<name> and link libleanix_fuzz.a (see scripts/fuzz.sh). */
#include <stddef.h>
#include <stdint.h>

#ifndef LXFUZZ_TARGET
#error "define LXFUZZ_TARGET"
#endif

int LXFUZZ_TARGET(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    LXFUZZ_TARGET(data, size);
    return 0;
}
