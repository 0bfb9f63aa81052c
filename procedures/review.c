/* review.c: checks and records a reviewer's decision on a finding. */
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "review.h"

/* The finding with fingerprint FP in the latest run that found it: its evidence into *EV. */
static int latest_finding(sqlite3 *db, const char *fp, struct review_done *out, char **ev)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT run_id, applicant_id, rule, severity, evidence FROM "
                               "findings WHERE fingerprint=? ORDER BY run_id DESC LIMIT 1", &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, fp);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        out->run_id = sqlite3_column_int64(st, 0);
        out->app = xstrdup((const char *)sqlite3_column_text(st, 1));
        out->rule = xstrdup((const char *)sqlite3_column_text(st, 2));
        out->sev = xstrdup((const char *)sqlite3_column_text(st, 3));
        *ev = xstrdup((const char *)sqlite3_column_text(st, 4));
    } else if (s == SQLITE_DONE) {
        rc = xv_fail(XV_EUSAGE, "no finding has the fingerprint '%s'", fp);
    } else {
        rc = store_err(db, "reading findings");
    }
    sqlite3_finalize(st);
    return rc;
}

int review_decide(sqlite3 *db, const struct review_req *q, struct review_done *out)
{
    char *ev = NULL;
    int rc, in_tx = 0;
    memset(out, 0, sizeof *out);
    if ((rc = store_begin(db)) < 0)
        return rc;
    in_tx = 1;
    if ((rc = latest_finding(db, q->fingerprint, out, &ev)) < 0)
        goto done;
    if (!strcmp(q->decision, "dismissed") && sev_parse(out->sev) == SEV_BLOCK &&
        strcmp(q->level, "city")) {
        rc = xv_fail(XV_ENEEDS, "review refused: '%s' (%s of %s) is a block finding, which "
                     "can be dismissed at city level only", q->fingerprint, out->rule, out->app);
        goto done;
    }
    struct decision d = { q->fingerprint, ev, out->app, out->rule, q->decision, q->by, q->level,
                          q->reason, out->run_id };
    if ((rc = decision_add(db, &d)) < 0 || (rc = store_commit(db)) < 0)
        goto done;
    in_tx = 0;
done:
    if (in_tx)
        store_rollback(db);
    free(ev);
    return rc;
}

void review_done_free(struct review_done *d)
{
    free(d->app);
    free(d->rule);
    free(d->sev);
    memset(d, 0, sizeof *d);
}
