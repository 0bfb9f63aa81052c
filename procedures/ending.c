/* ending.c: an objection during public notice, a rejection, a withdrawal: each a dated status
 * change with its audit entry. */
#include <stdio.h>
#include <string.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/status.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../matchers/rules/findings.h"
#include "approve.h"
#include "ending.h"
#include "reviewers.h"

/* The newest city sign-off of APP: its procedure (*PROC), the status it was given in
 * (*STATUS_SEQ) and the run it rested on; 0 when there is none. */
static int last_city(sqlite3 *db, const char *app, int *proc, long long *status_seq,
                     long long *run, char by[128])
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT procedure, status_seq, run_id FROM approvals WHERE "
                               "applicant_id=?1 AND level='city' ORDER BY seq DESC LIMIT 1", &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, app);
    int s = sqlite3_step(st);
    rc = 0;
    if (s == SQLITE_ROW) {
        *proc = PROC_ENTRY;
        for (int i = 0; i < PROC_COUNT; i++)
            if (!strcmp((const char *)sqlite3_column_text(st, 0), procedures[i].name))
                *proc = i;
        *status_seq = sqlite3_column_int64(st, 1);
        *run = sqlite3_column_int64(st, 2);
        rc = 1;
    } else if (s != SQLITE_DONE) {
        rc = store_err(db, "reading sign-offs");
    }
    sqlite3_finalize(st);
    if (rc != 1)
        return rc;
    /* the grassroots sign-off of that round, carried over by an objection */
    long long gr = 0;
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", *status_seq);
    if ((rc = store_prepare(db, "SELECT by FROM approvals WHERE applicant_id=?1 AND "
                                "status_seq=CAST(?2 AS INTEGER) AND level='grassroots' AND "
                                "procedure=?3", &st)) < 0)
        return rc;
    store_bind(st, "ttt", app, seq, procedures[*proc].name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(by, 128, "%s", sqlite3_column_text(st, 0));
        gr = 1;
    }
    sqlite3_finalize(st);
    return gr ? 1 : error("application '%s': its city sign-off has no grassroots one", app);
}

/* The newest status change of APP, whatever its date: status, date, and sequence number. */
static int newest_status(sqlite3 *db, const char *app, char status[32], char from[11],
                         long long *seq)
{
    status[0] = from[0] = '\0';
    /* the far future: every change recorded so far, dated or not yet in force */
    int rc = status_at(db, app, "9999-12-31", status, seq);
    return rc <= 0 ? rc : status_from_date(db, *seq, from);
}

static int take_county(void *ctx, const struct gate_row *g)
{
    snprintf(ctx, 16, "%s", g->county);
    return 0;
}

/* The county of APP, from the newest run that checked it: "" when none has. */
static int county_of(void *ctx, long long run)
{
    struct { sqlite3 *db; const char *app; char county[16]; } *c = ctx;
    int rc = gates_each(c->db, run, c->app, take_county, c->county);
    return rc < 0 ? rc : 1;
}

int object_notice(sqlite3 *db, const char *app, const char *by, const char *reason,
                  struct objection *out)
{
    char today[11], status[32], from[11], grassroots[128] = "";
    long long seq = 0, city_seq = 0, run = 0;
    int rc, proc = PROC_ENTRY;
    memset(out, 0, sizeof *out);
    today_iso(today);
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = newest_status(db, app, status, from, &seq)) < 0)
        goto fail;
    if (!*status) {
        rc = xv_fail(XV_EUSAGE, "no application '%s'", app);
        goto fail;
    }
    if ((rc = last_city(db, app, &proc, &city_seq, &run, grassroots)) < 0)
        goto fail;
    /* the newest change must be the status a city sign-off's notice leads to, after it */
    if (rc == 0 || seq <= city_seq || strcmp(status, procedures[proc].to)) {
        rc = xv_fail(XV_ENEEDS, "objection refused: '%s' is in no public notice", app);
        goto fail;
    }
    add_days(from, -1, out->notice_to);
    if (strcmp(from, today) <= 0) {
        rc = xv_fail(XV_ENEEDS, "objection refused: the public notice of '%s' ended on %s", app,
                     out->notice_to);
        goto fail;
    }
    out->proc = proc;
    snprintf(out->back_to, sizeof out->back_to, "%s", procedures[proc].from);
    struct sbuf src = SBUF_INIT, d = SBUF_INIT;
    long long back = 0;
    sbuf_addf(&src, "%s: objection by %s", procedures[proc].name, by);
    sbuf_addf(&d, "objection by %s to the %s notice (to %s): %s", by, procedures[proc].name,
              out->notice_to, reason);
    if ((rc = status_add(db, app, out->back_to, today, src.s)) == 0 &&
        (rc = status_last_seq(db, &back)) == 0 &&
        (rc = signoff_record(db, proc, app, 0, grassroots, run, back,
                             "carried over: an objection voids the county and city "
                             "sign-offs")) == 0)
        rc = audit_append(db, "object", app, d.s);
    sbuf_free(&src);
    sbuf_free(&d);
    if (rc < 0)
        goto fail;
    return store_commit(db);
fail:
    store_rollback(db);
    return rc;
}

int end_application(sqlite3 *db, const char *app, int level, const char *by,
                    const char *reason)
{
    char today[11], status[32];
    long long seq = 0;
    const char *what = level < 0 ? "withdrawal" : "rejection";
    int rc;
    today_iso(today);
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = status_at(db, app, today, status, &seq)) <= 0) {
        rc = rc < 0 ? rc : xv_fail(XV_EUSAGE, "no application '%s'", app);
        goto fail;
    }
    if (strcmp(status, "applied") && strcmp(status, "notice")) {
        rc = xv_fail(XV_ENEEDS, "%s refused: application '%s' has status '%s'; only an "
                     "application not yet archived is %s", what, app, status,
                     level < 0 ? "withdrawn" : "rejected");
        goto fail;
    }
    struct { sqlite3 *db; const char *app; char county[16]; } c = { db, app, "" };
    if ((rc = gates_runs_of(db, app, county_of, &c)) < 0)
        goto fail;
    if (!*c.county) {
        rc = xv_fail(XV_ENEEDS, "%s refused: no run has checked '%s' yet, so its county is "
                     "not known: run 'xverify match' first", what, app);
        goto fail;
    }
    struct reviewer_act act = { by, level, c.county, what };
    if ((rc = level < 0 ? reviewer_check_any(db, &act) : reviewer_check(db, &act)) < 0)
        goto fail;
    struct sbuf src = SBUF_INIT, d = SBUF_INIT;
    sbuf_addf(&src, "%s by %s", level < 0 ? "withdrawn, recorded" : "rejected", by);
    sbuf_addf(&d, "%s%s%s by %s: %s", what, level < 0 ? "" : " at ",
              level < 0 ? "" : level_name(level), by, reason);
    if ((rc = status_add(db, app, level < 0 ? "withdrawn" : "rejected", today, src.s)) == 0)
        rc = audit_append(db, level < 0 ? "withdraw" : "reject", app, d.s);
    sbuf_free(&src);
    sbuf_free(&d);
    if (rc < 0)
        goto fail;
    return store_commit(db);
fail:
    store_rollback(db);
    return rc;
}
