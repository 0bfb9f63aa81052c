/* store.c: opens the SQLite store (its schema is schema.c's), wraps statements and
 * transactions, and reads the ends of record versions. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "err.h"
#include "kinds.h"
#include "schema.h"
#include "store.h"
#include "util.h"

#define BUSY_MS 5000   /* how long a connection waits for another's lock */

/* Whether PATH looks like a read-only copy: the file or its folder is not writable, by its
 * mode bits (which hold for root as well) or for this process. */
static int read_only_copy(const char *path)
{
    struct stat sb;
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    const char *d = slash ? dir : ".";
    int ro = stat(path, &sb) == 0 && (!(sb.st_mode & 0222) || access(path, W_OK) != 0);
    if (!ro)
        ro = stat(d, &sb) == 0 && (!(sb.st_mode & 0222) || access(d, W_OK) != 0);
    free(dir);
    return ro;
}

/* Opens PATH immutable: SQLite reads the main file alone, takes no lock and creates nothing
 * beside it; so it is refused (-1) while a write-ahead log with content lies beside it. */
static int open_immutable(const char *path, sqlite3 **db)
{
    struct sbuf wal = SBUF_INIT, uri = SBUF_INIT;
    struct stat sb;
    sbuf_addf(&wal, "%s-wal", path);
    int busy = stat(wal.s, &sb) == 0 && sb.st_size > 0;
    sbuf_free(&wal);
    if (busy)
        return -1;
    sbuf_adds(&uri, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/._-", *p))
            sbuf_addc(&uri, (char)*p);
        else
            sbuf_addf(&uri, "%%%02X", *p);
    }
    sbuf_adds(&uri, "?immutable=1");
    int s = sqlite3_open_v2(uri.s, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX |
                                           SQLITE_OPEN_URI, NULL);
    sbuf_free(&uri);
    return s;
}

/* Opens PATH read-only: a read-only copy immutable; a live store shared with its writers
 * (SQLite needs the -shm beside a WAL database for that), immutable when it cannot share. */
static int open_readonly(const char *path, sqlite3 **db)
{
    if (read_only_copy(path))
        return open_immutable(path, db);
    int s = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (s == SQLITE_OK && (s = sqlite3_exec(*db, "SELECT count(*) FROM sqlite_schema", NULL, NULL,
                                            NULL)) == SQLITE_OK)
        return SQLITE_OK;
    if ((s & 0xFF) != SQLITE_CANTOPEN && (s & 0xFF) != SQLITE_READONLY)
        return s;
    sqlite3_close(*db);
    *db = NULL;
    return open_immutable(path, db);
}

int store_open(const char *path, int mode, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int rc, create = mode == STORE_CREATE, ro = mode == STORE_READONLY;
    long long appid = 0, ver = 0;
    *out = NULL;
    /* No memory statistics: they take a global mutex on every allocation. This must come
     * before SQLite's first use; later (a second database) it is refused, which is fine. */
    static int configured;
    if (!configured++ && sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        xv_warn("sqlite3 keeps memory statistics (configured too late)");
    /* NOMUTEX: a connection is used by one thread at a time (the loader hands it to its
     * writer thread and takes it back), so SQLite's own per-call locking is not needed */
    int s = ro ? open_readonly(path, &db)
               : sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                                                (create ? SQLITE_OPEN_CREATE : 0), NULL);
    if (s == -1) {
        rc = xv_fail(XV_EIO, "cannot read '%s' read-only: a write-ahead log beside it holds "
                     "changes and SQLite cannot share it here; copy the database after a "
                     "checkpoint, or read it where it can be shared", path);
        goto fail;
    }
    if (s == SQLITE_CANTOPEN && !create && access(path, F_OK) != 0) {
        rc = xv_fail(XV_EUSAGE, "no database at '%s'", path);
        goto fail;
    }
    if (s != SQLITE_OK) {
        rc = xv_fail(store_code(s) == XV_ELOCKED ? XV_ELOCKED : XV_EIO,
                     "cannot open database '%s': %s", path,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(s));
        goto fail;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, BUSY_MS);
    if ((rc = store_int(db, "PRAGMA application_id", NULL, NULL, &appid)) < 0 ||
        (rc = store_int(db, "PRAGMA user_version", NULL, NULL, &ver)) < 0) {
        /* an I/O error is said as it is (exit 5); another process's lock too (a first
         * load holds one under the rollback journal) */
        int e = sqlite3_errcode(db);
        if (rc != XV_EIO && (e == SQLITE_BUSY || e == SQLITE_LOCKED))
            rc = xv_fail(XV_ELOCKED, "the database is locked by another run");
        else if (rc != XV_EIO)
            rc = xv_fail(XV_ELOCKED, "'%s' is not an xverify database", path);
        goto fail;
    }
    if (appid != 0 && appid != STORE_APP_ID) {
        rc = xv_fail(XV_ELOCKED, "'%s' is not an xverify database", path);
        goto fail;
    }
    if (appid == 0 && ver == 0 && !create) {
        /* an empty file is no store: a command that only reads must not make one */
        rc = xv_fail(XV_EUSAGE, "no database at '%s' (the file is empty)", path);
        goto fail;
    }
    if (ver > STORE_SCHEMA_VERSION) {
        rc = xv_fail(XV_ELOCKED, "'%s' has schema version %lld; this xverify knows %d", path, ver,
                     STORE_SCHEMA_VERSION);
        goto fail;
    }
    if (ro) {
        if (ver < STORE_SCHEMA_VERSION) {
            rc = xv_fail(XV_ELOCKED, "'%s' has schema version %lld, older than this xverify's "
                         "%d: a command that writes upgrades it first", path, ver,
                         STORE_SCHEMA_VERSION);
            goto fail;
        }
        *out = db;
        return 0;
    }
    /* 64 KiB pages: the big tables are appended to and scanned, and fewer, larger pages
     * pay: when a first load still went through the WAL (every page written twice), its
     * commit took 4.6 to 5.9 s for 10M household rows with them (5 runs), 5.7 to 8.0 s
     * with 16 KiB pages (4 runs). What a reload changes in place (ends) is in narrow
     * tables, so large pages cost it little. Only takes effect on a new database (before
     * WAL is on). */
    if (appid == 0 && ver == 0 && (rc = store_exec(db, "PRAGMA page_size=65536")) < 0)
        goto fail;
    if ((rc = store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                             " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;")) < 0)
        goto fail;
    if (appid == 0 && ver == 0) {
        long long tables = 0;
        if ((rc = store_int(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, &tables)) < 0)
            goto fail;
        if (tables > 0) {
            rc = xv_fail(XV_ELOCKED, "'%s' is not an xverify database", path);
            goto fail;
        }
        if ((rc = schema_create(db)) < 0)
            goto fail;
    } else if (ver >= 1 && ver < STORE_SCHEMA_VERSION && (rc = schema_upgrade(db, (int)ver)) < 0) {
        goto fail;
    }
    *out = db;
    return 0;
fail:
    sqlite3_close(db);
    return rc;
}

int store_close(sqlite3 *db)
{
    if (!db)
        return 0;
    int s = sqlite3_close(db);
    if (s != SQLITE_OK)
        return xv_fail(XV_EIO, "closing the database: %s", sqlite3_errstr(s));
    return 0;
}

int store_code(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return XV_ELOCKED;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
        return XV_EIO;
    default:
        return XV_ERR;
    }
}

int store_err_set(sqlite3 *db, const char *what)
{
    int code = store_code(sqlite3_extended_errcode(db));
    return xv_error_set(code ? code : XV_ERR, "database: %s: %s", what, sqlite3_errmsg(db));
}

int store_err(sqlite3 *db, const char *what)
{
    int code = store_code(sqlite3_extended_errcode(db));
    if (code == 0)
        code = XV_ERR;
    return xv_fail(code, "database: %s: %s", what, sqlite3_errmsg(db));
}

int store_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int s = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (s != SQLITE_OK) {
        int code = store_code(s);
        xv_fail(code ? code : XV_ERR, "database: %s", msg ? msg : sqlite3_errstr(s));
        sqlite3_free(msg);
        return code ? code : XV_ERR;
    }
    return 0;
}

int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return store_err(db, "prepare");
    return 0;
}

int store_begin(sqlite3 *db)
{
    int s = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (s == SQLITE_OK)
        return 0;
    if (store_code(s) == XV_ELOCKED)
        return xv_fail(XV_ELOCKED, "the database is locked by another run");
    return store_err(db, "begin");
}

int store_commit(sqlite3 *db)
{
    int s = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (s == SQLITE_OK)
        return 0;
    int rc = store_err(db, "commit");
    store_rollback(db);
    return rc;
}

void store_rollback(sqlite3 *db)
{
    if (db && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Sets the journal mode to MODE: 1 when SQLite says it is now MODE, 0 when not (busy
 * included), or a negative code, reported unless QUIET. */
static int journal_mode(sqlite3 *db, const char *mode, int quiet)
{
    sqlite3_stmt *st = NULL;
    const char *sql = !strcmp(mode, "wal") ? "PRAGMA journal_mode=WAL"
                                           : "PRAGMA journal_mode=DELETE";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return quiet ? XV_ERR : store_err(db, "setting the journal mode");
    int rc, s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        rc = !strcmp((const char *)sqlite3_column_text(st, 0), mode);
    else if (store_code(s) == XV_ELOCKED)
        rc = 0;
    else
        rc = quiet ? XV_ERR : store_err(db, "setting the journal mode");
    sqlite3_finalize(st);
    return rc;
}

int store_bulk(sqlite3 *db)
{
    /* with another connection open, SQLite keeps WAL at once, without the busy handler
     * (cli.case: the load beside an open connection took 0.37 s) */
    return journal_mode(db, "delete", 0);
}

void store_bulk_end(sqlite3 *db)
{
    /* a failure leaves rollback mode, which is correct, only slower for readers; the next
     * store_open sets WAL again, and this must not make a committed load fail: it neither
     * waits for other connections nor reports */
    sqlite3_busy_timeout(db, 0);
    journal_mode(db, "wal", 1);
    sqlite3_busy_timeout(db, BUSY_MS);
}

int store_cache_set(sqlite3 *db, long long kib, long long *was)
{
    int rc;
    if (was && (rc = store_int(db, "PRAGMA cache_size", NULL, NULL, was)) < 0)
        return rc;
    return store_cache_restore(db, -kib);
}

int store_cache_restore(sqlite3 *db, long long was)
{
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld", was);
    return store_exec(db, sql);
}

int store_int(sqlite3 *db, const char *sql, const char *a, const char *b, long long *out)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    if (a)
        sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 1;
    } else if (s == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = store_err(db, "reading");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Steps to the next end; 0 or -1. */
static int ends_step(struct store_ends *e)
{
    int s = sqlite3_step(e->st);
    e->next = s == SQLITE_ROW ? sqlite3_column_int64(e->st, 0) : INT64_MAX;
    if (s == SQLITE_ROW || s == SQLITE_DONE)
        return 0;
    return store_err_set(sqlite3_db_handle(e->st), "reading ended records");
}

int store_ends_open(sqlite3 *db, const char *kind, long long load, sqlite3_int64 from,
                    struct store_ends *e)
{
    char sql[160];
    e->st = NULL;
    e->next = INT64_MAX;
    snprintf(sql, sizeof sql, "SELECT rid FROM %s_end WHERE rid >= ?2 AND to_load <= ?1 "
                              "ORDER BY rid", kind);
    if (sqlite3_prepare_v2(db, sql, -1, &e->st, NULL) != SQLITE_OK)
        return store_err_set(db, "reading ended records");
    sqlite3_bind_int64(e->st, 1, load > 0 ? load : INT64_MAX);
    sqlite3_bind_int64(e->st, 2, from);
    return ends_step(e);
}

int store_ends_has(struct store_ends *e, sqlite3_int64 rid)
{
    int rc;
    while (e->next < rid)
        if ((rc = ends_step(e)) < 0)
            return rc;
    return e->next == rid;
}

void store_ends_close(struct store_ends *e)
{
    sqlite3_finalize(e->st);
    e->st = NULL;
}

int store_bind(sqlite3_stmt *st, const char *types, ...)
{
    va_list ap;
    int rc = 0;
    va_start(ap, types);
    for (int i = 0; types[i] && rc == 0; i++) {
        if (types[i] == 't')
            rc = store_bind_text(st, i + 1, va_arg(ap, const char *));
        else if (types[i] == 'i')
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, long long)) == SQLITE_OK ? 0 : XV_ERR;
        else if (types[i] == 'd')
            rc = sqlite3_bind_double(st, i + 1, va_arg(ap, double)) == SQLITE_OK ? 0 : XV_ERR;
        else
            rc = error("internal: bind type '%c'", types[i]);
    }
    va_end(ap);
    return rc;
}

int store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    int r = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
    return r == SQLITE_OK ? 0 : XV_ERR;
}

int store_raw_field(const char *raw, int i, const char **p, size_t *n)
{
    if (!raw)
        return 0;
    for (; i > 0; i--) {
        const char *us = strchr(raw, '\x1f');
        if (!us)
            return 0;
        raw = us + 1;
    }
    const char *end = strchr(raw, '\x1f');
    size_t len = end ? (size_t)(end - raw) : strlen(raw);
    if (len == 1 && raw[0] == '\x1e')
        return 0;
    *p = raw;
    *n = len;
    return 1;
}


int store_check(sqlite3 *db, struct sbuf *problems)
{
    sqlite3_stmt *st = NULL;
    int rc, s, n = 0;
    if ((rc = store_prepare(db, "PRAGMA integrity_check", &st)) < 0)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t && strcmp(t, "ok")) {
            sbuf_addf(problems, "integrity: %s\n", t);
            n++;
        }
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(db, "checking the database's integrity");
    if ((rc = store_prepare(db, "PRAGMA foreign_key_check", &st)) < 0)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        sbuf_addf(problems, "foreign key: row %lld of '%s' names a missing row of '%s'\n",
                  sqlite3_column_int64(st, 1), sqlite3_column_text(st, 0),
                  sqlite3_column_text(st, 2));
        n++;
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(db, "checking the foreign keys");
    return n;
}

int store_figures(sqlite3 *db, sqlite3_stmt *st, figure_fn fn, void *ctx, const char *what)
{
    int s, rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2))) < 0)
            return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, what);
}
