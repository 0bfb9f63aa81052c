/* store_hash.c: <kind>_hash, every record version's content and line hash kept a second time,
 * 2,500 rids a row, for reloads to read fast. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "kinds.h"
#include "store.h"
#include "util.h"


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

int store_chunk_row(sqlite3 *db, const char *table, const char *column, const char *what,
                    int64_t no, int bytes, sqlite3_blob **blob)
{
    int s;
    if (*blob)
        s = sqlite3_blob_reopen(*blob, no);
    else
        s = sqlite3_blob_open(db, "main", table, column, no, 1, blob);
    if (s != SQLITE_OK) {
        char doing[64];
        snprintf(doing, sizeof doing, "opening %s", what);
        return store_err(db, doing);
    }
    if (sqlite3_blob_bytes(*blob) != bytes)
        return xv_fail(XV_ELOCKED, "'%s' has a row of %s of %d bytes", table, what,
                       sqlite3_blob_bytes(*blob));
    return 0;
}

/* Points *BLOB at the row of <kind>_hash that holds RID. */
static int hash_row(sqlite3 *db, const char *kind, sqlite3_blob **blob, int64_t rid)
{
    char table[64];
    if (rid < 0)
        return xv_fail(XV_ERR, "'%s': no record hash for rid %lld", kind, (long long)rid);
    snprintf(table, sizeof table, "%s_hash", kind);
    return store_chunk_row(db, table, "hashes", "record hashes", rid / STORE_HASH_RIDS,
                           STORE_HASH_ROW, blob);
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
    /* a row at a time: read it, set its entries, write it back; past the first few rows
     * with few of them, such a row is left as it is */
    int sparse = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        int64_t no = rid[i] / STORE_HASH_RIDS;
        size_t j = i;
        while (j < n && rid[j] / STORE_HASH_RIDS == no)
            j++;
        if (j - i < STORE_HASH_LINES_MIN && sparse++ >= STORE_HASH_SPARSE_ROWS) {
            i = j;
            continue;
        }
        if ((rc = hash_row(db, kind, &blob, rid[i])) < 0)
            break;
        if (sqlite3_blob_read(blob, buf, STORE_HASH_ROW, 0) != SQLITE_OK) {
            rc = store_err(db, "reading record hashes");
            break;
        }
        for (; i < j; i++)
            put64(buf + store_hash_at(rid[i]) + LINE_AT, line[i]);
        if (sqlite3_blob_write(blob, buf, STORE_HASH_ROW, 0) != SQLITE_OK)
            rc = store_err(db, "writing record hashes");
    }
    if (blob && sqlite3_blob_close(blob) != SQLITE_OK && rc == 0)
        rc = store_err(db, "writing record hashes");
    free(buf);
    return rc;
}

