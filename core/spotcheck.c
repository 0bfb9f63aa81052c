/* spotcheck.c: recording and reading spot-check samples and their field results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "spotcheck.h"
#include "store.h"
#include "util.h"

void spot_sample_free(struct spot_sample *s)
{
    free(s->seed);
    free(s->by);
    s->seed = s->by = NULL;
}

int spot_sample_add(sqlite3 *db, struct spot_sample *s, char *const *apps, long n)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "INSERT INTO samples(county_code,status,requested,drawn,seed,by,"
                               "on_date,at) VALUES(?,?,?,?,?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ',"
                               "'now')) RETURNING id, at", &st);
    if (rc < 0)
        return rc;
    s->drawn = n;
    if (store_bind(st, "ttiittt", s->county, s->status, s->requested, s->drawn, s->seed, s->by,
                   s->on) < 0 || sqlite3_step(st) != SQLITE_ROW) {
        rc = store_err(db, "recording the sample");
        goto done;
    }
    s->id = sqlite3_column_int64(st, 0);
    snprintf(s->at, sizeof s->at, "%s", sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = store_prepare(db, "INSERT INTO sample_members(sample_id,ord,applicant_id) "
                                "VALUES(?,?,?)", &st)) < 0)
        goto done;
    for (long i = 0; i < n; i++) {
        sqlite3_reset(st);
        if (store_bind(st, "iit", s->id, (long long)i + 1, apps[i]) < 0 ||
            sqlite3_step(st) != SQLITE_DONE) {
            rc = store_err(db, "recording the sample");
            goto done;
        }
    }
done:
    sqlite3_finalize(st);
    return rc;
}

int spot_sample_get(sqlite3 *db, long long id, struct spot_sample *s)
{
    sqlite3_stmt *st = NULL;
    memset(s, 0, sizeof *s);
    int rc = store_prepare(db, "SELECT county_code, status, requested, drawn, seed, by, on_date, "
                               "at FROM samples WHERE id=?", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        s->id = id;
        snprintf(s->county, sizeof s->county, "%s", sqlite3_column_text(st, 0));
        snprintf(s->status, sizeof s->status, "%s", sqlite3_column_text(st, 1));
        s->requested = sqlite3_column_int64(st, 2);
        s->drawn = sqlite3_column_int64(st, 3);
        s->seed = xstrdup((const char *)sqlite3_column_text(st, 4));
        s->by = xstrdup((const char *)sqlite3_column_text(st, 5));
        snprintf(s->on, sizeof s->on, "%s", sqlite3_column_text(st, 6));
        snprintf(s->at, sizeof s->at, "%s", sqlite3_column_text(st, 7));
    } else if (r == SQLITE_DONE) {
        rc = xv_fail(XV_EUSAGE, "there is no sample %lld", id);
    } else {
        rc = store_err(db, "reading the sample");
    }
    sqlite3_finalize(st);
    return rc;
}

/* 1 when SQL (?1 an integer, ?2 text) has a row, 0 when not. */
static int exists(sqlite3 *db, const char *sql, long long id, const char *app)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, app);
    int r = sqlite3_step(st);
    rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : store_err(db, "reading spot checks");
    sqlite3_finalize(st);
    return rc;
}

int spot_sample_has(sqlite3 *db, long long id, const char *app)
{
    return exists(db, "SELECT 1 FROM sample_members WHERE sample_id=?1 AND applicant_id=?2", id,
                  app);
}

int spot_result_has(sqlite3 *db, long long sample, const char *app)
{
    return exists(db, "SELECT 1 FROM spotchecks WHERE sample_id=?1 AND applicant_id=?2", sample,
                  app);
}

int spot_result_add(sqlite3 *db, long long sample, const char *app, const char *result,
                    const char *by, const char *note)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "INSERT INTO spotchecks(sample_id,applicant_id,result,by,note,at) "
                               "VALUES(?,?,?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ','now'))", &st);
    if (rc < 0)
        return rc;
    if (store_bind(st, "ittt", sample, app, result, by) < 0 ||
        store_bind_text(st, 5, note ? note : "") < 0 || sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording the spot check");
    sqlite3_finalize(st);
    return rc;
}

int spot_last_seq(sqlite3 *db, long long *seq, long long *sample)
{
    *seq = *sample = 0;
    int rc = store_int(db, "SELECT ifnull(max(seq), 0) FROM spotchecks", NULL, NULL, seq);
    if (rc >= 0)
        rc = store_int(db, "SELECT ifnull(max(id), 0) FROM samples", NULL, NULL, sample);
    return rc < 0 ? rc : 0;
}

int spot_figures(sqlite3 *db, long long sample, long long seq, const char *month, figure_fn fn,
                 void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
        "SELECT s.county_code, 'drawn', count(*) FROM samples s JOIN sample_members m ON "
        "m.sample_id = s.id WHERE s.id <= ?1 AND substr(s.on_date, 1, 7) = ?3 GROUP BY 1 "
        "UNION ALL SELECT s.county_code, 'done', count(*) FROM spotchecks c JOIN samples s ON "
        "s.id = c.sample_id WHERE c.seq <= ?2 AND substr(c.at, 1, 7) = ?3 GROUP BY 1 "
        "UNION ALL SELECT s.county_code, 'failed', count(*) FROM spotchecks c JOIN samples s ON "
        "s.id = c.sample_id WHERE c.seq <= ?2 AND substr(c.at, 1, 7) = ?3 AND c.result = "
        "'fail' GROUP BY 1 ORDER BY 1, 2", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, sample);
    sqlite3_bind_int64(st, 2, seq);
    store_bind_text(st, 3, month);
    rc = store_figures(db, st, fn, ctx, "reading spot checks");
    sqlite3_finalize(st);
    return rc;
}

int spot_latest_stmt(sqlite3 *db, sqlite3_stmt **st)
{
    return store_prepare(db, "SELECT sample_id, result, by, at, note FROM spotchecks WHERE "
                             "applicant_id=?1 AND seq<=?2 ORDER BY seq DESC LIMIT 1", st);
}
