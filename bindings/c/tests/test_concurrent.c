/* Several threads look up on one registry handle while another issues and revokes.
 * Run as: test_concurrent <fixture folder>. */
#include <pthread.h>

#include "util.h"

#define READERS 4
#define MIN_ROUNDS 40

static const char *FIX;
static zz_registry *REG;
static char *TYPE, *ORG;
static char *HOLDERS[64];
static int N_HOLDERS;
static pthread_mutex_t LOCK = PTHREAD_MUTEX_INITIALIZER;
static int WRITER_DONE = 0;
static int READER_FAILURES = 0;

static int writer_done(void) {
    int d;
    pthread_mutex_lock(&LOCK);
    d = WRITER_DONE;
    pthread_mutex_unlock(&LOCK);
    return d;
}

static char *request_for(const char *holder) {
    char *r = (char *)malloc(1024);
    REQUIRE(r != NULL);
    snprintf(r, 1024,
             "{\"holder_code_type\":\"111\",\"holder_code\":\"%s\",\"types\":[\"%s\"],"
             "\"context\":{\"org\":\"%s\",\"operator\":\"窗口人员\",\"item\":\"330106-000301-001\","
             "\"case\":\"2025-XH-2\",\"reason\":\"并发核验\"}}",
             holder, TYPE, ORG);
    return r;
}

static void *reader(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    int rounds = 0, bad = 0;
    while (rounds < MIN_ROUNDS || !writer_done()) {
        char *req;
        zz_lookup *lk = NULL;
        const zz_answer *a;
        zz_status s;
        seed = seed * 1103515245u + 12345u;
        req = request_for(HOLDERS[(seed >> 8) % (unsigned)N_HOLDERS]);
        s = zz_registry_lookup(REG, (const uint8_t *)req, strlen(req), NULL,
                               (rounds % 2) ? ZZ_LOOKUP_UNLOGGED : 0, &lk);
        free(req);
        if (s != 0 || lk == NULL || lk->reply_count != 1 || lk->replies[0].answer_count != 1) {
            bad++;
        } else {
            a = &lk->replies[0].answers[0];
            if (a->refusal == NULL) {
                if (a->id == NULL || a->document_len < 100 || a->document[0] != '{') bad++;
            } else if (strcmp(a->refusal, "none") != 0 && strcmp(a->refusal, "revoked") != 0) {
                bad++;
            }
        }
        zz_free_lookup(lk);
        rounds++;
    }
    pthread_mutex_lock(&LOCK);
    READER_FAILURES += bad;
    pthread_mutex_unlock(&LOCK);
    return NULL;
}

static char IDS[64][128];

static void *writer(void *arg) {
    int i;
    (void)arg;
    for (i = 0; i < N_HOLDERS; i++) {
        char name[64], *path, *doc, *out = NULL;
        size_t len = 0;
        snprintf(name, sizeof name, "persons/%d.json", i);
        path = path_in(FIX, name);
        doc = read_file(path, &len);
        OK(zz_registry_issue(REG, (const uint8_t *)doc, len, "发证员", &out));
        REQUIRE(out != NULL && json_string(out, "id", IDS[i], sizeof IDS[i]));
        zz_free_string(out);
        free(doc);
        free(path);
        if (i % 2 == 1) OK(zz_registry_step(REG, IDS[i], ZZ_STEP_REVOKE, "发证员", "并发测试", NULL));
    }
    pthread_mutex_lock(&LOCK);
    WRITER_DONE = 1;
    pthread_mutex_unlock(&LOCK);
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t readers[READERS], w;
    char *list, *line, *dir, opts[1024];
    int i;
    REQUIRE(argc == 2);
    FIX = argv[1];
    TYPE = read_line(FIX, "person-type.txt");
    ORG = read_line(FIX, "org.txt");
    {
        char *p = path_in(FIX, "persons/holders.txt");
        list = read_file(p, NULL);
        free(p);
    }
    for (line = strtok(list, "\n"); line && N_HOLDERS < 64; line = strtok(NULL, "\n"))
        HOLDERS[N_HOLDERS++] = line;
    REQUIRE(N_HOLDERS > 1);

    dir = path_in(FIX, "work/concurrent-registry");
    snprintf(opts, sizeof opts, "{\"authority\":\"%s/authority\",\"sync\":\"os-buffered\"}", FIX);
    OK(zz_registry_create(dir, opts, &REG));
    REQUIRE(REG != NULL);
    OK(zz_registry_grant_add(REG, ORG, TYPE, "2099-12-31", "管理员", ""));

    REQUIRE(pthread_create(&w, NULL, writer, NULL) == 0);
    for (i = 0; i < READERS; i++)
        REQUIRE(pthread_create(&readers[i], NULL, reader, (void *)(uintptr_t)(i + 1)) == 0);
    pthread_join(w, NULL);
    for (i = 0; i < READERS; i++) pthread_join(readers[i], NULL);
    TRUE(READER_FAILURES == 0);

    /* Afterwards every holder's licence is there, revoked or valid as the writer left it. */
    for (i = 0; i < N_HOLDERS; i++) {
        char *req = request_for(HOLDERS[i]);
        zz_lookup *lk = NULL;
        OK(zz_registry_lookup(REG, (const uint8_t *)req, strlen(req), NULL, ZZ_LOOKUP_UNLOGGED, &lk));
        REQUIRE(lk != NULL);
        if (i % 2 == 1) {
            TRUE(lk->replies[0].answers[0].refusal && strcmp(lk->replies[0].answers[0].refusal, "revoked") == 0);
        } else {
            TRUE(lk->replies[0].answers[0].refusal == NULL);
        }
        TRUE(strcmp(lk->replies[0].answers[0].id, IDS[i]) == 0);
        zz_free_lookup(lk);
        free(req);
    }
    OK(zz_registry_close(REG));
    free(dir);
    free(list);
    free(TYPE);
    free(ORG);
    return finish("test_concurrent");
}
