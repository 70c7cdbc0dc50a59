/* A stand-in for a library planted where nobody should load it from: it writes MARKER (a path
 * given at compile time) when the dynamic loader runs its constructor, i.e. as soon as anyone
 * dlopen()s it, before any of its functions (it has none) could be checked. */
#include <stdio.h>

__attribute__((constructor)) static void planted_library_loaded(void) {
    FILE *f = fopen(MARKER, "a");
    if (f != NULL) {
        fputs("the planted library was loaded\n", f);
        fclose(f);
    }
}
