/* Every function of the C ABI and its error paths: NULL arguments, bad lengths, invalid
 * UTF-8, bad JSON, wrong anchors, closed handles, handles of the other kind, buffers too
 * small. Run as: test_api <fixture folder> (made by bindings/c/tests/c.rs). */
#include "util.h"

static const char *FIX;
static char *BUSINESS, *FOOD, *HOLDER, *ORG;
static const char BAD_UTF8[] = {(char)0xff, (char)0xfe, 0};

static void version_and_errors(void) {
    const char *v = NULL, *name = NULL, *desc = NULL, *hint = NULL;
    size_t n = 0, i;
    zz_status code = 0;
    OK(zz_version(&v));
    TRUE(v != NULL && strlen(v) > 0);
    EXPECT(S_USAGE, zz_version(NULL));

    OK(zz_error_count(&n));
    TRUE(n > 50);
    EXPECT(S_USAGE, zz_error_count(NULL));
    for (i = 0; i < n; i++) {
        OK(zz_error_at(i, &code));
        OK(zz_error_info(code, &name, &desc, &hint));
        TRUE(strncmp(name, "ZZ-E-", 5) == 0 && strlen(desc) > 0 && strlen(hint) > 0);
    }
    EXPECT(S_USAGE, zz_error_at(n, &code));
    EXPECT(S_USAGE, zz_error_at(0, NULL));
    OK(zz_error_info(S_SIG_INVALID, &name, NULL, NULL));
    TRUE(strcmp(name, "ZZ-E-SIG-004") == 0);
    OK(zz_error_info(S_BUFFER, &name, &desc, NULL));
    TRUE(strcmp(name, "ZZ-E-USAGE-002") == 0);
    OK(zz_error_info(0, &name, NULL, NULL));
    TRUE(strcmp(name, "ZZ-OK") == 0);
    EXPECT(S_USAGE, zz_error_info(424242, &name, NULL, NULL));
}

static void last_error(void) {
    char small[4], big[512];
    size_t len = 0, len2 = 0;
    /* After a failure the message says what was wrong. */
    EXPECT(S_USAGE, zz_version(NULL));
    OK(zz_last_error_message(NULL, 0, &len)); /* size query */
    TRUE(len > 0);
    EXPECT(S_BUFFER, zz_last_error_message(small, sizeof small, &len2));
    TRUE(len2 == len);
    OK(zz_last_error_message(big, sizeof big, &len2)); /* unchanged by the failed read */
    TRUE(len2 == len && strlen(big) == len && contains(big, "out is NULL"));
    EXPECT(S_USAGE, zz_last_error_message(big, sizeof big, NULL));
    EXPECT(S_USAGE, zz_last_error_message(NULL, 10, &len));
    /* Empty after a success. */
    {
        const char *v;
        OK(zz_version(&v));
    }
    OK(zz_last_error_message(big, sizeof big, &len));
    TRUE(len == 0 && big[0] == 0);
}

static void identifiers(void) {
    const char *real = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F";
    char *json = NULL;
    char buf[128], tiny[8];
    size_t len = 0;
    OK(zz_id_check(real, 0, &json));
    TRUE(contains(json, "\"valid\":true") && contains(json, "\"check\":\"F\""));
    zz_free_string(json);
    json = (char *)1;
    EXPECT(S_ID_CHECK,
           zz_id_check("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.G",
                       0, &json));
    TRUE(json == NULL); /* outputs are NULL after a failure */
    OK(zz_last_error_message(buf, sizeof buf, &len));
    TRUE(contains(buf, "expected 'F'"));
    OK(zz_id_check(real, ZZ_ID_LENIENT, &json));
    zz_free_string(json);
    EXPECT(S_USAGE, zz_id_check(real, 77, &json));
    EXPECT(S_USAGE, zz_id_check(NULL, 0, &json));
    EXPECT(S_USAGE, zz_id_check(real, 0, NULL));
    EXPECT(S_USAGE, zz_id_check(BAD_UTF8, 0, &json));

    /* Generation into a caller's buffer, with the size query. */
    OK(zz_id_generate("11100000000013338W011", "11430000006122244L", "20230000403", 1, NULL, 0,
                      &len));
    TRUE(len == strlen("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"));
    EXPECT(S_BUFFER, zz_id_generate("11100000000013338W011", "11430000006122244L",
                                    "20230000403", 1, tiny, sizeof tiny, &len));
    OK(zz_id_generate("11100000000013338W011", "11430000006122244L", "20230000403", 1, buf,
                      sizeof buf, &len));
    TRUE(strcmp(buf, "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U") == 0);
    EXPECT(1004, zz_id_generate("11100000000013338W011", "11430000006122244L", "12", 1, buf,
                                sizeof buf, &len));
    EXPECT(1005, zz_id_generate("11100000000013338W011", "11430000006122244L", "20230000403",
                                1000, buf, sizeof buf, &len));
    EXPECT(S_USAGE, zz_id_generate(NULL, "11430000006122244L", "20230000403", 1, buf,
                                   sizeof buf, &len));
    EXPECT(S_USAGE, zz_id_generate("11100000000013338W011", "11430000006122244L",
                                   "20230000403", 1, buf, sizeof buf, NULL));
    EXPECT(S_USAGE, zz_id_generate("11100000000013338W011", "11430000006122244L",
                                   "20230000403", 1, NULL, 5, &len));
}

static void catalogue(void) {
    char *json = NULL;
    OK(zz_catalog_list(NULL, &json));
    TRUE(json && json[0] == '[' && contains(json, BUSINESS));
    zz_free_string(json);
    OK(zz_catalog_list("营业执照", &json));
    TRUE(contains(json, "\"name\":\"营业执照\""));
    zz_free_string(json);
    OK(zz_catalog_list("没有这种材料", &json));
    TRUE(strcmp(json, "[]") == 0);
    zz_free_string(json);
    OK(zz_catalog_get(BUSINESS, &json));
    TRUE(contains(json, "\"replaces\""));
    zz_free_string(json);
    EXPECT(S_CAT_UNKNOWN, zz_catalog_get("11100000MB0143028R999", &json));
    EXPECT(S_USAGE, zz_catalog_get(NULL, &json));
    EXPECT(S_USAGE, zz_catalog_list(NULL, NULL));
    EXPECT(S_USAGE, zz_catalog_list(BAD_UTF8, &json));
}

/* The request of the fixture's holder for `types` (a JSON array text), with `reason`. */
static char *request(const char *types, const char *reason) {
    char *r = (char *)malloc(2048);
    REQUIRE(r != NULL);
    snprintf(r, 2048,
             "{\"holder_code_type\":\"001\",\"holder_code\":\"%s\",\"types\":%s,"
             "\"context\":{\"org\":\"%s\",\"operator\":\"王五\",\"item\":\"330106-000201-001\","
             "\"case\":\"2025-XH-1\",\"reason\":\"%s\"}}",
             HOLDER, types, ORG, reason);
    return r;
}

static char *options_json(void) {
    char *o = (char *)malloc(1024);
    REQUIRE(o != NULL);
    snprintf(o, 1024, "{\"authority\":\"%s/authority\",\"sync\":\"os-buffered\",\"cache_mib\":8}",
             FIX);
    return o;
}

static void registry_and_verifier(void) {
    char *dir = path_in(FIX, "work/api-registry");
    char *opts = options_json();
    char *company_path = path_in(FIX, "company.json"), *food_path = path_in(FIX, "food.json");
    size_t company_len = 0, food_len = 0;
    char *company = read_file(company_path, &company_len), *food = read_file(food_path, &food_len);
    zz_registry *reg = NULL, *other = NULL;
    zz_verifier *ver = NULL, *wrong = NULL;
    char *issued = NULL, *issued_food = NULL, *json = NULL;
    char business_id[128], food_id[128], types[256];
    uint64_t seq = 0;
    zz_lookup *lk = NULL;
    const char *doc_in_issue;

    /* Opening and creating. */
    EXPECT(S_FMT_JSON, zz_registry_create(dir, "{not json", &reg));
    TRUE(reg == NULL);
    EXPECT(S_FMT_JSON, zz_registry_create(dir, "{\"cache\":1}", &reg)); /* unknown option */
    EXPECT(S_USAGE, zz_registry_create(dir, "{\"sync\":\"sometimes\"}", &reg));
    EXPECT(S_USAGE, zz_registry_create(NULL, NULL, &reg));
    EXPECT(S_USAGE, zz_registry_create(dir, NULL, NULL));
    EXPECT(S_USAGE, zz_registry_create(BAD_UTF8, NULL, &reg));
    EXPECT(2303, zz_registry_create(dir, "{\"authority\":\"/nonexistent/authority\"}", &reg));
    OK(zz_registry_create(dir, opts, &reg));
    REQUIRE(reg != NULL);
    EXPECT(S_STORE_EXISTS, zz_registry_create(dir, opts, &other));
    EXPECT(S_STORE_LOCKED, zz_registry_open(dir, opts, &other)); /* one writer */
    TRUE(other == NULL);
    EXPECT(S_STORE_NOT_REGISTRY, zz_registry_open(FIX, NULL, &other));

    /* Issuing. */
    OK(zz_registry_issue(reg, (const uint8_t *)company, company_len, "张科员", &issued));
    REQUIRE(issued != NULL && json_string(issued, "id", business_id, sizeof business_id));
    TRUE(contains(issued, "\"seq\":") && contains(issued, "\"proof\""));
    OK(zz_registry_issue(reg, (const uint8_t *)food, food_len, "张科员", &issued_food));
    REQUIRE(issued_food != NULL && json_string(issued_food, "id", food_id, sizeof food_id));
    EXPECT(S_LIFE_NUMBER_TAKEN,
           zz_registry_issue(reg, (const uint8_t *)company, company_len, "张科员", &json));
    EXPECT(S_FMT_JSON, zz_registry_issue(reg, (const uint8_t *)"{]", 2, "张科员", &json));
    EXPECT(S_FMT_JSON, zz_registry_issue(reg, (const uint8_t *)BAD_UTF8, 2, "张科员", &json));
    EXPECT(S_USAGE, zz_registry_issue(reg, NULL, 10, "张科员", &json));
    EXPECT(S_USAGE, zz_registry_issue(reg, (const uint8_t *)company, (size_t)-1, "张科员", &json));
    EXPECT(S_USAGE, zz_registry_issue(reg, (const uint8_t *)company, company_len, NULL, &json));
    EXPECT(S_USAGE, zz_registry_issue(reg, (const uint8_t *)company, company_len, "x", NULL));
    {
        /* A licence whose data does not satisfy its type: every violation is reported. */
        char *bad = (char *)malloc(company_len + 1);
        char *p;
        REQUIRE(bad != NULL);
        memcpy(bad, company, company_len + 1);
        p = strstr(bad, "\"number\"");
        REQUIRE(p != NULL);
        memcpy(p + 1, "numbxr", 6);
        EXPECT(S_FMT_JSON, zz_registry_issue(reg, (const uint8_t *)bad, company_len, "x", &json));
        free(bad);
    }

    /* Status and lifecycle. */
    OK(zz_registry_status(reg, business_id, &json));
    TRUE(contains(json, "\"code\":\"01\""));
    zz_free_string(json);
    EXPECT(1001, zz_registry_status(reg, "not an id", &json));
    EXPECT(S_USAGE, zz_registry_status(reg, NULL, &json));
    {
        char absent[128];
        size_t n;
        OK(zz_id_generate(FOOD, ORG, "9999999999", 1, absent, sizeof absent, &n));
        EXPECT(S_LIFE_NOT_FOUND, zz_registry_status(reg, absent, &json));
        EXPECT(S_LIFE_NOT_FOUND, zz_registry_step(reg, absent, ZZ_STEP_SUSPEND, "x", "", NULL));
    }

    /* Grants. */
    OK(zz_registry_grant_add(reg, ORG, BUSINESS, "2099-12-31", "管理员", ""));
    OK(zz_registry_grant_add(reg, ORG, FOOD, "2099-12-31T00:00:00+08:00", "管理员", "授权书1号"));
    EXPECT(2701, zz_registry_grant_add(reg, ORG, FOOD, "2001-01-01", "管理员", ""));
    EXPECT(S_USAGE, zz_registry_grant_add(reg, ORG, FOOD, "tomorrow", "管理员", ""));
    EXPECT(S_CAT_UNKNOWN, zz_registry_grant_add(reg, ORG, "11100000MB0143028R999", "2099-12-31", "管理员", ""));
    EXPECT(1101, zz_registry_grant_add(reg, "ORG", FOOD, "2099-12-31", "管理员", ""));
    EXPECT(S_USAGE, zz_registry_grant_add(reg, ORG, FOOD, "2099-12-31", NULL, ""));
    EXPECT(S_GRANT_NOT_FOUND, zz_registry_grant_revoke(reg, ORG, "11100000MB03271699001", "管理员", ""));
    EXPECT(S_USAGE, zz_registry_grant_revoke(reg, NULL, FOOD, "管理员", ""));

    /* The window lookup: the stored bytes, exactly. */
    snprintf(types, sizeof types, "[\"%s\",\"%s\",\"11100000MB03271699001\"]", BUSINESS, FOOD);
    {
        char *req = request(types, "办理食品经营许可：核验营业执照");
        const zz_reply *r;
        OK(zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), NULL, 0, &lk));
        REQUIRE(lk != NULL && lk->reply_count == 1);
        r = &lk->replies[0];
        TRUE(r->status == 0 && r->message == NULL && r->answer_count == 3);
        TRUE(strcmp(r->answers[0].type_code, BUSINESS) == 0);
        TRUE(r->answers[0].refusal == NULL && strcmp(r->answers[0].id, business_id) == 0);
        doc_in_issue = strstr(issued, "\"document\":") + strlen("\"document\":");
        TRUE(r->answers[0].document_len == strlen(doc_in_issue) - 1); /* less the closing } */
        TRUE(memcmp(r->answers[0].document, doc_in_issue, r->answers[0].document_len) == 0);
        TRUE(r->answers[0].document[r->answers[0].document_len] == 0);
        TRUE(r->answers[1].refusal == NULL && strcmp(r->answers[1].id, food_id) == 0);
        TRUE(strcmp(r->answers[2].refusal, "not_authorised") == 0 && r->answers[2].id == NULL);
        TRUE(r->answers[2].document == NULL && r->answers[2].document_len == 0);
        zz_free_lookup(lk);
        lk = NULL;
        OK(zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), "2030-01-01",
                              ZZ_LOOKUP_UNLOGGED, &lk));
        zz_free_lookup(lk);
        lk = NULL;
        EXPECT(S_USAGE, zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), NULL, 8, &lk));
        EXPECT(S_USAGE, zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), "soon", 0, &lk));
        EXPECT(S_USAGE, zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), NULL, 0, NULL));
        EXPECT(S_USAGE, zz_registry_lookup(reg, NULL, 3, NULL, 0, &lk));
        EXPECT(S_FMT_JSON, zz_registry_lookup(reg, (const uint8_t *)req, 10, NULL, 0, &lk));
        EXPECT(S_FMT_JSON, zz_registry_lookup(reg, (const uint8_t *)"{\"holder\":1}", 12, NULL, 0, &lk));
        TRUE(lk == NULL);
        free(req);
        req = request(types, "");
        EXPECT(S_WINDOW, zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), NULL, 0, &lk));
        free(req);
    }
    {
        /* Many at once: a malformed request gets its own status, the others are answered. */
        char *good = request(types, "核验"), *bad = request(types, "");
        size_t n = strlen(good) + strlen(bad) + strlen(good) + 8;
        char *many = (char *)malloc(n);
        REQUIRE(many != NULL);
        snprintf(many, n, "[%s,%s,%s]", good, bad, good);
        OK(zz_registry_lookup_many(reg, (const uint8_t *)many, strlen(many), NULL, 0, &lk));
        REQUIRE(lk != NULL && lk->reply_count == 3);
        TRUE(lk->replies[0].status == 0 && lk->replies[0].answer_count == 3);
        TRUE(lk->replies[1].status == S_WINDOW && lk->replies[1].answers == NULL);
        TRUE(contains(lk->replies[1].message, "context.reason"));
        TRUE(lk->replies[2].status == 0 && lk->replies[2].answers[0].document_len > 0);
        zz_free_lookup(lk);
        lk = NULL;
        OK(zz_registry_lookup_many(reg, (const uint8_t *)many, strlen(many), NULL,
                                   ZZ_LOOKUP_UNLOGGED, &lk));
        zz_free_lookup(lk);
        lk = NULL;
        EXPECT(S_FMT_JSON, zz_registry_lookup_many(reg, (const uint8_t *)good, strlen(good), NULL, 0, &lk));
        EXPECT(S_USAGE, zz_registry_lookup_many(reg, (const uint8_t *)many, strlen(many), NULL, 2, &lk));
        OK(zz_registry_lookup_many(reg, (const uint8_t *)"[]", 2, NULL, 0, &lk));
        TRUE(lk != NULL && lk->reply_count == 0);
        zz_free_lookup(lk);
        lk = NULL;
        free(good);
        free(bad);
        free(many);
    }

    /* Lifecycle steps, and the window sees them. */
    OK(zz_registry_step(reg, food_id, ZZ_STEP_SUSPEND, "张科长", "杭西市监〔2025〕1号", &seq));
    TRUE(seq > 0);
    OK(zz_registry_step(reg, food_id, ZZ_STEP_RESUME, "张科长", "", NULL));
    OK(zz_registry_step(reg, food_id, ZZ_STEP_REVOKE, "张科长", "杭西市监罚〔2025〕12号", NULL));
    EXPECT(S_LIFE_ILLEGAL, zz_registry_step(reg, food_id, ZZ_STEP_RESUME, "张科长", "", NULL));
    EXPECT(S_LIFE_ILLEGAL, zz_registry_step(reg, food_id, ZZ_STEP_WITHDRAW, "张科长", "", NULL));
    EXPECT(S_LIFE_ILLEGAL, zz_registry_step(reg, food_id, ZZ_STEP_CANCEL, "张科长", "", NULL));
    EXPECT(S_LIFE_ILLEGAL, zz_registry_step(reg, food_id, ZZ_STEP_TRANSFER_OUT, "张科长", "", NULL));
    EXPECT(S_USAGE, zz_registry_step(reg, food_id, 99, "张科长", "", NULL));
    EXPECT(S_USAGE, zz_registry_step(reg, food_id, ZZ_STEP_REVOKE, NULL, "", NULL));
    EXPECT(2603, zz_registry_step(reg, business_id, ZZ_STEP_SUSPEND, "", "", NULL));
    OK(zz_registry_status(reg, food_id, &json));
    TRUE(contains(json, "\"code\":\"07\"") && contains(json, "12号"));
    zz_free_string(json);
    {
        char *req = request(types, "核验");
        OK(zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), NULL, 0, &lk));
        TRUE(strcmp(lk->replies[0].answers[1].refusal, "revoked") == 0);
        TRUE(strcmp(lk->replies[0].answers[1].id, food_id) == 0);
        zz_free_lookup(lk);
        lk = NULL;
        OK(zz_registry_grant_revoke(reg, ORG, FOOD, "管理员", "到期"));
        OK(zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), NULL, 0, &lk));
        TRUE(strcmp(lk->replies[0].answers[1].refusal, "not_authorised") == 0);
        zz_free_lookup(lk);
        lk = NULL;
        free(req);
    }

    /* Verification, offline. */
    {
        char *root_path = path_in(FIX, "root.pem"), *other_path = path_in(FIX, "other-root.pem");
        char *signer_path = path_in(FIX, "signer.pem");
        size_t root_len = 0, signer_len = 0;
        char *root = read_file(root_path, &root_len), *signer = read_file(signer_path, &signer_len);
        char *report = NULL, *qr = NULL, *jwt = NULL, *flat = NULL, *bundle = NULL, *tampered;
        size_t doc_len = strlen(doc_in_issue) - 1;
        char ids[512];

        OK(zz_verifier_new((const uint8_t *)root, root_len, &ver));
        REQUIRE(ver != NULL);
        /* Without the signing certificate the document names an unknown certificate. */
        EXPECT(S_SIG_METHOD, zz_verifier_verify(ver, (const uint8_t *)doc_in_issue, doc_len, NULL, &report));
        TRUE(contains(report, "\"valid\":false") && contains(report, "ZZ-E-SIG-005"));
        zz_free_string(report);
        OK(zz_verifier_add_certificates(ver, (const uint8_t *)signer, signer_len));
        OK(zz_verifier_verify(ver, (const uint8_t *)doc_in_issue, doc_len, NULL, &report));
        TRUE(contains(report, "\"kind\":\"licence\"") && contains(report, "\"valid\":true"));
        zz_free_string(report);
        /* Twice: the path cache answers the second. */
        OK(zz_verifier_verify(ver, (const uint8_t *)doc_in_issue, doc_len, NULL, &report));
        zz_free_string(report);
        /* Altered. */
        tampered = (char *)malloc(doc_len + 1);
        REQUIRE(tampered != NULL);
        memcpy(tampered, doc_in_issue, doc_len);
        tampered[doc_len] = 0;
        {
            char *p = strstr(tampered, HOLDER);
            REQUIRE(p != NULL);
            p[17] = p[17] == '1' ? '2' : '1';
        }
        TRUE(zz_verifier_verify(ver, (const uint8_t *)tampered, doc_len, NULL, &report) != 0);
        TRUE(contains(report, "\"valid\":false"));
        zz_free_string(report);
        free(tampered);
        EXPECT(1402, zz_verifier_verify(ver, (const uint8_t *)"{\"a\":", 5, NULL, &report));
        TRUE(report != NULL);
        zz_free_string(report);
        EXPECT(S_USAGE, zz_verifier_verify(ver, NULL, 5, NULL, &report));
        EXPECT(S_USAGE, zz_verifier_verify(ver, (const uint8_t *)doc_in_issue, doc_len, NULL, NULL));
        EXPECT(S_USAGE, zz_verifier_verify(ver, (const uint8_t *)doc_in_issue, doc_len, "x", &report));

        /* The interchange formats. */
        OK(zz_registry_export(reg, business_id, "qr", &qr));
        TRUE(strncmp(qr, "ZZ1:", 4) == 0);
        OK(zz_verifier_verify(ver, (const uint8_t *)qr, strlen(qr), NULL, &report));
        TRUE(contains(report, "\"kind\":\"qr\""));
        zz_free_string(report);
        EXPECT(1410, zz_verifier_verify(ver, (const uint8_t *)"ZZ1:!!", 6, NULL, &report));
        TRUE(contains(report, "\"kind\":\"qr\"") && contains(report, "ZZ-E-FMT-010"));
        zz_free_string(report);
        OK(zz_registry_export(reg, business_id, "vc-jwt", &jwt));
        OK(zz_verifier_verify(ver, (const uint8_t *)jwt, strlen(jwt), NULL, &report));
        TRUE(contains(report, "\"kind\":\"vc-jwt\""));
        zz_free_string(report);
        OK(zz_registry_export(reg, business_id, "gbt36903", &flat));
        EXPECT(S_USAGE, zz_verifier_verify(ver, (const uint8_t *)flat, strlen(flat), NULL, &report));
        TRUE(contains(report, "\"kind\":\"gbt36903\"") && contains(report, "\"valid\":false"));
        zz_free_string(report);
        OK(zz_registry_export(reg, business_id, "vc", &json));
        TRUE(strcmp(json, "") != 0 && strncmp(json, doc_in_issue, doc_len) == 0);
        zz_free_string(json);
        EXPECT(S_USAGE, zz_registry_export(reg, business_id, "pdf", &json));
        EXPECT(S_USAGE, zz_registry_export(reg, business_id, NULL, &json));

        /* A bundle, for an auditor with nothing but the root. */
        snprintf(ids, sizeof ids, "[\"%s\",\"%s\"]", business_id, food_id);
        OK(zz_registry_bundle(reg, (const uint8_t *)ids, strlen(ids), NULL, &bundle));
        {
            zz_verifier *auditor = NULL;
            OK(zz_verifier_new_from_file(root_path, &auditor));
            /* The revoked food licence makes the bundle invalid, with its code. */
            EXPECT(2403, zz_verifier_verify(auditor, (const uint8_t *)bundle, strlen(bundle), NULL, &report));
            TRUE(contains(report, "\"kind\":\"bundle\"") && contains(report, "ZZ-E-STATUS-003"));
            zz_free_string(report);
            OK(zz_verifier_close(auditor));
        }
        zz_free_string(bundle);
        snprintf(ids, sizeof ids, "[\"%s\"]", business_id);
        OK(zz_registry_bundle(reg, (const uint8_t *)ids, strlen(ids), NULL, &bundle));
        OK(zz_verifier_verify(ver, (const uint8_t *)bundle, strlen(bundle), NULL, &report));
        zz_free_string(report);
        EXPECT(1404, zz_verifier_verify(ver, (const uint8_t *)"{\"type\":\"ZhengzhaoBundle\"}", 26, NULL, &report));
        TRUE(report == NULL);
        EXPECT(S_FMT_JSON, zz_registry_bundle(reg, (const uint8_t *)"[1]", 3, NULL, &json));
        EXPECT(S_USAGE, zz_registry_bundle(reg, NULL, 1, NULL, &json));

        /* Wrong anchors: the signing certificate chains to another root. */
        OK(zz_verifier_new_from_file(other_path, &wrong));
        OK(zz_verifier_add_certificates(wrong, (const uint8_t *)signer, signer_len));
        EXPECT(S_CERT_UNTRUSTED, zz_verifier_verify(wrong, (const uint8_t *)doc_in_issue, doc_len, NULL, &report));
        TRUE(contains(report, "ZZ-E-TRUST-002"));
        zz_free_string(report);
        EXPECT(S_CERT_UNTRUSTED, zz_verifier_verify(wrong, (const uint8_t *)bundle, strlen(bundle), NULL, &report));
        zz_free_string(report);
        zz_free_string(bundle);

        /* Bad anchors. */
        {
            zz_verifier *v = NULL;
            EXPECT(1403, zz_verifier_new((const uint8_t *)"not pem", 7, &v));
            TRUE(v == NULL);
            EXPECT(S_USAGE, zz_verifier_new(NULL, 7, &v));
            EXPECT(S_USAGE, zz_verifier_new((const uint8_t *)root, root_len, NULL));
            EXPECT(1601, zz_verifier_new_from_file("/nonexistent/root.pem", &v));
            EXPECT(S_USAGE, zz_verifier_new_from_file(NULL, &v));
            EXPECT(1403, zz_verifier_add_certificates(ver, (const uint8_t *)"junk", 4));
            EXPECT(S_USAGE, zz_verifier_add_certificates(ver, NULL, 4));
        }
        zz_free_string(qr);
        zz_free_string(jwt);
        zz_free_string(flat);
        free(root);
        free(signer);
        free(root_path);
        free(other_path);
        free(signer_path);
    }

    /* Handles: the other kind, closed, made up, NULL. */
    EXPECT(S_HANDLE_KIND, zz_registry_close((zz_registry *)ver));
    EXPECT(S_HANDLE_KIND, zz_verifier_close((zz_verifier *)reg));
    EXPECT(S_HANDLE_KIND, zz_registry_status((zz_registry *)ver, business_id, &json));
    EXPECT(S_HANDLE_KIND, zz_verifier_verify((zz_verifier *)reg, (const uint8_t *)"{}", 2, NULL, &json));
    EXPECT(S_HANDLE_CLOSED, zz_registry_catch_up((zz_registry *)(uintptr_t)0x123456789));
    EXPECT(S_USAGE, zz_registry_close(NULL));
    EXPECT(S_USAGE, zz_verifier_close(NULL));
    EXPECT(S_USAGE, zz_registry_catch_up(NULL));
    OK(zz_registry_catch_up(reg)); /* a no-op on the writer */
    OK(zz_verifier_close(ver));
    OK(zz_verifier_close(wrong));
    EXPECT(S_HANDLE_CLOSED, zz_verifier_close(ver));
    EXPECT(S_HANDLE_CLOSED, zz_verifier_verify(ver, (const uint8_t *)"{}", 2, NULL, &json));
    EXPECT(S_HANDLE_CLOSED, zz_verifier_add_certificates(ver, (const uint8_t *)"x", 1));
    OK(zz_registry_close(reg));
    EXPECT(S_HANDLE_CLOSED, zz_registry_close(reg));
    EXPECT(S_HANDLE_CLOSED, zz_registry_issue(reg, (const uint8_t *)company, company_len, "x", &json));
    EXPECT(S_HANDLE_CLOSED, zz_registry_step(reg, food_id, ZZ_STEP_CANCEL, "x", "", NULL));
    EXPECT(S_HANDLE_CLOSED, zz_registry_status(reg, food_id, &json));
    EXPECT(S_HANDLE_CLOSED, zz_registry_grant_add(reg, ORG, FOOD, "2099-12-31", "x", ""));
    EXPECT(S_HANDLE_CLOSED, zz_registry_grant_revoke(reg, ORG, FOOD, "x", ""));
    EXPECT(S_HANDLE_CLOSED, zz_registry_lookup(reg, (const uint8_t *)"{}", 2, NULL, 0, &lk));
    EXPECT(S_HANDLE_CLOSED, zz_registry_lookup_many(reg, (const uint8_t *)"[]", 2, NULL, 0, &lk));
    EXPECT(S_HANDLE_CLOSED, zz_registry_export(reg, food_id, "vc", &json));
    EXPECT(S_HANDLE_CLOSED, zz_registry_bundle(reg, (const uint8_t *)"[]", 2, NULL, &json));
    EXPECT(S_HANDLE_CLOSED, zz_registry_catch_up(reg));

    /* Reopened after close: the lock is released, the licences are there. */
    OK(zz_registry_open(dir, opts, &reg));
    OK(zz_registry_status(reg, business_id, &json));
    zz_free_string(json);
    /* The secondary of a writer sees its licences; it journals its uses and refuses writes. */
    {
        char *sec = path_in(FIX, "work/api-secondary");
        char *req = request(types, "核验");
        OK(zz_registry_open_secondary(dir, sec, NULL, &other));
        OK(zz_registry_status(other, business_id, &json));
        zz_free_string(json);
        OK(zz_registry_lookup(other, (const uint8_t *)req, strlen(req), NULL, ZZ_LOOKUP_UNLOGGED, &lk));
        TRUE(lk->replies[0].answers[0].refusal == NULL);
        zz_free_lookup(lk);
        lk = NULL;
        /* A logged lookup on a secondary is journaled; the writer takes it into the log. */
        OK(zz_registry_lookup(other, (const uint8_t *)req, strlen(req), NULL, 0, &lk));
        TRUE(lk->replies[0].answers[0].refusal == NULL);
        zz_free_lookup(lk);
        lk = NULL;
        {
            uint64_t taken = 0;
            OK(zz_registry_ingest_uses(reg, sec, &taken));
            TRUE(taken == 1);
            OK(zz_registry_ingest_uses(reg, sec, &taken));
            TRUE(taken == 0);
            EXPECT(S_STORE_READ_ONLY, zz_registry_ingest_uses(other, sec, NULL));
            EXPECT(S_USAGE, zz_registry_ingest_uses(reg, NULL, NULL));
        }
        EXPECT(S_STORE_READ_ONLY, zz_registry_step(other, business_id, ZZ_STEP_SUSPEND, "x", "", NULL));
        EXPECT(S_USAGE, zz_registry_open_secondary(dir, NULL, NULL, &other));
        OK(zz_registry_catch_up(other));
        EXPECT(S_STORE_READ_ONLY, zz_registry_backup(other, sec, NULL));
        OK(zz_registry_close(other));
        free(sec);
        free(req);
    }
    /* Backup while open, restore into a new folder: the same answers; the check finds it
     * intact. */
    {
        char *backup = path_in(FIX, "work/api-backup"), *restored_dir = path_in(FIX, "work/api-restored");
        char *req = request(types, "核验");
        zz_registry *restored = NULL;
        OK(zz_registry_backup(reg, backup, &json));
        TRUE(contains(json, "\"log_size\":") && contains(json, "\"log_root\":\""));
        zz_free_string(json);
        EXPECT(S_STORE_EXISTS, zz_registry_backup(reg, backup, NULL));
        EXPECT(S_USAGE, zz_registry_backup(reg, NULL, NULL));
        EXPECT(S_STORE_NOT_REGISTRY, zz_registry_restore(FIX, restored_dir, opts, &restored));
        TRUE(restored == NULL);
        EXPECT(S_STORE_EXISTS, zz_registry_restore(backup, FIX, opts, &restored));
        EXPECT(S_USAGE, zz_registry_restore(backup, restored_dir, opts, NULL));
        OK(zz_registry_restore(backup, restored_dir, opts, &restored));
        REQUIRE(restored != NULL);
        OK(zz_registry_lookup(restored, (const uint8_t *)req, strlen(req), NULL, ZZ_LOOKUP_UNLOGGED, &lk));
        TRUE(lk->replies[0].answers[0].refusal == NULL && strcmp(lk->replies[0].answers[0].id, business_id) == 0);
        TRUE(strcmp(lk->replies[0].answers[0].format, "vc") == 0);
        zz_free_lookup(lk);
        lk = NULL;
        OK(zz_registry_check(restored, &json));
        TRUE(contains(json, "\"ok\":true") && contains(json, "\"problems\":[]"));
        zz_free_string(json);
        EXPECT(S_USAGE, zz_registry_check(restored, NULL));
        OK(zz_registry_close(restored));
        EXPECT(S_HANDLE_CLOSED, zz_registry_check(restored, &json));
        free(backup);
        free(restored_dir);
        free(req);
    }
    OK(zz_registry_close(reg));

    zz_free_lookup(NULL);
    zz_free_string(NULL);
    zz_free_string(issued);
    zz_free_string(issued_food);
    free(company);
    free(food);
    free(company_path);
    free(food_path);
    free(opts);
    free(dir);
}

/* Sealed OFD files: the vectors' Zhejiang e-invoice (a GB/T 38540 seal) and ofdrw's bare
 * SM2 signature, whose signer's certificate must be given. */
static void ofd_files(void) {
    char *invoice_path = path_in(FIX, "ofd/1.ofd"), *bare_path = path_in(FIX, "ofd/DigitalSign.ofd"),
         *user_path = path_in(FIX, "ofd/user.cer"), *root_path = path_in(FIX, "root.pem");
    size_t invoice_len = 0, bare_len = 0, user_len = 0, root_len = 0;
    char *invoice = read_file(invoice_path, &invoice_len), *bare = read_file(bare_path, &bare_len),
         *user = read_file(user_path, &user_len), *root = read_file(root_path, &root_len);
    const uint8_t *inv = (const uint8_t *)invoice, *b = (const uint8_t *)bare, *u = (const uint8_t *)user;
    char *json = NULL;

    OK(zz_ofd_verify(inv, invoice_len, NULL, 0, NULL, 0, NULL, &json));
    TRUE(contains(json, "\"valid\":true") && contains(json, "\"format\":\"GB/T 38540 v4\""));
    TRUE(contains(json, "\"chain_trusted\":null"));
    zz_free_string(json);
    /* Under another root: the seal holds, the chain does not. */
    EXPECT(S_CERT_UNTRUSTED, zz_ofd_verify(inv, invoice_len, (const uint8_t *)root, root_len, NULL, 0,
                                           "2021-01-01", &json));
    TRUE(contains(json, "\"chain_trusted\":false") && contains(json, "\"seal_valid\":true"));
    zz_free_string(json);
    /* A bare signature: invalid without its signer's certificate (the report says so), valid with it. */
    EXPECT(S_OFD_KEY_REQUIRED, zz_ofd_verify(b, bare_len, NULL, 0, NULL, 0, NULL, &json));
    TRUE(contains(json, "ZZ-E-OFD-016"));
    zz_free_string(json);
    OK(zz_ofd_verify(b, bare_len, NULL, 0, u, user_len, NULL, &json));
    TRUE(contains(json, "\"format\":\"SM2 signature\""));
    zz_free_string(json);
    /* A package cut short: no report, the package's code and a message. */
    json = (char *)1;
    EXPECT(S_OFD_PACKAGE, zz_ofd_verify(inv, invoice_len / 2, NULL, 0, NULL, 0, NULL, &json));
    TRUE(json == NULL);
    /* Wrong arguments. */
    EXPECT(S_USAGE, zz_ofd_verify(NULL, 10, NULL, 0, NULL, 0, NULL, &json));
    EXPECT(S_USAGE, zz_ofd_verify(inv, invoice_len, NULL, 0, NULL, 0, NULL, NULL));
    EXPECT(S_USAGE, zz_ofd_verify(inv, invoice_len, NULL, 5, NULL, 0, NULL, &json));
    EXPECT(S_USAGE, zz_ofd_verify(inv, invoice_len, NULL, 0, NULL, 0, "yesterday", &json));
    TRUE(zz_ofd_verify(inv, invoice_len, (const uint8_t *)"not a certificate", 17, NULL, 0, NULL, &json) != 0);
    TRUE(json == NULL);
    /* A certificate that is not a CA is no anchor. */
    TRUE(zz_ofd_verify(inv, invoice_len, u, user_len, NULL, 0, NULL, &json) != 0);
    TRUE(json == NULL);

    free(invoice);
    free(bare);
    free(user);
    free(root);
    free(invoice_path);
    free(bare_path);
    free(user_path);
    free(root_path);
}

/* An OFD licence sealed elsewhere, taken into a registry and served by the lookup as the
 * file itself. */
static void ofd_licences(void) {
    char *dir = path_in(FIX, "work/api-ofd-registry");
    char *opts = options_json();
    char *sealed_path = path_in(FIX, "ofd/sealed-licence.ofd"), *user_path = path_in(FIX, "ofd/sm2-signer.pem"),
         *root_path = path_in(FIX, "ofd/sm2-root.pem"), *bare_path = path_in(FIX, "ofd/DigitalSign.ofd"),
         *ofdrw_user_path = path_in(FIX, "ofd/user.cer");
    size_t sealed_len = 0, user_len = 0, root_len = 0, bare_len = 0, ofdrw_user_len = 0;
    char *sealed = read_file(sealed_path, &sealed_len), *user = read_file(user_path, &user_len),
         *root = read_file(root_path, &root_len), *bare = read_file(bare_path, &bare_len),
         *ofdrw_user = read_file(ofdrw_user_path, &ofdrw_user_len);
    const uint8_t *f = (const uint8_t *)sealed, *u = (const uint8_t *)user, *rt = (const uint8_t *)root;
    const char *id = "1.2.156.3005.2.11100000MB0143028R001.11330110JYW46KJ7BA.2025000001.001.R";
    const char *req =
        "{\"holder_code_type\":\"001\",\"holder_code\":\"91330106CT4KKYNAF9\","
        "\"types\":[\"11100000MB0143028R001\"],\"context\":{\"org\":\"11330106MB1742305K\","
        "\"operator\":\"王五\",\"item\":\"330106-000201-001\",\"case\":\"2026-XH-9\","
        "\"reason\":\"核验营业执照\"}}";
    zz_registry *reg = NULL;
    zz_lookup *lk = NULL;
    char *json = NULL;

    OK(zz_registry_create(dir, opts, &reg));
    REQUIRE(reg != NULL);
    /* Anchors, or the flag that takes the file on its signatures alone. */
    EXPECT(S_USAGE, zz_registry_import_ofd(reg, f, sealed_len, NULL, 0, u, user_len, NULL, "王科员", 0, &json));
    TRUE(json == NULL);
    EXPECT(S_USAGE, zz_registry_import_ofd(reg, f, sealed_len, rt, root_len, u, user_len, NULL, "王科员", 4, &json));
    EXPECT(S_USAGE, zz_registry_import_ofd(reg, f, sealed_len, rt, root_len, u, user_len, NULL, NULL, 0, &json));
    EXPECT(S_USAGE, zz_registry_import_ofd(reg, NULL, 10, rt, root_len, u, user_len, NULL, "王科员", 0, &json));
    EXPECT(S_USAGE, zz_registry_import_ofd(reg, f, sealed_len, rt, root_len, u, user_len, NULL, "王科员", 0, NULL));
    /* What does not hold: without the bare signature's certificate; a supplied item the seal
     * contradicts; a file without metadata; a file cut short. */
    EXPECT(S_OFD_KEY_REQUIRED, zz_registry_import_ofd(reg, f, sealed_len, rt, root_len, NULL, 0, NULL, "王科员", 0, &json));
    EXPECT(S_OFD_METADATA_CONFLICT, zz_registry_import_ofd(reg, f, sealed_len, rt, root_len, u, user_len,
                                                           "{\"证照编号\":\"X-1\"}", "王科员", 0, &json));
    EXPECT(1413, zz_registry_import_ofd(reg, f, sealed_len, rt, root_len, u, user_len, "{\"ZZBH\":1}", "王科员", 0, &json));
    EXPECT(S_OFD_METADATA_MISSING,
           zz_registry_import_ofd(reg, (const uint8_t *)bare, bare_len, NULL, 0, (const uint8_t *)ofdrw_user,
                                  ofdrw_user_len, NULL, "王科员", ZZ_OFD_SIGNATURES_ONLY, &json));
    EXPECT(S_OFD_PACKAGE, zz_registry_import_ofd(reg, f, sealed_len / 2, rt, root_len, u, user_len, NULL, "王科员", 0, &json));
    TRUE(json == NULL);

    OK(zz_registry_import_ofd(reg, f, sealed_len, rt, root_len, u, user_len, NULL, "王科员", 0, &json));
    REQUIRE(json != NULL);
    TRUE(contains(json, id) && contains(json, "\"imported\":true") && contains(json, "\"chain_trusted\":true"));
    zz_free_string(json);
    OK(zz_registry_import_ofd(reg, f, sealed_len, rt, root_len, u, user_len, NULL, "王科员", 0, &json));
    TRUE(contains(json, "\"imported\":false") && contains(json, "\"seq\":null"));
    zz_free_string(json);
    json = NULL;

    /* The lookup answers with the file, exactly; it exports as its flat record, not as text. */
    OK(zz_registry_grant_add(reg, "11330106MB1742305K", "11100000MB0143028R001", "2099-12-31", "管理员", ""));
    OK(zz_registry_lookup(reg, (const uint8_t *)req, strlen(req), NULL, 0, &lk));
    REQUIRE(lk != NULL && lk->reply_count == 1 && lk->replies[0].answer_count == 1);
    {
        const zz_answer *a = &lk->replies[0].answers[0];
        TRUE(a->refusal == NULL && strcmp(a->id, id) == 0 && strcmp(a->format, "ofd") == 0);
        TRUE(a->document_len == sealed_len && memcmp(a->document, sealed, sealed_len) == 0);
    }
    zz_free_lookup(lk);
    OK(zz_registry_export(reg, id, "gbt36903", &json));
    TRUE(contains(json, "\"CZZTDM\":\"91330106CT4KKYNAF9\""));
    zz_free_string(json);
    EXPECT(S_USAGE, zz_registry_export(reg, id, "ofd", &json));
    EXPECT(S_LIFE_FORM, zz_registry_export(reg, id, "vc", &json));
    OK(zz_registry_close(reg));

    free(sealed);
    free(user);
    free(root);
    free(bare);
    free(ofdrw_user);
    free(ofdrw_user_path);
    free(sealed_path);
    free(user_path);
    free(root_path);
    free(bare_path);
    free(opts);
    free(dir);
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    FIX = argv[1];
    BUSINESS = read_line(FIX, "business.txt");
    FOOD = read_line(FIX, "food.txt");
    HOLDER = read_line(FIX, "holder.txt");
    ORG = read_line(FIX, "org.txt");
    version_and_errors();
    last_error();
    identifiers();
    catalogue();
    registry_and_verifier();
    ofd_files();
    ofd_licences();
    free(BUSINESS);
    free(FOOD);
    free(HOLDER);
    free(ORG);
    return finish("test_api");
}
