/* store.h: the one SQLite file that holds every load, record version, run and decision. */
#ifndef XV_STORE_H
#define XV_STORE_H
#include <pthread.h>
#include <sqlite3.h>
#include "util.h"
#include <stddef.h>
#include <stdint.h>

#define STORE_APP_ID 0x78767279      /* "xvry" */
#define STORE_SCHEMA_VERSION 12

/* How store_open opens: for writing, creating the file when absent, or only reading. */
enum { STORE_RW = 0, STORE_CREATE = 1, STORE_READONLY = 2 };
/* Opens the database at PATH (creating it when absent with STORE_CREATE), applies the
 * pragmas and the schema. STORE_READONLY changes nothing, not even the journal mode or an
 * older schema: it reads a copy on read-only media as well (opened immutable when SQLite
 * cannot share it, and refused then when a write-ahead log lies beside it), and refuses a store
 * of an older schema version. On success *DB is the caller's, to be closed with store_close.
 * Returns XV_EUSAGE when there is no database and it may not create one (a missing or empty
 * file), XV_ELOCKED for a file that is not an xverify database or is newer than this
 * program. */
int store_open(const char *path, int mode, sqlite3 **db);
/* Closes DB; returns XV_EIO when SQLite reports a failure. A NULL DB is fine. */
int store_close(sqlite3 *db);

/* Reports the last SQLite error of DB, prefixed by WHAT, and returns the matching XV_E* code. */
int store_err(sqlite3 *db, const char *what);
/* The same without printing, for a thread of its own: the message goes to this thread's
 * error context (xv_error_set). */
int store_err_set(sqlite3 *db, const char *what);
/* The XV_E* code for SQLite result code RC. */
int store_code(int rc);
/* Runs SQL (no parameters, static text only). */
int store_exec(sqlite3 *db, const char *sql);
/* Prepares SQL into *ST. */
int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st);

/* 1 when a second connection can read DB's file beside a transaction of DB's, seeing what was
 * committed before it (a file in write-ahead mode), 0 when not, or an XV_E* code. */
int store_readable_beside(sqlite3 *db);
/* Opens PATH, the file of a connection store_readable_beside said 1 of, read-only into *DB
 * for a thread of its own beside that connection's transaction (the caller closes *DB, also
 * after an error); an XV_E* code when it cannot, the message recorded as WHAT's. */
int store_open_beside(const char *path, const char *what, sqlite3 **db);
/* Work beside a transaction (store_beside.c): FN(CONN, ARG) in a thread of its own, on a
 * read-only connection CONN to the store's file PATH (store_open_beside, WHAT naming it in an
 * error: "linking"), its errors held and not printed; then END(RC, ARG), when not NULL, in that
 * thread with the work's result. The work fails when FN returns an XV_E* code or records an
 * error, either way: its code and message are kept for the thread that joins it. */
struct store_beside {
    pthread_t thread;
    char *path;           /* owned until joined */
    const char *what;     /* the caller's, alive until joined */
    int (*fn)(sqlite3 *db, void *arg);
    void (*end)(int rc, void *arg);
    void *arg;
    int running;          /* a thread to join */
    int rc;               /* once joined: 0, or the XV_E* code of MSG */
    char msg[1024];
};
/* Starts the work into B: 1 when its thread runs (store_beside_join or _finish must follow),
 * 0 when no thread could be started (nothing ran; the caller does the work itself). */
int store_beside_start(struct store_beside *b, const char *path, const char *what,
                       int (*fn)(sqlite3 *db, void *arg), void (*end)(int rc, void *arg),
                       void *arg);
/* Waits for B's thread (none: returns); its result stays in B->rc and B->msg, not raised. */
void store_beside_join(struct store_beside *b);
/* store_beside_join; then RC when it is an error (the caller's comes first), else B's error
 * raised (printed, as xv_error_raise) and returned; 0 when both went well. */
int store_beside_finish(struct store_beside *b, int rc);
/* BEGIN IMMEDIATE: returns XV_ELOCKED when another process holds the write lock. */
int store_begin(sqlite3 *db);
int store_commit(sqlite3 *db);
/* Rolls back if a transaction is open; never fails loudly. */
void store_rollback(sqlite3 *db);

/* A first load writes a whole table, which WAL writes twice (the log, then the checkpoint at
 * commit) and a rollback journal once. store_bulk, outside any transaction, switches DB to
 * rollback-journal mode for such a load: 1 when it did, 0 when SQLite kept WAL (another
 * connection has the database open: the load runs in WAL mode then). While it lasts, other
 * processes cannot read the database once the load's writes leave SQLite's cache: they wait
 * up to the busy timeout and then report it locked. store_bulk_end switches back to WAL; if
 * it cannot, the database stays in rollback mode until the next store_open. */
int store_bulk(sqlite3 *db);
void store_bulk_end(sqlite3 *db);

/* Field I of a stored raw record: returns 1 with *P, *N set when the source's value differs
 * from the normalised column, 0 when it equals it (or the record has no raw values). */
int store_raw_field(const char *raw, int i, const char **p, size_t *n);

/* Runs SQL with the text parameters A and B (either may be NULL) and reads the first column
 * of its first row into *OUT: returns 1 when there was a row, 0 when none (*OUT untouched),
 * or the XV_E* code of a failure. */
int store_int(sqlite3 *db, const char *sql, const char *a, const char *b, long long *out);

/* Sets the connection's page cache to KIB KiB (PRAGMA cache_size), giving what it was in *WAS
 * (as the pragma gives it) when WAS is not NULL; store_cache_restore puts that back. */
int store_cache_set(sqlite3 *db, long long kib, long long *was);
int store_cache_restore(sqlite3 *db, long long was);

/* The ends of a kind's record versions (<kind>_end), read in rid order beside a scan of the
 * kind's table in rid order, so that the scan need not look each one up. */
struct store_ends {
    sqlite3_stmt *st;
    sqlite3_int64 next;     /* the next ended rid; the largest int64 when there is none */
};
/* Starts reading the ends that loads up to LOAD made (every end when LOAD is 0) of table
 * KIND, of the versions from rid FROM on. Prints nothing, as it may run in a thread of its
 * own: returns 0, or an XV_E* code with the message in this thread's error context
 * (xv_error_raise prints it). Close E whatever it returns. */
int store_ends_open(sqlite3 *db, const char *kind, long long load, sqlite3_int64 from,
                    struct store_ends *e);
/* 1 when version RID has ended, 0 when not, an XV_E* code (as store_ends_open) when SQLite
 * failed. Calls must come with RIDs in increasing order. */
int store_ends_has(struct store_ends *e, sqlite3_int64 rid);
void store_ends_close(struct store_ends *e);

/* Every record version's content hash (h1, h2 of its row) is also kept in <kind>_hash(chunk,
 * hashes), so that a reload reads 24 bytes a version instead of its whole row: chunk N holds
 * the entries of rids N * STORE_HASH_RIDS to N * STORE_HASH_RIDS + STORE_HASH_RIDS - 1, each
 * STORE_HASH_SIZE bytes: h1, h2 and the line hash, big-endian (so that SQL can compare
 * hex(substr(hashes, ...)) with printf('%016X', h1)). An entry is zero where no version has
 * the rid. The line hash says which CSV line the version was read from (see the loader), 0
 * when none is known: a reload takes a line with the same bytes as the same record without
 * splitting it. Ended versions keep their entries: <kind>_end says which are open. */
#define STORE_HASH_RIDS 2500
#define STORE_HASH_SIZE 24
#define STORE_HASH_ROW (STORE_HASH_RIDS * STORE_HASH_SIZE)   /* bytes in a row: 60,000 */
/* Where the entry of RID starts in its row. */
static inline size_t store_hash_at(int64_t rid)
{
    return (size_t)(rid % STORE_HASH_RIDS) * STORE_HASH_SIZE;
}
/* Writes (H1, H2, LINE) into ENTRY. */
void store_hash_put(unsigned char *entry, uint64_t h1, uint64_t h2, uint64_t line);
/* Reads ENTRY: returns 0 when it is empty (no version), 1 when not. */
int store_hash_get(const unsigned char *entry, uint64_t *h1, uint64_t *h2, uint64_t *line);
/* Rebuilds <kind>_hash from KIND's table (no line hashes), within the caller's transaction.
 * This and the two below return XV_ELOCKED (the store failed its check) for a rid or a row
 * that cannot be what this comment says. */
int store_hash_rebuild(sqlite3 *db, const char *kind);
/* Clears the entry of RID in <kind>_hash (its version was taken back). *BLOB is a handle
 * kept between calls (NULL at first), the caller's to close with sqlite3_blob_close. */
int store_hash_clear(sqlite3 *db, const char *kind, sqlite3_blob **blob, int64_t rid);
/* Points *BLOB (a handle kept between calls, NULL before the first) at row NO of TABLE, to
 * write its blob COLUMN, which must be BYTES long (XV_ELOCKED when not; WHAT names the rows
 * in messages): the rows of <kind>_hash and <kind>_keys. */
int store_chunk_row(sqlite3 *db, const char *table, const char *column, const char *what,
                    int64_t no, int bytes, sqlite3_blob **blob);
/* Sets the line hash of the N versions RID[i] to LINE[i] (RID increasing) in the rows of
 * <kind>_hash that get at least STORE_HASH_LINES_MIN of them, and in the first
 * STORE_HASH_SPARSE_ROWS rows that get fewer; the other rows are left as they are. A line
 * hash only lets a reload pair a line without splitting it, and each row set is a 64 KiB
 * page written through the WAL and again at its checkpoint: a few line hashes in each of a
 * large feed's rows (after 0.1% of its lines went, the ~5,000 of 4M that paired with a
 * version read from another line) cost a reload more than splitting those lines costs every
 * later one. The rows left are set by later reloads, as many at a time. */
#define STORE_HASH_LINES_MIN 64
#define STORE_HASH_SPARSE_ROWS 64
int store_hash_lines(sqlite3 *db, const char *kind, const uint32_t *rid, const uint64_t *line,
                     size_t n);

/* Steps ST, bound already, calling FN with each row's (county, figure, count) columns; WHAT
 * names the reading in a failure. */
int store_figures(sqlite3 *db, sqlite3_stmt *st, figure_fn fn, void *ctx, const char *what);

/* Binds text or NULL when S is NULL. */
int store_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Binds the parameters 1, 2, ... of ST from the arguments, one a character of TYPES: 't' a
 * string (const char *, NULL binds NULL; copied), 'i' a long long, 'd' a double. Returns 0,
 * or XV_ERR when SQLite refuses one. */
int store_bind(sqlite3_stmt *st, const char *types, ...);

/* SQLite's integrity check and foreign key check: each problem a line into PROBLEMS; returns
 * how many, or an XV_E* code when the checks could not run. */
int store_check(sqlite3 *db, struct sbuf *problems);

#endif
