/* cmd_audit.c: "xverify audit": recomputes the audit trail's hash chain and prints its head. */
#include <stdio.h>
#include <string.h>
#include "../core/audit.h"
#include "cmd.h"
#include "../core/err.h"
#include "../core/store.h"

int cmd_audit(const struct args *a, struct xv_ctx *ctx)
{
    int rc, s;
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    char prev[65] = "", head_at[32] = "", head_what[256] = "";
    long long want = 1, n = 0;
    (void)a;
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = store_prepare(db, "SELECT seq, at, action, subject, detail, prev, hash FROM audit "
                                "ORDER BY seq", &st)) < 0)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(st, 0);
        const char *at = (const char *)sqlite3_column_text(st, 1);
        const char *action = (const char *)sqlite3_column_text(st, 2);
        const char *subject = (const char *)sqlite3_column_text(st, 3);
        const char *detail = (const char *)sqlite3_column_text(st, 4);
        const char *eprev = (const char *)sqlite3_column_text(st, 5);
        const char *ehash = (const char *)sqlite3_column_text(st, 6);
        char h[65];
        if (!at || !action || !subject || !detail || !eprev || !ehash) {
            rc = xv_fail(XV_ELOCKED, "audit trail broken at entry %lld: a field is missing", seq);
            goto done;
        }
        if (seq != want) {
            rc = xv_fail(XV_ELOCKED, "audit trail broken at entry %lld: entry %lld is missing",
                         seq, want);
            goto done;
        }
        if (strcmp(eprev, prev)) {
            rc = xv_fail(XV_ELOCKED, "audit trail broken at entry %lld (%s %s): it does not "
                         "follow entry %lld", seq, action, subject, seq - 1);
            goto done;
        }
        audit_hash(prev, seq, at, action, subject, detail, h);
        if (strcmp(h, ehash)) {
            rc = xv_fail(XV_ELOCKED, "audit trail broken at entry %lld (%s %s, %s): its content "
                         "does not match its hash", seq, action, subject, at);
            goto done;
        }
        snprintf(prev, sizeof prev, "%s", ehash);
        snprintf(head_at, sizeof head_at, "%s", at);
        snprintf(head_what, sizeof head_what, "%s %s", action, subject);
        want++;
        n++;
    }
    if (s != SQLITE_DONE) {
        rc = store_err(db, "reading the audit trail");
        goto done;
    }
    if (n == 0)
        printf("audit trail: empty\n");
    else
        printf("audit trail: %lld entries, chain verified\nhead: entry %lld, %s, %s, hash %s\n",
               n, n, head_what, head_at, prev);
done:
    sqlite3_finalize(st);
    return rc;
}
