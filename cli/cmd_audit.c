/* cmd_audit.c: "xverify audit": verifies the audit trail (chain, seals, the rows it vouches
 * for) and prints its head or its entries; seals a trail written before keyed seals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/mask.h"
#include "../core/seal.h"
#include "../core/store.h"
#include "../core/run.h"
#include "../core/utf8.h"
#include "../core/util.h"
#include "../matchers/rules/findings.h"
#include "cmd.h"

/* One entry a line: number, time, action, subject, detail, the OS account that acted (ID
 * numbers masked). */
static int print_entry(void *ctx, long long seq, const char *at, const char *action,
                       const char *subject, const char *detail, const char *actor)
{
    struct sbuf line = SBUF_INIT, m = SBUF_INIT;
    const char *field[] = { at, action, subject, detail, actor };
    (void)ctx;
    sbuf_addf(&line, "%lld", seq);
    /* each field masked and escaped alone: a fingerprint is never masked, and a tab or a
     * newline inside a field forges no column or line */
    for (int i = 0; i < 5; i++) {
        sbuf_reset(&m);
        mask_field(field[i], 0, &m);
        sbuf_addc(&line, '\t');
        utf8_printable(sbuf_str(&m), 0, &line);
    }
    printf("%s\n", line.s);
    sbuf_free(&line);
    sbuf_free(&m);
    return 0;
}

/* Every run that recorded the digest of its findings and gates still has them, and each
 * fingerprint's first and last run are theirs; *N counts the runs checked. */
static int check_runs(sqlite3 *db, long long *n)
{
    long long last = 0;
    int rc = store_int(db, "SELECT ifnull(max(id), 0) FROM runs", NULL, NULL, &last);
    *n = 0;
    for (long long id = 1; rc >= 0 && id <= last; id++) {
        struct run r;
        if ((rc = run_open(db, id, &r)) == 0 && *r.findings_sha256) {
            rc = findings_check_digest(db, &r, "audit");
            ++*n;
        }
        run_free(&r);
    }
    return rc < 0 ? rc : findings_check_runs(db, "audit");
}

/* --seal: the one write this command makes, in its own transaction. */
static int seal(struct xv_ctx *ctx)
{
    struct audit_head head;
    sqlite3 *db;
    int rc;
    ctx->read_only = 0;
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = store_begin(db)) < 0)
        return rc;
    if ((rc = audit_seal(db, &head)) < 0) {
        store_rollback(db);
        return rc;
    }
    if ((rc = store_commit(db)) < 0)
        return rc;
    printf("audit trail: %lld entries, sealed; %lld rows vouched for\nhead: %lld:%s\n",
           head.entries, head.rows, head.entries, head.mac);
    return 0;
}

int cmd_audit(const struct args *a, struct xv_ctx *ctx)
{
    struct audit_head head;
    sqlite3 *db;
    long long since = 0;
    int rc;
    const char *since_s = arg_value(a, "since"), *expect = arg_value(a, "expect");
    int list = arg_value(a, "list") != NULL, only_head = arg_value(a, "head") != NULL;
    if (list + only_head + (arg_value(a, "seal") != NULL) > 1)
        return xv_fail(XV_EUSAGE, "audit: give one of --list, --head and --seal");
    if (since_s) {
        char *end;
        errno = 0;
        since = strtoll(since_s, &end, 10);
        if (!*since_s || *end || errno || since < 0)
            return xv_fail(XV_EUSAGE, "audit: --since '%s' is not an entry number", since_s);
        if (!list)
            return xv_fail(XV_EUSAGE, "audit: --since goes with --list");
    }
    if (arg_value(a, "seal"))
        return expect ? xv_fail(XV_EUSAGE, "audit: --expect does not go with --seal") : seal(ctx);
    /* the chain is verified first: entries are listed only from a trail that holds */
    long long runs = 0;
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = audit_verify(db, &head)) < 0 ||
        (!list && (rc = check_runs(db, &runs)) < 0))
        return rc;
    if (expect && (rc = audit_expect(&head, db, expect)) < 0)
        return rc;
    if (list)
        return audit_each(db, since, print_entry, NULL);
    if (only_head) {
        if (head.entries == 0)
            return xv_fail(XV_EUSAGE, "audit: the trail is empty: there is no head yet");
        printf("%lld:%s\n", head.entries, head.mac);
        return 0;
    }
    if (head.entries == 0) {
        printf("audit trail: empty\n");
        return 0;
    }
    char id[17];
    if ((rc = seal_key_id(id)) < 0)
        return rc;
    printf("audit trail: %lld entries, chain and seals verified (key %s); %lld rows vouched "
           "for; findings as recorded in %lld run%s\n", head.entries, id, head.rows, runs,
           runs == 1 ? "" : "s");
    printf("head: entry %lld, %s, %s: %lld:%s\n", head.entries, head.what, head.at, head.entries,
           head.mac);
    if (expect)
        printf("the trail extends the head kept (entry %.*s)\n",
               (int)strcspn(expect, ":"), expect);
    return 0;
}
