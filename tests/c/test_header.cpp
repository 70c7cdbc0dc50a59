// The header compiles as C++ (extern "C", no C-only constructs) and survives double inclusion.
#include <leanix.h>
#include <leanix.h>

#include <cstdio>
#include <cstring>

int main() {
    lx_client *client = nullptr;
    lx_error *err = nullptr;
    lx_status st = lx_client_new("http://acme.leanix.net", "token", &client, &err);
    bool ok = st == LX_ERR_CONFIG && client == nullptr && std::strlen(lx_error_message(err)) > 0;
    lx_free(err);
    ok = ok && std::strcmp(lx_version(), LX_VERSION_STRING) == 0;
    std::printf("%d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    return ok ? 0 : 1;
}
