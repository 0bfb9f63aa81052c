/* status.c: reading and recording an application's dated status changes. */
#include <stdio.h>
#include "audit.h"
#include "run.h"
#include "status.h"
#include "store.h"
#include "util.h"

int status_at(sqlite3 *db, const char *app, const char *date, char status[32], long long *seq)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT seq, status FROM app_status WHERE applicant_id=?1 "
                               "AND from_date<=?2 ORDER BY seq DESC LIMIT 1", &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, app);
    store_bind_text(st, 2, date);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        snprintf(status, 32, "%s", sqlite3_column_text(st, 1));
        rc = 1;
    } else if (s != SQLITE_DONE) {
        rc = store_err(db, "reading the status");
    }
    sqlite3_finalize(st);
    return rc;
}

int status_add(sqlite3 *db, const char *app, const char *status, const char *from,
               const char *source)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "INSERT INTO app_status(applicant_id,status,from_date,source) "
                               "VALUES(?,?,?,?)", &st);
    if (rc < 0)
        return rc;
    const char *v[] = { app, status, from, source };
    for (int i = 0; i < 4; i++)
        store_bind_text(st, i + 1, v[i]);
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

int status_from_load(sqlite3 *db, long long load, const char *as_of)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "INSERT INTO app_status(applicant_id,status,from_date,load_id,"
                               "source) SELECT a.applicant_id, a.status, ?1, ?2, 'load' FROM "
                               "applicant a WHERE a.load_id=?2 AND NOT EXISTS (SELECT 1 FROM "
                               "app_status s WHERE s.applicant_id=a.applicant_id) "
                               "ORDER BY a.rid", &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, as_of);
    sqlite3_bind_int64(st, 2, load);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording statuses");
    sqlite3_finalize(st);
    return rc;
}

int status_last_seq(sqlite3 *db, long long *seq)
{
    int rc = store_int(db, "SELECT ifnull(max(seq), 0) FROM app_status", NULL, NULL, seq);
    return rc < 0 ? rc : 0;
}

int status_from_date(sqlite3 *db, long long seq, char from[11])
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT from_date FROM app_status WHERE seq=?", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, seq);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(from, 11, "%s", sqlite3_column_text(st, 0));
    else
        rc = store_err(db, "reading a status");
    sqlite3_finalize(st);
    return rc;
}

int status_figures(sqlite3 *db, long long load, long long seq, const char *on,
                   const char *month, figure_fn fn, void *ctx)
{
    static const char *const sql[] = {
        "SELECT a.county_code, " STATUS_AS_OF("a.applicant_id", "?2", "?3") " AS s, count(*) "
        "FROM applicant a WHERE " RUN_VISIBLE("applicant", "a", "?1") " GROUP BY 1, 2 "
        "HAVING s IS NOT NULL ORDER BY 1, 2",
        "SELECT a.county_code, CASE WHEN s.status = 'notice' AND s.source LIKE 'entry:%' THEN "
        "'approvals' WHEN s.source LIKE '%: objection by %' THEN 'objections' WHEN s.status = "
        "'exited' AND s.source <> 'load' THEN 'exits' WHEN s.status = 'relieved' AND s.source "
        "<> 'load' THEN 'reliefs' END AS f, count(*) FROM app_status s JOIN applicant a ON "
        "a.applicant_id = s.applicant_id AND " RUN_VISIBLE("applicant", "a", "?1") " WHERE "
        "s.seq <= ?2 AND s.from_date <= ?3 AND substr(s.from_date, 1, 7) = ?4 GROUP BY 1, 2 "
        "HAVING f IS NOT NULL ORDER BY 1, 2",
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st = NULL;
        if ((rc = store_prepare(db, sql[i], &st)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, load);
        sqlite3_bind_int64(st, 2, seq);
        store_bind_text(st, 3, on);
        if (sqlite3_bind_parameter_count(st) >= 4)
            store_bind_text(st, 4, month);
        rc = store_figures(db, st, fn, ctx, "reading statuses");
        sqlite3_finalize(st);
    }
    return rc;
}

int status_notices(sqlite3 *db, long long load, long long seq, const char *on,
                   int (*fn)(void *ctx, const struct status_notice *n), void *ctx)
{
    sqlite3_stmt *st = NULL;
    /* the newest change in force is the notice; the one recorded with it (seq + 1) is the new
     * status, from the day after the notice ends */
    int rc = store_prepare(db,
        "SELECT a.applicant_id, a.county_code, a.name, ifnull(a.hardship_reason, ''), "
        "substr(s.source, 1, instr(s.source, ':') - 1), s.from_date, "
        "ifnull((SELECT date(t.from_date, '-1 day') FROM app_status t WHERE t.seq = s.seq + 1 "
        "AND t.applicant_id = s.applicant_id AND t.seq <= ?2), s.from_date) "
        "FROM applicant a JOIN app_status s ON s.seq = (SELECT x.seq FROM app_status x WHERE "
        "x.applicant_id = a.applicant_id AND x.seq <= ?2 AND x.from_date <= ?3 ORDER BY x.seq "
        "DESC LIMIT 1) WHERE " RUN_VISIBLE("applicant", "a", "?1") " AND s.status = 'notice' "
        "ORDER BY a.county_code, a.applicant_id", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, load);
    sqlite3_bind_int64(st, 2, seq);
    store_bind_text(st, 3, on);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct status_notice n;
        const char **f[] = { &n.app, &n.county, &n.name, &n.reason, &n.procedure, &n.from,
                             &n.to };
        for (int i = 0; i < 7; i++)
            *f[i] = (const char *)sqlite3_column_text(st, i);
        if ((rc = fn(ctx, &n)) < 0)
            break;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = store_err(db, "reading the notices");
    sqlite3_finalize(st);
    return rc;
}
