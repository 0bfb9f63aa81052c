/* store.c: opens the SQLite store, creates its versioned schema and wraps transactions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "kinds.h"
#include "store.h"
#include "util.h"

#define BUSY_MS 5000   /* how long a connection waits for another's lock */

static const char *const base_schema =
    "CREATE TABLE loads("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " file TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " map_sha256 TEXT NOT NULL DEFAULT '',"
    " as_of TEXT NOT NULL,"
    " format TEXT NOT NULL,"
    " encoding TEXT NOT NULL,"
    " loaded_at TEXT NOT NULL,"
    " rows_read INTEGER NOT NULL DEFAULT 0,"
    " rows_added INTEGER NOT NULL DEFAULT 0,"
    " rows_unchanged INTEGER NOT NULL DEFAULT 0,"
    " rows_closed INTEGER NOT NULL DEFAULT 0,"
    " rows_duplicate INTEGER NOT NULL DEFAULT 0,"
    " rows_quarantined INTEGER NOT NULL DEFAULT 0,"
    " unknown_columns TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX loads_kind ON loads(kind, as_of);"
    "CREATE INDEX loads_sha ON loads(sha256);"
    "CREATE TABLE quarantine("
    " load_id INTEGER NOT NULL REFERENCES loads(id),"
    " line INTEGER NOT NULL,"
    " record INTEGER NOT NULL,"
    " reason TEXT NOT NULL,"
    " raw TEXT NOT NULL);"
    "CREATE INDEX quarantine_load ON quarantine(load_id);"
    "CREATE TABLE app_status("
    " seq INTEGER PRIMARY KEY,"
    " applicant_id TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " from_date TEXT NOT NULL,"
    " load_id INTEGER,"
    " source TEXT NOT NULL);"
    "CREATE INDEX app_status_app ON app_status(applicant_id, seq);"
    /* a run: what it saw (as-of date, the newest load and status change it could see, the
     * load of each kind it used) and how it decided (the effective policy) */
    "CREATE TABLE runs("
    " id INTEGER PRIMARY KEY,"
    " as_of TEXT NOT NULL,"
    " horizon INTEGER NOT NULL,"
    " status_seq INTEGER NOT NULL,"
    " scope TEXT NOT NULL,"
    " policy TEXT NOT NULL,"
    " policy_sha256 TEXT NOT NULL,"
    " versions TEXT NOT NULL,"
    " started_at TEXT NOT NULL,"
    " applications INTEGER NOT NULL DEFAULT 0,"
    " persons INTEGER NOT NULL DEFAULT 0,"
    " links INTEGER NOT NULL DEFAULT 0,"
    " possible INTEGER NOT NULL DEFAULT 0,"
    " seconds REAL NOT NULL DEFAULT 0);"
    "CREATE TABLE run_loads("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " kind TEXT NOT NULL,"
    " load_id INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " PRIMARY KEY(run_id, kind));"
    /* the people of each application in a run: idx 0 is the applicant */
    "CREATE TABLE persons("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " applicant_id TEXT NOT NULL,"
    " idx INTEGER NOT NULL,"
    " relation TEXT NOT NULL,"
    " id_no TEXT NOT NULL,"
    " id_valid INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " raw_name TEXT NOT NULL,"
    " birth_date TEXT,"
    " gender TEXT,"
    " county_code TEXT,"
    " PRIMARY KEY(run_id, applicant_id, idx));"
    /* person-record pairs scored at or above link.lower: class 'match' or 'possible', the
     * weight and the level of each field (matchers/compare.h) */
    "CREATE TABLE links("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " applicant_id TEXT NOT NULL,"
    " idx INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " rid INTEGER NOT NULL,"
    " class TEXT NOT NULL,"
    " weight REAL NOT NULL,"
    " lv_id INTEGER NOT NULL,"
    " lv_name INTEGER NOT NULL,"
    " lv_birth INTEGER NOT NULL,"
    " lv_gender INTEGER NOT NULL,"
    " lv_region INTEGER NOT NULL);"
    "CREATE INDEX links_person ON links(run_id, applicant_id, idx, kind, rid);";

/* Version 2: rules, findings, gates, review decisions, approvals, report hashes and the
 * audit trail. Applied on a new database after the base schema, and on a version-1
 * database as its upgrade. */
static const char *const schema_v2 =
    "ALTER TABLE runs ADD COLUMN decision_seq INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN link_seconds REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN rules_seconds REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN findings INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE persons ADD COLUMN declared_income REAL;"
    /* one row per finding of a run; idx is the application's person (NULL for findings on
     * the application or on someone it did not declare); evidence is the SHA-256 of what
     * the finding shows, so that a decision carries over only while it is unchanged */
    "CREATE TABLE findings("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " applicant_id TEXT NOT NULL,"
    " county_code TEXT NOT NULL,"
    " rule TEXT NOT NULL,"
    " severity TEXT NOT NULL,"
    " idx INTEGER,"
    " person_id_no TEXT NOT NULL,"
    " person_name TEXT NOT NULL,"
    " feed TEXT NOT NULL,"
    " rid INTEGER,"
    " record_key TEXT NOT NULL,"
    " declared TEXT NOT NULL,"
    " found TEXT NOT NULL,"
    " raw TEXT NOT NULL,"
    " load_id INTEGER,"
    " link_weight REAL,"
    " fingerprint TEXT NOT NULL,"
    " evidence TEXT NOT NULL,"
    " decision TEXT NOT NULL,"
    " PRIMARY KEY(run_id, applicant_id, fingerprint));"
    "CREATE INDEX findings_fp ON findings(fingerprint, run_id);"
    "CREATE TABLE gates("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " applicant_id TEXT NOT NULL,"
    " county_code TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " gate TEXT NOT NULL,"
    " n_block INTEGER NOT NULL,"
    " n_review INTEGER NOT NULL,"
    " n_info INTEGER NOT NULL,"
    " PRIMARY KEY(run_id, applicant_id));"
    "CREATE INDEX gates_app ON gates(applicant_id, run_id);"
    "CREATE TABLE decisions("
    " seq INTEGER PRIMARY KEY,"
    " fingerprint TEXT NOT NULL,"
    " evidence TEXT NOT NULL,"
    " applicant_id TEXT NOT NULL,"
    " rule TEXT NOT NULL,"
    " decision TEXT NOT NULL,"
    " by TEXT NOT NULL,"
    " level TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " run_id INTEGER NOT NULL,"
    " at TEXT NOT NULL);"
    "CREATE INDEX decisions_fp ON decisions(fingerprint, seq);"
    "CREATE TABLE approvals("
    " seq INTEGER PRIMARY KEY,"
    " applicant_id TEXT NOT NULL,"
    " level TEXT NOT NULL,"
    " by TEXT NOT NULL,"
    " run_id INTEGER NOT NULL,"
    " status_seq INTEGER NOT NULL,"
    " at TEXT NOT NULL);"
    "CREATE INDEX approvals_app ON approvals(applicant_id, seq);"
    "CREATE TABLE run_reports("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " file TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " PRIMARY KEY(run_id, file));"
    /* every load, run, decision, approval and status change; hash = SHA-256 of the previous
     * entry's hash and this entry's fields (core/audit.c) */
    "CREATE TABLE audit("
    " seq INTEGER PRIMARY KEY,"
    " at TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " detail TEXT NOT NULL,"
    " prev TEXT NOT NULL,"
    " hash TEXT NOT NULL);";

/* One table per kind: the record version (the load that brought it), its content hash, the
 * raw fields and the normalised columns. raw holds the source's values in canonical column
 * order separated by 0x1F; a value equal to its normalised text is stored as a single 0x1E,
 * and raw is NULL when every value is.
 * <kind>_end says which load ended a version (loads of a kind come in as-of order, so load
 * ids order time): a version is visible as of load L when load_id <= L and it has no end
 * at or before L. Ends live in a narrow table of their own, not in a column of the wide one,
 * because a reload ends versions scattered over the whole feed: setting a column rewrote one
 * 64 KiB page per ended version (1.7 s for 10,000 ends, and 640 MB more WAL at commit),
 * where an end row is a few bytes. No foreign key: checking one would read those pages.
 * A view <kind>_history adds to_load and the dates. */
static void kind_table(struct sbuf *b, const struct kind *k)
{
    sbuf_addf(b, "CREATE TABLE %s("
                 " rid INTEGER PRIMARY KEY,"
                 " load_id INTEGER NOT NULL,"
                 " line INTEGER NOT NULL,"
                 " h1 INTEGER NOT NULL,"
                 " h2 INTEGER NOT NULL,"
                 " raw TEXT", k->name);
    for (int i = 0; i < k->ncols; i++) {
        const struct column *c = &k->cols[i];
        const char *type = "TEXT";
        if (c->type == CT_YUAN || c->type == CT_WAN || c->type == CT_AREA)
            type = "REAL";
        else if (c->type == CT_INT || c->type == CT_BOOL)
            type = "INTEGER";
        sbuf_addf(b, ", %s %s", c->name, type);
        if (col_has_valid(c))
            sbuf_addf(b, ", %s_valid INTEGER", c->name);
    }
    sbuf_adds(b, ");");
}

/* What version 3 adds to a kind's table: its ends, the key index of an upsert kind, the
 * history view. */
static void kind_extras(struct sbuf *b, const struct kind *k)
{
    sbuf_addf(b, "CREATE TABLE %s_end(rid INTEGER PRIMARY KEY, to_load INTEGER NOT NULL);",
              k->name);
    if (k->upsert)
        sbuf_addf(b, "CREATE INDEX %s_key ON %s(applicant_id);", k->name, k->name);
    sbuf_addf(b, "CREATE VIEW %s_history AS SELECT t.*, x.to_load, a.as_of AS from_date,"
                 " e.as_of AS to_date FROM %s t JOIN loads a ON a.id = t.load_id"
                 " LEFT JOIN %s_end x ON x.rid = t.rid LEFT JOIN loads e ON e.id = x.to_load;",
              k->name, k->name, k->name);
}

/* What version 4 adds: every version's content hash once more, STORE_HASH_RIDS rids a row
 * (see store.h), so that a reload reads 24 bytes a version, not its whole row. */
static void kind_hashes(struct sbuf *b, const struct kind *k)
{
    sbuf_addf(b, "CREATE TABLE %s_hash(chunk INTEGER PRIMARY KEY, hashes BLOB NOT NULL);",
              k->name);
}

/* Version 3 on a database of version 1 or 2: the to_load column moves into <kind>_end. The
 * column is dropped after its index and view, which name it. */
static void schema_v3(struct sbuf *b)
{
    for (int i = 0; i < xv_nkinds; i++) {
        const struct kind *k = &xv_kinds[i];
        sbuf_addf(b, "DROP VIEW %s_history;", k->name);
        if (k->upsert)
            sbuf_addf(b, "DROP INDEX %s_key;", k->name);
        kind_extras(b, k);
        sbuf_addf(b, "INSERT INTO %s_end(rid, to_load) SELECT rid, to_load FROM %s "
                     "WHERE to_load IS NOT NULL ORDER BY rid;", k->name, k->name);
        sbuf_addf(b, "ALTER TABLE %s DROP COLUMN to_load;", k->name);
    }
}

/* Runs the schema SQL of B and sets the schema version, in one transaction, if the database
 * is still at version FROM (another process may have done it while this one waited); then,
 * when HASHES, fills every kind's new <kind>_hash from its table. */
static int apply_schema(sqlite3 *db, struct sbuf *b, int from, int hashes)
{
    int rc;
    long long ver = 0;
    sbuf_addf(b, "PRAGMA application_id=%d; PRAGMA user_version=%d;", STORE_APP_ID,
              STORE_SCHEMA_VERSION);
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = store_int(db, "PRAGMA user_version", NULL, NULL, &ver)) < 0)
        goto fail;
    if (ver == from) {
        if ((rc = store_exec(db, sbuf_str(b))) < 0)
            goto fail;
        for (int i = 0; hashes && i < xv_nkinds; i++)
            if ((rc = store_hash_rebuild(db, xv_kinds[i].name)) < 0)
                goto fail;
    }
    return store_commit(db);
fail:
    store_rollback(db);
    return rc;
}

static int create_schema(sqlite3 *db)
{
    struct sbuf b = SBUF_INIT;
    sbuf_adds(&b, base_schema);
    for (int i = 0; i < xv_nkinds; i++) {
        kind_table(&b, &xv_kinds[i]);
        kind_extras(&b, &xv_kinds[i]);
        kind_hashes(&b, &xv_kinds[i]);
    }
    sbuf_adds(&b, schema_v2);
    int rc = apply_schema(db, &b, 0, 0);
    sbuf_free(&b);
    return rc;
}

/* Brings a database of version FROM (1: xverify 0.1) up to this version. */
static int upgrade_schema(sqlite3 *db, int from)
{
    struct sbuf b = SBUF_INIT;
    if (from < 2)
        sbuf_adds(&b, schema_v2);
    if (from < 3)
        schema_v3(&b);
    for (int i = 0; i < xv_nkinds; i++)
        kind_hashes(&b, &xv_kinds[i]);
    int rc = apply_schema(db, &b, from, 1);
    sbuf_free(&b);
    return rc;
}

int store_open(const char *path, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int rc;
    long long appid = 0, ver = 0;
    *out = NULL;
    /* No memory statistics: they take a global mutex on every allocation. This must come
     * before SQLite's first use; later (a second database) it is refused, which is fine. */
    static int configured;
    if (!configured++ && sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        xv_warn("sqlite3 keeps memory statistics (configured too late)");
    /* NOMUTEX: a connection is used by one thread at a time (the loader hands it to its
     * writer thread and takes it back), so SQLite's own per-call locking is not needed */
    int s = sqlite3_open_v2(path, &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
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
    if (ver > STORE_SCHEMA_VERSION) {
        rc = xv_fail(XV_ELOCKED, "'%s' has schema version %lld; this xverify knows %d", path, ver,
                     STORE_SCHEMA_VERSION);
        goto fail;
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
        if ((rc = create_schema(db)) < 0)
            goto fail;
    } else if (ver >= 1 && ver < STORE_SCHEMA_VERSION && (rc = upgrade_schema(db, (int)ver)) < 0) {
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

int store_ends_open(sqlite3 *db, const char *kind, long long load, struct store_ends *e)
{
    char sql[160];
    e->st = NULL;
    e->next = INT64_MAX;
    snprintf(sql, sizeof sql, "SELECT rid FROM %s_end WHERE to_load <= ?1 ORDER BY rid", kind);
    if (sqlite3_prepare_v2(db, sql, -1, &e->st, NULL) != SQLITE_OK)
        return store_err_set(db, "reading ended records");
    sqlite3_bind_int64(e->st, 1, load > 0 ? load : INT64_MAX);
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

/* ---- <kind>_hash ---- */

#define LINE_AT 16   /* the line hash's place in an entry, after h1 and h2 */

static void put64(unsigned char *e, uint64_t v)
{
    v = __builtin_bswap64(v);
    memcpy(e, &v, 8);
}

static uint64_t get64(const unsigned char *e)
{
    uint64_t v;
    memcpy(&v, e, 8);
    return __builtin_bswap64(v);
}

void store_hash_put(unsigned char *e, uint64_t h1, uint64_t h2, uint64_t line)
{
    put64(e, h1);
    put64(e + 8, h2);
    put64(e + LINE_AT, line);
}

int store_hash_get(const unsigned char *e, uint64_t *h1, uint64_t *h2, uint64_t *line)
{
    *h1 = get64(e);
    *h2 = get64(e + 8);
    *line = get64(e + LINE_AT);
    return (*h1 | *h2) != 0;
}

/* Writes chunk NO from BUF with ST (INSERT OR REPLACE INTO <kind>_hash). */
static int put_chunk(sqlite3 *db, sqlite3_stmt *st, int64_t no, const unsigned char *buf)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, no);
    sqlite3_bind_blob(st, 2, buf, STORE_HASH_ROW, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : store_err(db, "writing record hashes");
}

int store_hash_rebuild(sqlite3 *db, const char *kind)
{
    sqlite3_stmt *get = NULL, *put = NULL;
    unsigned char *buf = xcalloc(1, STORE_HASH_ROW);
    int64_t no = -1;
    int rc, s;
    struct sbuf sql = SBUF_INIT;
    sbuf_addf(&sql, "DELETE FROM %s_hash", kind);
    if ((rc = store_exec(db, sql.s)) < 0)
        goto done;
    sbuf_reset(&sql);
    sbuf_addf(&sql, "SELECT rid, h1, h2 FROM %s ORDER BY rid", kind);
    if ((rc = store_prepare(db, sql.s, &get)) < 0)
        goto done;
    sbuf_reset(&sql);
    sbuf_addf(&sql, "INSERT OR REPLACE INTO %s_hash(chunk, hashes) VALUES(?, ?)", kind);
    if ((rc = store_prepare(db, sql.s, &put)) < 0)
        goto done;
    while ((s = sqlite3_step(get)) == SQLITE_ROW) {
        int64_t rid = sqlite3_column_int64(get, 0);
        if (rid < 0) {
            rc = xv_fail(XV_ELOCKED, "'%s' has a record with rid %lld", kind, (long long)rid);
            goto done;
        }
        if (rid / STORE_HASH_RIDS != no) {
            if (no >= 0 && (rc = put_chunk(db, put, no, buf)) < 0)
                goto done;
            memset(buf, 0, STORE_HASH_ROW);
            no = rid / STORE_HASH_RIDS;
        }
        store_hash_put(buf + store_hash_at(rid),
                       (uint64_t)sqlite3_column_int64(get, 1),
                       (uint64_t)sqlite3_column_int64(get, 2), 0);
    }
    if (s != SQLITE_DONE) {
        rc = store_err(db, "reading record hashes");
        goto done;
    }
    if (no >= 0)
        rc = put_chunk(db, put, no, buf);
done:
    sqlite3_finalize(get);
    sqlite3_finalize(put);
    sbuf_free(&sql);
    free(buf);
    return rc;
}

/* Points *BLOB at the row of <kind>_hash that holds RID. */
static int hash_row(sqlite3 *db, const char *kind, sqlite3_blob **blob, int64_t rid)
{
    char table[64];
    int s;
    if (rid < 0)
        return xv_fail(XV_ERR, "'%s': no record hash for rid %lld", kind, (long long)rid);
    snprintf(table, sizeof table, "%s_hash", kind);
    if (*blob)
        s = sqlite3_blob_reopen(*blob, rid / STORE_HASH_RIDS);
    else
        s = sqlite3_blob_open(db, "main", table, "hashes", rid / STORE_HASH_RIDS, 1, blob);
    if (s != SQLITE_OK)
        return store_err(db, "opening record hashes");
    if (sqlite3_blob_bytes(*blob) != STORE_HASH_ROW)
        return xv_fail(XV_ELOCKED, "'%s' has a row of record hashes of %d bytes", table,
                       sqlite3_blob_bytes(*blob));
    return 0;
}

int store_hash_clear(sqlite3 *db, const char *kind, sqlite3_blob **blob, int64_t rid)
{
    static const unsigned char zero[STORE_HASH_SIZE];
    int rc = hash_row(db, kind, blob, rid);
    if (rc < 0)
        return rc;
    if (sqlite3_blob_write(*blob, zero, STORE_HASH_SIZE,
                           (int)store_hash_at(rid)) != SQLITE_OK)
        return store_err(db, "clearing a record hash");
    return 0;
}

int store_hash_lines(sqlite3 *db, const char *kind, const uint32_t *rid, const uint64_t *line,
                     size_t n)
{
    sqlite3_blob *blob = NULL;
    unsigned char *buf = xmalloc(STORE_HASH_ROW);
    int rc = 0;
    /* a row at a time: read it, set its entries, write it back */
    for (size_t i = 0; i < n && rc == 0;) {
        int64_t no = rid[i] / STORE_HASH_RIDS;
        if ((rc = hash_row(db, kind, &blob, rid[i])) < 0)
            break;
        if (sqlite3_blob_read(blob, buf, STORE_HASH_ROW, 0) != SQLITE_OK) {
            rc = store_err(db, "reading record hashes");
            break;
        }
        for (; i < n && rid[i] / STORE_HASH_RIDS == no; i++)
            put64(buf + store_hash_at(rid[i]) + LINE_AT, line[i]);
        if (sqlite3_blob_write(blob, buf, STORE_HASH_ROW, 0) != SQLITE_OK)
            rc = store_err(db, "writing record hashes");
    }
    if (blob && sqlite3_blob_close(blob) != SQLITE_OK && rc == 0)
        rc = store_err(db, "writing record hashes");
    free(buf);
    return rc;
}
