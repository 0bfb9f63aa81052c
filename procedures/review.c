/* review.c: checks and records a reviewer's decision on a finding. */
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/findings.h"
#include "approve.h"
#include "review.h"
#include "reviewers.h"

struct latest {
    struct review_done *out;
    char **ev;
};

static int take_latest(void *ctx, const struct finding_row *f)
{
    struct latest *l = ctx;
    l->out->run_id = f->run;
    l->out->app = xstrdup(f->app);
    l->out->rule = xstrdup(f->rule);
    l->out->sev = xstrdup(f->severity);
    l->out->county = xstrdup(f->county);
    *l->ev = xstrdup(f->evidence);
    l->out->has_amount = f->has_amount;
    l->out->amount = f->amount;
    return 0;
}

/* The finding with fingerprint FP in the latest run that found it: its evidence into *EV. */
static int latest_finding(sqlite3 *db, const char *fp, struct review_done *out, char **ev)
{
    struct latest l = { out, ev };
    int rc = findings_latest(db, fp, take_latest, &l);
    if (rc == 0)
        rc = xv_fail(XV_EUSAGE, "no finding has the fingerprint '%s'", fp);
    return rc < 0 ? rc : 0;
}

int review_record(sqlite3 *db, const struct review_req *q, struct review_done *out)
{
    char *ev = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = latest_finding(db, q->fingerprint, out, &ev)) < 0)
        goto done;
    struct reviewer_act act = { q->by, level_parse(q->level), out->county, "review" };
    if ((rc = reviewer_check(db, &act)) < 0)
        goto done;
    if (!strcmp(q->decision, "dismissed") && sev_parse(out->sev) == SEV_BLOCK &&
        strcmp(q->level, "city")) {
        rc = xv_fail(XV_ENEEDS, "review refused: '%s' (%s of %s) is a block finding, which "
                     "can be dismissed at city level only", q->fingerprint, out->rule, out->app);
        goto done;
    }
    struct decision d = { q->fingerprint, ev, out->app, out->rule, q->decision, q->by, q->level,
                          q->reason, out->run_id, out->has_amount, out->amount };
    rc = decision_add(db, &d);
done:
    free(ev);
    if (rc < 0)
        review_done_free(out);
    return rc;
}

int review_decide(sqlite3 *db, const struct review_req *q, struct review_done *out)
{
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = review_record(db, q, out)) < 0 || (rc = store_commit(db)) < 0) {
        store_rollback(db);
        review_done_free(out);
    }
    return rc;
}

void review_done_free(struct review_done *d)
{
    free(d->app);
    free(d->rule);
    free(d->sev);
    free(d->county);
    memset(d, 0, sizeof *d);
}
