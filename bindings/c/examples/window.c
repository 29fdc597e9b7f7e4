/* A window program (窗口受理系统) on libzhengzhao: an applicant comes to the window for a
 * service item; for each paper material of the item it prints whether an electronic licence
 * replaces it (免提交), with the licence, or why not; then it verifies one returned licence
 * offline, with nothing but the root certificate and the departments' signing certificates.
 *
 *   window REGISTRY ROOT.pem SIGNERS.pem ORG HOLDER_CODE_TYPE HOLDER_CODE
 *
 * Build: cc window.c $(pkg-config --cflags --libs zhengzhao) -o window */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zhengzhao.h"

/* A material of the service item and the licence type that can replace it (NULL: none).
 * A real window system reads this from its item configuration. */
struct material {
    const char *label;
    const char *type_code;
};

static const char *ITEM_CODE = "330106-000201-002";
static const char *ITEM_NAME = "食品经营许可（延续）";
static const struct material MATERIALS[] = {
    {"营业执照", "11100000MB0143028R001"},
    {"原食品经营许可证", "11100000MB0143028R104"},
    {"经营场所不动产权证书", "11100000MB03271699001"},
    {"食品安全管理制度文本", NULL},
};
#define N_MATERIALS (sizeof MATERIALS / sizeof MATERIALS[0])

static const char *refusal_label(const char *r) {
    static const char *labels[][2] = {
        {"not_authorised", "窗口单位未获该类证照的用证授权"},
        {"consent_missing", "须持证人授权同意"},
        {"none", "持证人无此电子证照"},
        {"expired", "电子证照已过有效期"},
        {"not_yet_valid", "电子证照尚未生效"},
        {"suspended", "电子证照已暂扣"},
        {"revoked", "电子证照已吊销"},
        {"withdrawn", "电子证照已撤销"},
        {"cancelled", "电子证照已注销"},
        {"transferred_out", "电子证照已转出"},
    };
    size_t i;
    for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i][0], r) == 0) return labels[i][1];
    return r;
}

/* Prints the status's name and the last error, and returns 1. */
static int fail(const char *what, zz_status s) {
    const char *name = "?";
    char msg[1024];
    size_t len = 0;
    zz_error_info(s, &name, NULL, NULL);
    if (zz_last_error_message(msg, sizeof msg, &len) != ZZ_OK) msg[0] = 0;
    fprintf(stderr, "%s: %s: %s\n", what, name, msg);
    return 1;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv) {
    zz_registry *reg = NULL;
    zz_verifier *verifier = NULL;
    zz_lookup *lookup = NULL;
    const zz_answer *to_verify = NULL;
    char request[4096], types[1024] = "[";
    size_t i, k = 0, pos = 1, spared = 0, signers_len = 0;
    char *signers, *report = NULL;
    zz_status s;
    int rc = 0;

    if (argc != 7) {
        fprintf(stderr, "usage: %s REGISTRY ROOT.pem SIGNERS.pem ORG HOLDER_CODE_TYPE HOLDER_CODE\n", argv[0]);
        return 2;
    }
    if ((s = zz_registry_open(argv[1], "{\"cache_mib\":16}", &reg)) != ZZ_OK)
        return fail("open the registry", s);

    /* One request for every material that a licence type can replace. */
    for (i = 0; i < N_MATERIALS; i++) {
        if (!MATERIALS[i].type_code) continue;
        pos += (size_t)snprintf(types + pos, sizeof types - pos, "%s\"%s\"", k++ ? "," : "",
                                MATERIALS[i].type_code);
    }
    snprintf(types + pos, sizeof types - pos, "]");
    snprintf(request, sizeof request,
             "{\"holder_code_type\":\"%s\",\"holder_code\":\"%s\",\"types\":%s,"
             "\"context\":{\"org\":\"%s\",\"operator\":\"104号窗口 王五\",\"item\":\"%s\","
             "\"case\":\"2025-XH-000123\",\"reason\":\"办理%s：核验申请材料\"}}",
             argv[5], argv[6], types, argv[4], ITEM_CODE, ITEM_NAME);
    s = zz_registry_lookup(reg, (const uint8_t *)request, strlen(request), NULL, 0, &lookup);
    if (s != ZZ_OK) {
        rc = fail("window lookup", s);
        goto done;
    }

    printf("%s (%s) · 申请人 %s\n", ITEM_NAME, ITEM_CODE, argv[6]);
    for (i = 0, k = 0; i < N_MATERIALS; i++) {
        const zz_answer *a;
        if (!MATERIALS[i].type_code) {
            printf("  ✗ %s 须提交 — 无对应的电子证照类型\n", MATERIALS[i].label);
            continue;
        }
        a = &lookup->replies[0].answers[k++];
        if (a->refusal == NULL) {
            printf("  ✓ %s 免提交 — %s (%zu bytes)\n", MATERIALS[i].label, a->id, a->document_len);
            spared++;
            if (!to_verify) to_verify = a;
        } else {
            printf("  ✗ %s 须提交 — %s%s%s\n", MATERIALS[i].label, refusal_label(a->refusal),
                   a->id ? " " : "", a->id ? a->id : "");
        }
    }
    printf("  %zu of %zu materials spared\n", spared, (size_t)N_MATERIALS);

    /* Verify one licence offline, as an auditor would. */
    if (to_verify) {
        if ((s = zz_verifier_new_from_file(argv[2], &verifier)) != ZZ_OK) {
            rc = fail("trust anchors", s);
            goto done;
        }
        signers = read_file(argv[3], &signers_len);
        if (!signers) {
            fprintf(stderr, "cannot read %s\n", argv[3]);
            rc = 1;
            goto done;
        }
        s = zz_verifier_add_certificates(verifier, (const uint8_t *)signers, signers_len);
        free(signers);
        if (s != ZZ_OK) {
            rc = fail("signing certificates", s);
            goto done;
        }
        s = zz_verifier_verify(verifier, to_verify->document, to_verify->document_len, NULL, &report);
        if (s == ZZ_OK) {
            printf("offline verification of %s: valid\n", to_verify->id);
        } else {
            rc = fail("offline verification", s);
            if (report) fprintf(stderr, "%s\n", report);
        }
        zz_free_string(report);
    }

done:
    zz_free_lookup(lookup);
    if (verifier) zz_verifier_close(verifier);
    if (reg) zz_registry_close(reg);
    return rc;
}
