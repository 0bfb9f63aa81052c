/* loads.c: the loads table: what was loaded, when, from which file, and what it did. */

#include <stdio.h>
#include <string.h>
#include "err.h"
#include "loads.h"
#include "store.h"

int loads_add(sqlite3 *db, const struct load_row *l, long long *id)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "INSERT INTO loads(kind,file,sha256,map_sha256,as_of,format,"
                               "encoding,loaded_at) VALUES(?,?,?,?,?,?,?,"
                               "strftime('%Y-%m-%dT%H:%M:%SZ','now'))", &st);
    if (rc < 0)
        return rc;
    if (store_bind(st, "ttttttt", l->kind, l->file, l->sha256, l->map_sha256, l->as_of,
                   l->format, l->encoding) < 0 || sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording the load");
    else
        *id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    return rc;
}

int loads_set_counts(sqlite3 *db, long long id, const struct load_counts *c)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "UPDATE loads SET rows_read=?,rows_added=?,rows_unchanged=?,"
                               "rows_closed=?,rows_duplicate=?,rows_quarantined=?,"
                               "unknown_columns=? WHERE id=?", &st);
    if (rc < 0)
        return rc;
    if (store_bind(st, "iiiiiiti", (long long)c->read, (long long)c->added,
                   (long long)c->unchanged, (long long)c->closed, (long long)c->duplicate,
                   (long long)c->quarantined, c->unknown_columns, id) < 0 ||
        sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording the load");
    sqlite3_finalize(st);
    return rc;
}

int loads_set_sha256(sqlite3 *db, long long id, const char *sha256)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "UPDATE loads SET sha256=? WHERE id=?", &st);
    if (rc < 0)
        return rc;
    if (store_bind(st, "ti", sha256, id) < 0 || sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording the file's hash");
    sqlite3_finalize(st);
    return rc;
}

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

int loads_get(sqlite3 *db, long long id, struct load_row *l)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT kind, file, sha256, map_sha256, as_of, format, encoding "
                               "FROM loads WHERE id=?", &st), s;
    if (rc < 0)
        return rc;
    memset(l, 0, sizeof *l);
    sqlite3_bind_int64(st, 1, id);
    if ((s = sqlite3_step(st)) == SQLITE_ROW) {
        rc = 1;
        l->id = id;
        copy_col(st, 0, l->kind, sizeof l->kind);
        copy_col(st, 1, l->file, sizeof l->file);
        copy_col(st, 2, l->sha256, sizeof l->sha256);
        copy_col(st, 3, l->map_sha256, sizeof l->map_sha256);
        copy_col(st, 4, l->as_of, sizeof l->as_of);
        copy_col(st, 5, l->format, sizeof l->format);
        copy_col(st, 6, l->encoding, sizeof l->encoding);
    } else {
        rc = s == SQLITE_DONE ? 0 : store_err(db, "reading the loads");
    }
    sqlite3_finalize(st);
    return rc;
}

int loads_newest_other(sqlite3 *db, const char *kind, long long exclude, struct load_row *l)
{
    sqlite3_stmt *st = NULL;
    long long id = 0;
    int rc = store_prepare(db, "SELECT id FROM loads WHERE kind=?1 AND id<>?2 ORDER BY id DESC "
                               "LIMIT 1", &st), s;
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, exclude);
    if ((s = sqlite3_step(st)) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    else if (s != SQLITE_DONE)
        rc = store_err(db, "reading the loads");
    sqlite3_finalize(st);
    memset(l, 0, sizeof *l);
    return rc < 0 || !id ? rc : loads_get(db, id, l);
}

int loads_find_same(sqlite3 *db, const char *kind, const char *sha256, const char *map_sha256,
                    long long *id, char as_of[11])
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT id, as_of FROM loads WHERE kind=? AND sha256=? AND "
                               "map_sha256=? ORDER BY id LIMIT 1", &st);
    if (rc < 0)
        return rc;
    *id = 0;
    store_bind(st, "ttt", kind, sha256, map_sha256);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        copy_col(st, 1, as_of, 11);
    } else if (s != SQLITE_DONE) {
        rc = store_err(db, "looking up earlier loads");
    }
    sqlite3_finalize(st);
    return rc;
}

int loads_newest(sqlite3 *db, const char *kind, long long *id, char as_of[11])
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT ifnull(max(id), 0), ifnull(max(as_of), '') FROM loads "
                               "WHERE ?1 IS NULL OR kind=?1", &st);
    if (rc < 0)
        return rc;
    store_bind(st, "t", kind);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (as_of)
            copy_col(st, 1, as_of, 11);
    } else {
        rc = store_err(db, "reading the loads");
    }
    sqlite3_finalize(st);
    return rc;
}

int loads_open_versions(sqlite3 *db, const char *kind, long long *n)
{
    int rc = store_int(db, "SELECT coalesce(sum(rows_added - rows_closed), 0) FROM loads "
                           "WHERE kind=?1", kind, NULL, n);
    return rc < 0 ? rc : 0;
}

int loads_open_as_of(sqlite3 *db, const char *kind, long long load, long long *n)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT coalesce(sum(rows_added - rows_closed), 0) FROM loads "
                               "WHERE kind=?1 AND id<=?2", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, load);
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        rc = store_err(db, "reading the loads");
    sqlite3_finalize(st);
    return rc;
}

int loads_as_of(sqlite3 *db, const char *as_of, long long horizon,
                int (*fn)(void *ctx, const char *kind, long long id, const char *sha256),
                void *ctx)
{
    sqlite3_stmt *st = NULL;
    /* loads of a kind come in as-of order: the newest as of the date has the largest id */
    int rc = store_prepare(db, "SELECT kind, max(id), sha256 FROM loads WHERE as_of <= ?1 AND "
                               "id <= ?2 GROUP BY kind ORDER BY kind", &st), s;
    if (rc < 0)
        return rc;
    store_bind(st, "ti", as_of, horizon);
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                     (const char *)sqlite3_column_text(st, 2))) < 0)
            break;
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, "reading the loads");
}
