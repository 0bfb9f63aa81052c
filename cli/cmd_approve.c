/* cmd_approve.c: "xverify approve APPLICANT": grassroots, county, city approval, then public notice. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../core/audit.h"
#include "cmd.h"
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/policy.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"

static const char *const levels[] = { "grassroots", "county", "city" };

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

/* Why run R cannot gate an approval now: a newer load of some kind. */
static int run_is_current(sqlite3 *db, const struct run *r, struct sbuf *why)
{
    for (int i = 0; i < xv_nkinds; i++) {
        long long newest = 0;
        int rc = store_int(db, "SELECT ifnull(max(id), 0) FROM loads WHERE kind=?1",
                           xv_kinds[i].name, NULL, &newest);
        if (rc < 0)
            return rc;
        if (newest > r->load_of[i]) {
            sbuf_addf(why, "run %lld is older than load %lld of '%s': run 'xverify match' first",
                      r->id, newest, xv_kinds[i].name);
            return 0;
        }
    }
    return 1;
}

/* The findings of run R on APP that still hold now (not dismissed with the same evidence). */
static int open_findings(sqlite3 *db, const struct run *r, const char *app, long n[3],
                         struct sbuf *first)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
        "SELECT f.severity, f.rule, f.fingerprint FROM findings f WHERE f.run_id=?1 AND "
        "f.applicant_id=?2 AND ifnull((SELECT d.decision FROM decisions d WHERE "
        "d.fingerprint=f.fingerprint AND d.evidence=f.evidence ORDER BY d.seq DESC LIMIT 1), "
        "'open') <> 'dismissed' ORDER BY f.severity, f.rule, f.fingerprint", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_text(st, 2, app, -1, SQLITE_STATIC);
    int s;
    n[0] = n[1] = n[2] = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *sev = (const char *)sqlite3_column_text(st, 0);
        int i = !strcmp(sev, "block") ? 0 : !strcmp(sev, "review") ? 1 : 2;
        n[i]++;
        if (i < 2 && !first->len)
            sbuf_addf(first, "%s %s", sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? 0 : store_err(db, "reading findings");
}

static int add_status(sqlite3 *db, const char *app, const char *status, const char *from,
                      const char *source)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "INSERT INTO app_status(applicant_id,status,from_date,source) "
                               "VALUES(?,?,?,?)", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording a status");
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    struct sbuf d = SBUF_INIT;
    sbuf_addf(&d, "%s from %s (%s)", status, from, source);
    rc = audit_append(db, "status", app, d.s);
    sbuf_free(&d);
    return rc;
}

int cmd_approve(int argc, char **argv, struct xv_ctx *ctx)
{
    static const struct option opts[] = {
        { "level", required_argument, NULL, 'l' },
        { "by", required_argument, NULL, 'b' },
        { NULL, 0, NULL, 0 },
    };
    const char *by = NULL, *level_s = NULL;
    int c, rc, in_tx = 0, level = -1;
    sqlite3 *db = NULL;
    struct run r = { 0 };
    struct sbuf why = SBUF_INIT;
    char status[32], today[11];
    long long run_id = 0, status_seq = 0, done_levels = 0;
    while ((c = xv_getopt(ctx, "approve", argc, argv, opts)) != -1) {
        switch (c) {
        case 'l': level_s = optarg; break;
        case 'b': by = optarg; break;
        case XV_OPT_HELP:
            return 0;
        default:
            return XV_EUSAGE;
        }
    }
    if (argc - optind != 1)
        return xv_usage("approve", "expected one APPLICANT");
    const char *app = argv[optind];
    for (int i = 0; i < 3 && level_s; i++)
        if (!strcmp(level_s, levels[i]))
            level = i;
    if (level < 0)
        return xv_usage("approve", "--level must be grassroots, county or city");
    if (!by || !*by)
        return xv_usage("approve", "--by NAME is required");
    today_iso(today);
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = store_begin(db)) < 0)
        return rc;
    in_tx = 1;
    /* the application's status today: its latest change in force */
    {
        sqlite3_stmt *st = NULL;
        if ((rc = store_prepare(db, "SELECT seq, status FROM app_status WHERE applicant_id=?1 "
                                    "AND from_date<=?2 ORDER BY seq DESC LIMIT 1", &st)) < 0)
            goto done;
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            status_seq = sqlite3_column_int64(st, 0);
            snprintf(status, sizeof status, "%s", sqlite3_column_text(st, 1));
        } else if (s == SQLITE_DONE) {
            rc = xv_fail(XV_EUSAGE, "no application '%s'", app);
        } else {
            rc = store_err(db, "reading the status");
        }
        sqlite3_finalize(st);
        if (rc < 0)
            goto done;
    }
    if (strcmp(status, "applied")) {
        rc = xv_fail(XV_ENEEDS, "approval refused: application '%s' has status '%s'; only "
                     "applied applications are approved", app, status);
        goto done;
    }
    if ((rc = store_int(db, "SELECT ifnull(max(run_id), 0) FROM gates WHERE applicant_id=?1", app,
                        NULL, &run_id)) < 0)
        goto done;
    if (run_id == 0) {
        rc = xv_fail(XV_ENEEDS, "approval refused: no run has checked application '%s' yet: "
                     "run 'xverify match' first", app);
        goto done;
    }
    if ((rc = run_open(db, run_id, &r)) < 0)
        goto done;
    if ((rc = run_is_current(db, &r, &why)) < 0)
        goto done;
    if (rc == 0) {
        rc = xv_fail(XV_ENEEDS, "approval refused: %s", why.s);
        goto done;
    }
    long n[3];
    if ((rc = open_findings(db, &r, app, n, &why)) < 0)
        goto done;
    if (n[0] || n[1]) {
        rc = xv_fail(XV_ENEEDS, "approval refused: the gate of '%s' in run %lld is %s: %ld block "
                     "and %ld review findings hold (first: %s); review them first", app, r.id,
                     n[0] ? "BLOCK" : "REVIEW", n[0], n[1], why.s);
        goto done;
    }
    /* the levels approved since the application's current status began */
    {
        sqlite3_stmt *st = NULL;
        if ((rc = store_prepare(db, "SELECT count(*) FROM approvals WHERE applicant_id=? AND "
                                    "status_seq=?", &st)) < 0)
            goto done;
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, status_seq);
        if (sqlite3_step(st) == SQLITE_ROW)
            done_levels = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (level < done_levels) {
        rc = xv_fail(XV_ENEEDS, "approval refused: '%s' is already approved at %s level", app,
                     levels[level]);
        goto done;
    }
    if (level > done_levels) {
        rc = xv_fail(XV_ENEEDS, "approval refused: '%s' needs its %s approval first (order: "
                     "grassroots, county, city)", app, levels[done_levels]);
        goto done;
    }
    {
        sqlite3_stmt *st = NULL;
        char at[21];
        utc_now(at);
        if ((rc = store_prepare(db, "INSERT INTO approvals(applicant_id,level,by,run_id,"
                                    "status_seq,at) VALUES(?,?,?,?,?,?)", &st)) < 0)
            goto done;
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, levels[level], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, r.id);
        sqlite3_bind_int64(st, 5, status_seq);
        sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store_err(db, "recording the approval");
        sqlite3_finalize(st);
        if (rc < 0)
            goto done;
    }
    struct sbuf d = SBUF_INIT;
    sbuf_addf(&d, "%s level by %s, gate CLEAR in run %lld", levels[level], by, r.id);
    rc = audit_append(db, "approve", app, d.s);
    sbuf_free(&d);
    if (rc < 0)
        goto done;
    char end[11] = "";
    if (level == 2) {
        /* public notice from today; archived when it ends (notice.days of the run's policy) */
        add_days(today, (int)r.pol.v[P_NOTICE_DAYS], end);
        if ((rc = add_status(db, app, "notice", today, "city approval")) < 0 ||
            (rc = add_status(db, app, "archived", end, "public notice ended")) < 0)
            goto done;
    }
    if ((rc = store_commit(db)) < 0)
        goto done;
    in_tx = 0;
    printf("%s: approved at %s level by %s (gate CLEAR in run %lld)\n", app, levels[level], by,
           r.id);
    if (level == 2)
        printf("%s: public notice from %s; archived from %s\n", app, today, end);
    else
        printf("%s: next: %s approval\n", app, levels[level + 1]);
done:
    if (in_tx)
        store_rollback(db);
    run_free(&r);
    sbuf_free(&why);
    return rc;
}
