/* approve.c: approval at one level: the application's status, the gate it rests on, the order
 * of the levels, and the public notice after the city's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/official.h"
#include "../core/policy.h"
#include "../core/run.h"
#include "../core/status.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/findings.h"
#include "approve.h"
#include "reviewers.h"

static const char *const levels[LEVEL_COUNT] = { "grassroots", "county", "city" };

const char *level_name(int level)
{
    return level >= 0 && level < LEVEL_COUNT ? levels[level] : "?";
}

int level_parse(const char *s)
{
    for (int i = 0; s && i < LEVEL_COUNT; i++)
        if (!strcmp(s, levels[i]))
            return i;
    return -1;
}


/* DATE plus DAYS, as YYYY-MM-DD. */
static void add_days(const char *date, int days, char out[11])
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(date) - 1900;
    tm.tm_mon = atoi(date + 5) - 1;
    tm.tm_mday = atoi(date + 8) + days;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

struct finding_run {
    sqlite3 *db;
    long long any, official;     /* the newest run, the newest official run */
};

static int take_official(void *ctx, long long run)
{
    struct finding_run *f = ctx;
    struct run r;
    if (!f->any)
        f->any = run;
    int rc = run_open(f->db, run, &r);
    if (rc == 0 && r.official)
        f->official = run;
    run_free(&r);
    return rc < 0 ? rc : f->official != 0;
}

/* The latest official run that checked APP, if it may gate a sign-off now: *R opened. A trial
 * run never does; nor does a run older than a load, or than the official policy in force. */
static int gating_run(sqlite3 *db, const char *app, struct run *r)
{
    struct finding_run f = { db, 0, 0 };
    struct policy pol = { 0 };
    struct sbuf why = SBUF_INIT;
    long n[SEV_COUNT];
    int rc = gates_runs_of(db, app, take_official, &f);
    if (rc < 0)
        return rc;
    if (f.official == 0) {
        rc = f.any ? xv_fail(XV_ENEEDS, "approval refused: only trial runs have checked "
                             "application '%s' (the latest: run %lld); an official run "
                             "('xverify match' without --policy or --as-of) must", app, f.any)
                   : xv_fail(XV_ENEEDS, "approval refused: no run has checked application "
                             "'%s' yet: run 'xverify match' first", app);
        goto done;
    }
    if ((rc = run_open(db, f.official, r)) < 0 || (rc = run_is_current(db, r, &why)) < 0)
        goto done;
    if (rc == 0) {
        rc = xv_fail(XV_ENEEDS, "approval refused: %s", why.s);
        goto done;
    }
    if ((rc = official_policy(db, &pol, NULL)) < 0)
        goto done;
    if (strcmp(pol.sha256, r->pol.sha256)) {
        rc = xv_fail(XV_ENEEDS, "approval refused: run %lld used policy %.12s, and the official "
                     "policy is now %.12s: run 'xverify match' first", r->id, r->pol.sha256,
                     pol.sha256);
        goto done;
    }
    /* the findings, gates and decisions the gate rests on must be those the trail vouches for */
    struct audit_head head;
    if ((rc = audit_verify(db, &head)) < 0 || (rc = findings_check_digest(db, r, "approval refused")) < 0 ||
        (rc = findings_in_force(db, r->id, app, r->pol.v[P_DECISION_TOLERANCE], n, &why)) < 0)
        goto done;
    if (n[SEV_BLOCK] || n[SEV_REVIEW])
        rc = xv_fail(XV_ENEEDS, "approval refused: the gate of '%s' in run %lld is %s: %ld block "
                     "and %ld review findings hold (first: %s); review them first", app, r->id,
                     gate_name(gate_of(n)), n[SEV_BLOCK], n[SEV_REVIEW], why.s);
done:
    policy_free(&pol);
    sbuf_free(&why);
    return rc < 0 ? rc : 0;
}

/* LEVEL must be the next level to sign off since the status STATUS_SEQ began. */
static int level_in_turn(sqlite3 *db, const char *app, int level, long long status_seq)
{
    long long done_levels = 0;
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", status_seq);
    int rc = store_int(db, "SELECT count(*) FROM approvals WHERE applicant_id=?1 AND "
                           "status_seq=CAST(?2 AS INTEGER)", app, seq, &done_levels);
    if (rc < 0)
        return rc;
    if (level < done_levels)
        return xv_fail(XV_ENEEDS, "approval refused: '%s' is already approved at %s level", app,
                       levels[level]);
    if (level > done_levels)
        return xv_fail(XV_ENEEDS, "approval refused: '%s' needs its %s approval first (order: "
                       "grassroots, county, city)", app, levels[done_levels]);
    return 0;
}

static int record_approval(sqlite3 *db, const char *app, int level, const char *by,
                           long long run_id, long long status_seq)
{
    sqlite3_stmt *st = NULL;
    char at[21];
    utc_now(at);
    int rc = store_prepare(db, "INSERT INTO approvals(applicant_id,level,by,run_id,status_seq,at)"
                               " VALUES(?,?,?,?,?,?)", &st);
    if (rc < 0)
        return rc;
    if (store_bind(st, "tttiit", app, levels[level], by, run_id, status_seq, at) < 0 ||
        sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording the approval");
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    struct sbuf d = SBUF_INIT;
    sbuf_addf(&d, "%s level by %s, gate CLEAR in run %lld", levels[level], by, run_id);
    rc = audit_append(db, "approve", app, d.s);
    sbuf_free(&d);
    return rc;
}

static int take_county(void *ctx, const struct gate_row *g)
{
    snprintf(ctx, 16, "%s", g->county);
    return 0;
}

int approve(sqlite3 *db, const char *app, int level, const char *by, struct approval *out)
{
    struct run r = { 0 };
    char status[32], today[11];
    long long status_seq = 0;
    int rc, in_tx = 0;
    memset(out, 0, sizeof *out);
    today_iso(today);
    if ((rc = store_begin(db)) < 0)
        return rc;
    in_tx = 1;
    if ((rc = status_at(db, app, today, status, &status_seq)) <= 0) {
        rc = rc < 0 ? rc : xv_fail(XV_EUSAGE, "no application '%s'", app);
        goto done;
    }
    if (strcmp(status, "applied")) {
        rc = xv_fail(XV_ENEEDS, "approval refused: application '%s' has status '%s'; only "
                     "applied applications are approved", app, status);
        goto done;
    }
    char county[16] = "";
    if ((rc = gating_run(db, app, &r)) < 0 ||
        (rc = gates_each(db, r.id, app, take_county, county)) < 0)
        goto done;
    struct reviewer_act act = { by, level, county, "approval" };
    if ((rc = reviewer_check(db, &act)) < 0 ||
        (rc = level_in_turn(db, app, level, status_seq)) < 0 ||
        (rc = record_approval(db, app, level, by, r.id, status_seq)) < 0)
        goto done;
    out->run_id = r.id;
    if (level == LEVEL_CITY) {
        /* public notice from today; archived when it ends (notice.days of the run's policy) */
        memcpy(out->notice_from, today, sizeof today);
        add_days(today, (int)r.pol.v[P_NOTICE_DAYS], out->archived_from);
        if ((rc = status_add(db, app, "notice", today, "city approval")) < 0 ||
            (rc = status_add(db, app, "archived", out->archived_from, "public notice ended")) < 0)
            goto done;
    }
    if ((rc = store_commit(db)) < 0)
        goto done;
    in_tx = 0;
done:
    if (in_tx)
        store_rollback(db);
    run_free(&r);
    return rc;
}
