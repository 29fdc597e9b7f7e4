/* Two processes, one registry: a writer process issues while a reader process serves lookups
 * from a read-only secondary instance, which sees the writer's licences after catch-up; and a
 * second read-write open fails with ZZ-E-STORE-004 while the writer has the registry.
 * Run as: test_processes <fixture folder>. */
#define _POSIX_C_SOURCE 200809L
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define MSG 256

static void send_msg(int fd, const char *m) {
    char buf[MSG];
    memset(buf, 0, sizeof buf);
    strncpy(buf, m, MSG - 1);
    REQUIRE(write(fd, buf, MSG) == MSG);
}

static void recv_msg(int fd, char *buf) {
    size_t got = 0;
    while (got < MSG) {
        ssize_t n = read(fd, buf + got, MSG - got);
        REQUIRE(n > 0);
        got += (size_t)n;
    }
    buf[MSG - 1] = 0;
}

static const char *FIX;
static char *TYPE, *ORG, *HOLDER, *DIR_, OPTS[1024];

static char *request(void) {
    char *r = (char *)malloc(1024);
    REQUIRE(r != NULL);
    snprintf(r, 1024,
             "{\"holder_code_type\":\"111\",\"holder_code\":\"%s\",\"types\":[\"%s\"],"
             "\"context\":{\"org\":\"%s\",\"operator\":\"窗口人员\",\"item\":\"330106-000301-001\","
             "\"case\":\"2025-XH-3\",\"reason\":\"跨进程核验\"}}",
             HOLDER, TYPE, ORG);
    return r;
}

static int writer(int in, int out) {
    zz_registry *reg = NULL;
    char msg[MSG], id[128], *path, *doc, *res = NULL;
    size_t len = 0;
    OK(zz_registry_create(DIR_, OPTS, &reg));
    REQUIRE(reg != NULL);
    send_msg(out, "created");
    recv_msg(in, msg); /* the reader has its secondary */
    path = path_in(FIX, "persons/0.json");
    doc = read_file(path, &len);
    OK(zz_registry_issue(reg, (const uint8_t *)doc, len, "发证员", &res));
    REQUIRE(res != NULL && json_string(res, "id", id, sizeof id));
    OK(zz_registry_grant_add(reg, ORG, TYPE, "2099-12-31", "管理员", ""));
    send_msg(out, id);
    recv_msg(in, msg); /* the reader has seen it */
    OK(zz_registry_step(reg, id, ZZ_STEP_SUSPEND, "发证员", "暂扣", NULL));
    send_msg(out, "suspended");
    recv_msg(in, msg); /* done: the reader journaled one use */
    {
        char *sec_dir = path_in(FIX, "work/processes-secondary");
        uint64_t taken = 0;
        OK(zz_registry_ingest_uses(reg, sec_dir, &taken));
        TRUE(taken == 1);
        free(sec_dir);
    }
    OK(zz_registry_close(reg));
    zz_free_string(res);
    free(doc);
    free(path);
    return zz_failures ? 1 : 0;
}

static void reader(int in, int out) {
    zz_registry *rw = NULL, *sec = NULL;
    char msg[MSG], *sec_dir = path_in(FIX, "work/processes-secondary"), *req = request();
    zz_lookup *lk = NULL;
    recv_msg(in, msg);
    /* The writer holds the registry: a second writer is refused, not let in. */
    EXPECT(S_STORE_LOCKED, zz_registry_open(DIR_, NULL, &rw));
    TRUE(rw == NULL);
    OK(zz_registry_open_secondary(DIR_, sec_dir, NULL, &sec));
    REQUIRE(sec != NULL);
    OK(zz_registry_lookup(sec, (const uint8_t *)req, strlen(req), NULL, ZZ_LOOKUP_UNLOGGED, &lk));
    TRUE(lk->replies[0].answers[0].refusal && strcmp(lk->replies[0].answers[0].refusal, "not_authorised") == 0);
    zz_free_lookup(lk);
    send_msg(out, "opened");

    recv_msg(in, msg); /* the writer issued msg and granted the type */
    OK(zz_registry_lookup(sec, (const uint8_t *)req, strlen(req), NULL, ZZ_LOOKUP_UNLOGGED, &lk));
    TRUE(lk->replies[0].answers[0].refusal != NULL); /* not yet: the secondary has not caught up */
    zz_free_lookup(lk);
    OK(zz_registry_catch_up(sec));
    OK(zz_registry_lookup(sec, (const uint8_t *)req, strlen(req), NULL, ZZ_LOOKUP_UNLOGGED, &lk));
    TRUE(lk->replies[0].answers[0].refusal == NULL);
    TRUE(lk->replies[0].answers[0].id && strcmp(lk->replies[0].answers[0].id, msg) == 0);
    TRUE(lk->replies[0].answers[0].document_len > 100);
    zz_free_lookup(lk);
    send_msg(out, "seen");

    recv_msg(in, msg); /* suspended */
    OK(zz_registry_catch_up(sec));
    OK(zz_registry_lookup(sec, (const uint8_t *)req, strlen(req), NULL, ZZ_LOOKUP_UNLOGGED, &lk));
    TRUE(lk->replies[0].answers[0].refusal && strcmp(lk->replies[0].answers[0].refusal, "suspended") == 0);
    zz_free_lookup(lk);
    /* A logged lookup: journaled in the secondary's folder, for the writer to take in. */
    OK(zz_registry_lookup(sec, (const uint8_t *)req, strlen(req), NULL, 0, &lk));
    TRUE(lk->replies[0].answers[0].refusal && strcmp(lk->replies[0].answers[0].refusal, "suspended") == 0);
    zz_free_lookup(lk);
    send_msg(out, "done");
    OK(zz_registry_close(sec));
    free(sec_dir);
    free(req);
}

int main(int argc, char **argv) {
    int to_child[2], to_parent[2], status = 0;
    pid_t pid;
    REQUIRE(argc == 2);
    FIX = argv[1];
    TYPE = read_line(FIX, "person-type.txt");
    ORG = read_line(FIX, "org.txt");
    {
        char *list = read_line(FIX, "persons/holders.txt");
        char *nl = strchr(list, '\n');
        if (nl) *nl = 0;
        HOLDER = list;
    }
    DIR_ = path_in(FIX, "work/processes-registry");
    snprintf(OPTS, sizeof OPTS, "{\"authority\":\"%s/authority\",\"sync\":\"os-buffered\"}", FIX);
    REQUIRE(pipe(to_child) == 0 && pipe(to_parent) == 0);
    fflush(NULL);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        /* The writer process: nothing of the library ran before the fork. */
        int rc;
        close(to_child[1]);
        close(to_parent[0]);
        rc = writer(to_child[0], to_parent[1]);
        free(TYPE);
        free(ORG);
        free(HOLDER);
        free(DIR_);
        exit(rc);
    }
    close(to_child[0]);
    close(to_parent[1]);
    reader(to_parent[0], to_child[1]);
    REQUIRE(waitpid(pid, &status, 0) == pid);
    TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(TYPE);
    free(ORG);
    free(HOLDER);
    free(DIR_);
    return finish("test_processes");
}
