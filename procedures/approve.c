/* approve.c: a sign-off at one level of a procedure (entry, exit, relief): the application's
 * status, the findings it rests on, the order of the levels, the public notice after the
 * city's. */
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

/* The procedures (workflow.md): the status they start from and lead to, and how a refusal
 * names the act. */
const struct procedure procedures[PROC_COUNT] = {
    [PROC_ENTRY] = { "entry", "applied", "archived", "approval", "approved" },
    [PROC_EXIT] = { "exit", "archived", "exited", "exit sign-off", "signed off for exit" },
    [PROC_RELIEF] = { "relief", "archived", "relieved", "relief sign-off",
                      "signed off for relief" },
};

/* The reasons a relief may give (workflow.md). */
static const char *const relief_reasons[] = { "丧失劳动能力", "重病难愈", "其他" };

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


void add_days(const char *date, int days, char out[11])
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
static int gating_run(sqlite3 *db, int proc, const char *app, struct run *r)
{
    const char *what = procedures[proc].what;
    struct finding_run f = { db, 0, 0 };
    struct policy pol = { 0 };
    struct sbuf why = SBUF_INIT;
    long n[SEV_COUNT];
    int rc = gates_runs_of(db, app, take_official, &f);
    if (rc < 0)
        return rc;
    if (f.official == 0) {
        rc = f.any ? xv_fail(XV_ENEEDS, "%s refused: only trial runs have checked "
                             "application '%s' (the latest: run %lld); an official run "
                             "('xverify match' without --policy or --as-of) must", what, app,
                             f.any)
                   : xv_fail(XV_ENEEDS, "%s refused: no run has checked application "
                             "'%s' yet: run 'xverify match' first", what, app);
        goto done;
    }
    if ((rc = run_open(db, f.official, r)) < 0 || (rc = run_is_current(db, r, &why)) < 0)
        goto done;
    if (rc == 0) {
        rc = xv_fail(XV_ENEEDS, "%s refused: %s", what, why.s);
        goto done;
    }
    if ((rc = official_policy(db, &pol, NULL)) < 0)
        goto done;
    if (strcmp(pol.sha256, r->pol.sha256)) {
        rc = xv_fail(XV_ENEEDS, "%s refused: run %lld used policy %.12s, and the official "
                     "policy is now %.12s: run 'xverify match' first", what, r->id,
                     r->pol.sha256, pol.sha256);
        goto done;
    }
    /* the findings, gates and decisions the gate rests on must be those the trail vouches
     * for: the trail is checked beside the reading of them (nothing is written before), and
     * its failure is the one returned */
    struct audit_check check;
    if ((rc = audit_check_start(db, &check)) < 0)
        goto done;
    rc = findings_check_digest(db, r, proc == PROC_ENTRY ? "approval refused"
                                      : proc == PROC_EXIT ? "exit sign-off refused"
                                                          : "relief sign-off refused");
    if (rc == 0)
        rc = findings_in_force(db, r->id, app, r->pol.v[P_DECISION_TOLERANCE], n, &why);
    int trail = audit_check_finish(&check);
    if (trail < 0 || rc < 0) {
        rc = trail < 0 ? trail : rc;
        goto done;
    }
    if (proc == PROC_ENTRY && (n[SEV_BLOCK] || n[SEV_REVIEW])) {
        rc = xv_fail(XV_ENEEDS, "approval refused: the gate of '%s' in run %lld is %s: %ld block "
                     "and %ld review findings hold (first: %s); review them first", app, r->id,
                     gate_name(gate_of(n)), n[SEV_BLOCK], n[SEV_REVIEW], why.s);
    } else if (proc != PROC_ENTRY && n[SEV_BLOCK]) {
        rc = xv_fail(XV_ENEEDS, "%s refused: %ld block findings hold on '%s' in run %lld "
                     "(first: %s); review them first", what, n[SEV_BLOCK], app, r->id, why.s);
    } else if (proc == PROC_EXIT) {
        int holds = findings_rule_in_force(db, r->id, app, "EXIT_ELIGIBLE",
                                           r->pol.v[P_DECISION_TOLERANCE]);
        if (holds == 0)
            rc = xv_fail(XV_ENEEDS, "exit sign-off refused: run %lld finds no EXIT_ELIGIBLE in "
                         "force on '%s': its family is not shown above the standard for "
                         "long enough", r->id, app);
        else if (holds < 0)
            rc = holds;
    }
done:
    policy_free(&pol);
    sbuf_free(&why);
    return rc < 0 ? rc : 0;
}

/* Sign-offs of APP since its status STATUS_SEQ began: of procedure PROC into *MINE, of
 * another procedure into *OTHER. */
static int signoffs(sqlite3 *db, const char *app, int proc, long long status_seq,
                    long long *mine, long long *other)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT ifnull(sum(procedure = ?3), 0), ifnull(sum(procedure <> "
                               "?3), 0) FROM approvals WHERE applicant_id=?1 AND status_seq=?2",
                           &st);
    if (rc < 0)
        return rc;
    store_bind(st, "tit", app, status_seq, procedures[proc].name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *mine = sqlite3_column_int64(st, 0);
        *other = sqlite3_column_int64(st, 1);
    } else {
        rc = store_err(db, "reading sign-offs");
    }
    sqlite3_finalize(st);
    return rc;
}

/* LEVEL must be the next level of PROC to sign off since the status STATUS_SEQ began, and no
 * other procedure may be under way. */
static int level_in_turn(sqlite3 *db, int proc, const char *app, int level,
                         long long status_seq)
{
    long long done_levels = 0, other = 0;
    const char *what = procedures[proc].what;
    int rc = signoffs(db, app, proc, status_seq, &done_levels, &other);
    if (rc < 0)
        return rc;
    if (other)
        return xv_fail(XV_ENEEDS, "%s refused: another procedure of '%s' is under way (%lld "
                       "sign-offs)", what, app, other);
    if (level < done_levels)
        return xv_fail(XV_ENEEDS, "%s refused: '%s' is already %s at %s level", what, app,
                       procedures[proc].done, levels[level]);
    if (level > done_levels)
        return xv_fail(XV_ENEEDS, "%s refused: '%s' needs its %s %s first (order: "
                       "grassroots, county, city)", what, app, levels[done_levels],
                       proc == PROC_ENTRY ? "approval" : "sign-off");
    return 0;
}

int signoff_record(sqlite3 *db, int proc, const char *app, int level, const char *by,
                   long long run_id, long long status_seq, const char *reason)
{
    sqlite3_stmt *st = NULL;
    char at[21];
    utc_now(at);
    int rc = store_prepare(db, "INSERT INTO approvals(applicant_id,level,by,run_id,status_seq,at,"
                               "procedure,reason) VALUES(?,?,?,?,?,?,?,?)", &st);
    if (rc < 0)
        return rc;
    if (store_bind(st, "tttiittt", app, levels[level], by, run_id, status_seq, at,
                   procedures[proc].name, reason) < 0 ||
        sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording the sign-off");
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    struct sbuf d = SBUF_INIT;
    sbuf_addf(&d, "%s level by %s, run %lld", levels[level], by, run_id);
    if (*reason)
        sbuf_addf(&d, ": %s", reason);
    rc = audit_append(db, proc == PROC_ENTRY ? "approve" : procedures[proc].name, app, d.s);
    sbuf_free(&d);
    return rc;
}

static int take_county(void *ctx, const struct gate_row *g)
{
    snprintf(ctx, 16, "%s", g->county);
    return 0;
}

int signoff(sqlite3 *db, int proc, const char *app, int level, const char *by,
            const char *reason, struct approval *out)
{
    const struct procedure *p = &procedures[proc];
    struct run r = { 0 };
    char status[32], today[11];
    long long status_seq = 0;
    int rc, in_tx = 0;
    memset(out, 0, sizeof *out);
    today_iso(today);
    if (proc == PROC_RELIEF) {
        /* the code, alone or followed by ": " and a note */
        size_t i = 0, n = sizeof relief_reasons / sizeof *relief_reasons;
        for (; i < n; i++) {
            size_t l = strlen(relief_reasons[i]);
            if (!strncmp(reason, relief_reasons[i], l) &&
                (!reason[l] || !strncmp(reason + l, ": ", 2)))
                break;
        }
        if (i == n)
            return xv_fail(XV_EUSAGE, "relieve: --reason must be 丧失劳动能力, 重病难愈 or 其他");
    }
    if ((rc = store_begin(db)) < 0)
        return rc;
    in_tx = 1;
    if ((rc = status_at(db, app, today, status, &status_seq)) <= 0) {
        rc = rc < 0 ? rc : xv_fail(XV_EUSAGE, "no application '%s'", app);
        goto done;
    }
    if (strcmp(status, p->from)) {
        rc = xv_fail(XV_ENEEDS, "%s refused: application '%s' has status '%s'; the %s procedure "
                     "starts from '%s'", p->what, app, status, p->name, p->from);
        goto done;
    }
    char county[16] = "";
    if ((rc = gating_run(db, proc, app, &r)) < 0 ||
        (rc = gates_each(db, r.id, app, take_county, county)) < 0)
        goto done;
    struct reviewer_act act = { by, level, county, p->what };
    if ((rc = reviewer_check(db, &act)) < 0 ||
        (rc = level_in_turn(db, proc, app, level, status_seq)) < 0 ||
        (rc = signoff_record(db, proc, app, level, by, r.id, status_seq, reason)) < 0)
        goto done;
    out->run_id = r.id;
    if (level == LEVEL_CITY) {
        /* public notice of notice.days calendar days from the day after the city's sign-off;
         * the new status from the day after it ends */
        char source[64];
        int days = (int)r.pol.v[P_NOTICE_DAYS];
        add_days(today, 1, out->notice_from);
        add_days(today, days, out->notice_to);
        add_days(today, days + 1, out->status_from);
        out->status = p->to;
        snprintf(source, sizeof source, "%s: city sign-off", p->name);
        if ((rc = status_add(db, app, "notice", out->notice_from, source)) < 0)
            goto done;
        snprintf(source, sizeof source, "%s: public notice ended", p->name);
        if ((rc = status_add(db, app, p->to, out->status_from, source)) < 0)
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

int approve(sqlite3 *db, const char *app, int level, const char *by, struct approval *out)
{
    return signoff(db, PROC_ENTRY, app, level, by, "", out);
}
