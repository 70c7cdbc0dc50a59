/* A library that calls itself libleanix but reports another ABI generation. */
unsigned int lx_abi_version(void) {
    return 999;
}
