// A C++ translation unit that includes the header (extern "C") and calls the library.
#include <cstdio>
#include <cstring>
#include <string>

#include "zhengzhao.h"

namespace {

std::string last_error() {
    size_t len = 0;
    zz_last_error_message(nullptr, 0, &len);
    std::string s(len + 1, '\0');
    zz_last_error_message(&s[0], s.size(), &len);
    s.resize(len);
    return s;
}

}  // namespace

int main() {
    int failures = 0;
    const char *version = nullptr;
    if (zz_version(&version) != ZZ_OK || std::strlen(version) == 0) failures++;
    char *json = nullptr;
    if (zz_id_check("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F", 0,
                    &json) != ZZ_OK)
        failures++;
    zz_free_string(json);
    if (zz_id_check("1.2.156.3005.2.x", 0, &json) != 1001 || last_error().empty()) failures++;
    zz_verifier *v = nullptr;
    if (zz_verifier_new(reinterpret_cast<const uint8_t *>("x"), 1, &v) == ZZ_OK) failures++;
    zz_registry *r = nullptr;
    if (zz_registry_close(r) != 1501) failures++;
    if (failures) {
        std::fprintf(stderr, "test_cpp: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("test_cpp: all checks passed (zhengzhao %s)\n", version);
    return 0;
}
