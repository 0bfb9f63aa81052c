/* cmd_check.c: "xverify check": the database's integrity, its foreign keys, the audit chain,
 * the runs' loads and the feeds' keys. */
#include <stdio.h>
#include "../core/audit.h"
#include "../core/bkeys.h"
#include "../core/kinds.h"
#include "../core/err.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"
#include "cmd.h"

int cmd_check(const struct args *a, struct xv_ctx *ctx)
{
    struct sbuf problems = SBUF_INIT;
    struct audit_head head;
    sqlite3 *db;
    long long runs = 0;
    int rc, n = 0, chain;
    (void)a;
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = store_check(db, &problems)) < 0)
        goto done;
    n += rc;
    printf("integrity and foreign keys: %s\n", rc ? "FAILED" : "ok");
    /* the chain's own message says which entry breaks it */
    chain = audit_verify(db, &head);
    if (chain == XV_ELOCKED)
        n++;
    else if ((rc = chain) < 0)
        goto done;
    if (chain == 0)
        printf("audit trail: %lld entries, chain, seals and rows verified\n", head.entries);
    else
        printf("audit trail: FAILED\n");
    if ((rc = run_check(db, &problems, &runs)) < 0)
        goto done;
    n += rc;
    printf("runs: %lld checked, %s\n", runs, rc ? "FAILED" : "their loads intact");
    /* the linker reads only the keys of a record it does not compare: a key changed outside
     * xverify could hide a record from every run */
    long bad_keys = 0;
    for (int i = 0; i < xv_nkinds; i++) {
        long bad = 0;
        if (!kind_is_feed(&xv_kinds[i]))
            continue;
        if ((rc = bkeys_check(db, &xv_kinds[i], &bad)) < 0)
            goto done;
        if (bad)
            sbuf_addf(&problems, "'%s_keys': %ld entries do not agree with the records\n",
                      xv_kinds[i].name, bad);
        bad_keys += bad;
    }
    n += bad_keys > 0;
    printf("feed keys: %s\n", bad_keys ? "FAILED" : "agree with the records");
    fputs(sbuf_str(&problems), stdout);
    rc = n ? xv_fail(XV_ELOCKED, "the database failed %d check(s)", n) : 0;
done:
    sbuf_free(&problems);
    return rc;
}
