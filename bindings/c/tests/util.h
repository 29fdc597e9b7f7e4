/* Helpers of the C tests: checks that print where they failed, and reading fixture files. */
#ifndef ZZ_TEST_UTIL_H
#define ZZ_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zhengzhao.h"

static int zz_failures = 0;

static inline void zz_report(const char *file, int line, const char *what, zz_status got,
                      zz_status want) {
    char msg[2048];
    size_t len = 0;
    msg[0] = 0;
    zz_last_error_message(msg, sizeof msg, &len);
    fprintf(stderr, "%s:%d: %s: status %u, expected %u (%s)\n", file, line, what,
            (unsigned)got, (unsigned)want, msg);
    zz_failures++;
}

/* Expects a call to return `want`. */
#define EXPECT(want, call)                                                                  \
    do {                                                                                    \
        zz_status got_ = (call);                                                            \
        if (got_ != (zz_status)(want)) zz_report(__FILE__, __LINE__, #call, got_, (want)); \
    } while (0)

#define OK(call) EXPECT(0, call)

/* Expects a condition to hold. */
#define TRUE(cond)                                                                 \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);    \
            zz_failures++;                                                         \
        }                                                                          \
    } while (0)

/* Stops the test at once (a precondition of what follows failed). */
#define REQUIRE(cond)                                                              \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: required %s\n", __FILE__, __LINE__, #cond);    \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

/* The stable status numbers the tests check (the table: zz_error_info). */
enum {
    S_FMT_JSON = 1401,
    S_USAGE = 1501,
    S_BUFFER = 1502,
    S_HANDLE_CLOSED = 1503,
    S_HANDLE_KIND = 1504,
    S_ID_CHECK = 1006,
    S_CAT_UNKNOWN = 1201,
    S_SCHEMA = 1301,
    S_SIG_INVALID = 2104,
    S_SIG_METHOD = 2105,
    S_CERT_UNTRUSTED = 2202,
    S_STORE_NOT_REGISTRY = 2502,
    S_STORE_LOCKED = 2504,
    S_STORE_EXISTS = 2507,
    S_STORE_READ_ONLY = 2508,
    S_LIFE_NOT_FOUND = 2601,
    S_LIFE_ILLEGAL = 2602,
    S_LIFE_NUMBER_TAKEN = 2606,
    S_LIFE_FORM = 2607,
    S_GRANT_NOT_FOUND = 2702,
    S_WINDOW = 2801,
    S_OFD_PACKAGE = 3101,
    S_OFD_KEY_REQUIRED = 3116,
    S_OFD_METADATA_MISSING = 3119,
    S_OFD_METADATA_CONFLICT = 3120
};

/* `dir/name`, allocated: free() it. */
static char *path_in(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = (char *)malloc(n);
    REQUIRE(p != NULL);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* The whole file, NUL-terminated; its length in *len (may be NULL). Free with free(). */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    REQUIRE(buf != NULL);
    REQUIRE(fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}

/* A fixture file's first line (trimmed). Free with free(). */
static char *read_line(const char *dir, const char *name) {
    char *p = path_in(dir, name);
    char *s = read_file(p, NULL);
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = 0;
    free(p);
    return s;
}

/* Whether `haystack` contains `needle`. */
static inline int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* The value of a top-level-ish JSON string member `"key":"value"` (the first occurrence),
 * copied into buf. Enough for the flat results the tests read; not a JSON parser. */
static inline int json_string(const char *json, const char *key, char *buf, size_t cap) {
    char pat[128];
    const char *p, *e;
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    p = strstr(json, pat);
    if (!p) return 0;
    p += strlen(pat);
    e = strchr(p, '"');
    if (!e || (size_t)(e - p) + 1 > cap) return 0;
    memcpy(buf, p, (size_t)(e - p));
    buf[e - p] = 0;
    return 1;
}

static inline int finish(const char *name) {
    if (zz_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, zz_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
