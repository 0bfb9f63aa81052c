/* status.c: reading and recording an application's dated status changes. */
#include <stdio.h>
#include "audit.h"
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
