/* The negative control of the valgrind check in install.sh: a program that uses the library
 * correctly and then loses 64 bytes of its own. valgrind with the library's suppressions must
 * still report those (definitely lost) and fail; the library's own blocks stay suppressed. */
#include <leanix.h>

#include <stdio.h>
#include <stdlib.h>

static void *lost;

int main(void) {
    lx_client *client = NULL;
    lx_error *err = NULL;
    if (lx_client_new("acme.leanix.net", "an-api-token-0123456789", &client, &err) != LX_OK) {
        fprintf(stderr, "%s\n", lx_error_message(err));
        lx_free(err);
        return 2;
    }
    lx_free(client);
    lost = malloc(64);
    printf("allocated %p\n", lost);
    lost = NULL;
    return 0;
}
