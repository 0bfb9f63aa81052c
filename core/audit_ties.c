/* audit_ties.c: ties between the audit trail and the rows it vouches for: each decision,
 * approval, status, load, run, policy and reviewer row is hashed into the entry that wrote it,
 * and checked against it both ways. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "audit.h"
#include "err.h"
#include "store.h"
#include "util.h"

/* The tables whose rows the trail vouches for, in byte order (the order ties are hashed in).
 * Each is a rowid table whose rows are only ever appended, inside the transaction of the
 * entry that ties them. */
static const char *const tied[] = {
    "app_status", "approvals", "decisions", "loads", "policies", "reviewer", "reviewer_end",
    "run_loads", "run_reports", "runs", "sample_members", "samples", "spotchecks",
};
#define NTIED ((int)(sizeof tied / sizeof *tied))

/* Appends TAG and V in decimal, as "%c%lld" would. */
static void add_tagged(struct sbuf *b, char tag, long long v)
{
    sbuf_addc(b, tag);
    sbuf_add_decimal(b, v);
}

void audit_row_hash(sqlite3_stmt *st, int first, int ncols, char out[65])
{
    struct sbuf b = SBUF_INIT;
    for (int i = first; i < first + ncols; i++) {
        int type = sqlite3_column_type(st, i);
        switch (type) {
        case SQLITE_NULL:
            sbuf_adds(&b, "N");
            break;
        case SQLITE_INTEGER:
            add_tagged(&b, 'I', (long long)sqlite3_column_int64(st, i));
            break;
        case SQLITE_FLOAT: {
            double v = sqlite3_column_double(st, i);
            /* a whole number "%.17g" writes as an integer (amounts, standards) */
            if (v == floor(v) && fabs(v) < 1e15 && (v != 0 || !signbit(v)))
                add_tagged(&b, 'R', (long long)v);
            else
                sbuf_addf(&b, "R%.17g", v);
            break;
        }
        default: {
            const void *p = sqlite3_column_blob(st, i);
            int n = sqlite3_column_bytes(st, i);
            add_tagged(&b, type == SQLITE_BLOB ? 'B' : 'T', n);
            sbuf_addc(&b, ':');
            if (n > 0)
                sbuf_add(&b, p, (size_t)n);
        }
        }
        sbuf_addc(&b, '\x1f');
    }
    sha256_hex(b.s ? b.s : "", b.len, out);
    sbuf_free(&b);
}

void audit_tie_line(struct sbuf *b, const char *tbl, long long row, int ncols, const char *hash)
{
    /* "%s\x1f%lld\x1f%d\x1f%s\x1e", a piece at a time */
    sbuf_adds(b, tbl);
    sbuf_addc(b, '\x1f');
    sbuf_add_decimal(b, row);
    sbuf_addc(b, '\x1f');
    sbuf_add_decimal(b, ncols);
    sbuf_addc(b, '\x1f');
    sbuf_adds(b, hash);
    sbuf_addc(b, '\x1e');
}

int audit_tie_new(sqlite3 *db, long long seq, struct sbuf *ties, long long *nrows)
{
    sqlite3_stmt *max = NULL, *rows = NULL, *put = NULL;
    struct sbuf sql = SBUF_INIT;
    int rc, s = SQLITE_DONE;
    if ((rc = store_prepare(db, "SELECT ifnull(max(row_id), 0) FROM audit_ties WHERE tbl=?",
                            &max)) < 0 ||
        (rc = store_prepare(db, "INSERT INTO audit_ties(tbl,row_id,seq,ncols,hash) "
                                "VALUES(?,?,?,?,?)", &put)) < 0)
        goto done;
    for (int t = 0; t < NTIED; t++) {
        sqlite3_reset(max);
        sqlite3_bind_text(max, 1, tied[t], -1, SQLITE_STATIC);
        if (sqlite3_step(max) != SQLITE_ROW) {
            rc = store_err(db, "reading the audit ties");
            goto done;
        }
        long long after = sqlite3_column_int64(max, 0);
        sbuf_reset(&sql);
        sbuf_addf(&sql, "SELECT rowid, * FROM %s WHERE rowid > ? ORDER BY rowid", tied[t]);
        sqlite3_finalize(rows);
        rows = NULL;
        if ((rc = store_prepare(db, sql.s, &rows)) < 0)
            goto done;
        sqlite3_bind_int64(rows, 1, after);
        int ncols = sqlite3_column_count(rows) - 1;
        while ((s = sqlite3_step(rows)) == SQLITE_ROW) {
            char h[65];
            long long id = sqlite3_column_int64(rows, 0);
            audit_row_hash(rows, 1, ncols, h);
            audit_tie_line(ties, tied[t], id, ncols, h);
            sqlite3_reset(put);
            store_bind(put, "tiiit", tied[t], id, seq, (long long)ncols, h);
            if (sqlite3_step(put) != SQLITE_DONE) {
                rc = store_err(db, "tying a row to the audit trail");
                goto done;
            }
            (*nrows)++;
        }
        if (s != SQLITE_DONE) {
            rc = store_err(db, "reading rows to tie");
            goto done;
        }
    }
done:
    sqlite3_finalize(max);
    sqlite3_finalize(rows);
    sqlite3_finalize(put);
    sbuf_free(&sql);
    return rc;
}

/* Table T's rows against their ties, both ways, in rowid order. */
static int check_table(sqlite3 *db, const char *t, long long *nrows)
{
    sqlite3_stmt *rows = NULL, *ties = NULL;
    struct sbuf sql = SBUF_INIT;
    int rc, sr, st;
    sbuf_addf(&sql, "SELECT rowid, * FROM %s ORDER BY rowid", t);
    if ((rc = store_prepare(db, sql.s, &rows)) < 0 ||
        (rc = store_prepare(db, "SELECT row_id, seq, ncols, hash FROM audit_ties WHERE tbl=? "
                                "ORDER BY row_id", &ties)) < 0)
        goto done;
    sqlite3_bind_text(ties, 1, t, -1, SQLITE_STATIC);
    int ncols = sqlite3_column_count(rows) - 1;
    sr = sqlite3_step(rows);
    st = sqlite3_step(ties);
    while (sr == SQLITE_ROW || st == SQLITE_ROW) {
        long long r = sr == SQLITE_ROW ? sqlite3_column_int64(rows, 0) : -1;
        long long tr = st == SQLITE_ROW ? sqlite3_column_int64(ties, 0) : -1;
        if (st != SQLITE_ROW || (sr == SQLITE_ROW && r < tr)) {
            rc = xv_fail(XV_ELOCKED, "audit: row %lld of '%s' has no entry in the audit trail: "
                         "it was written beside the trail", r, t);
            goto done;
        }
        long long seq = sqlite3_column_int64(ties, 1);
        if (sr != SQLITE_ROW || tr < r) {
            rc = xv_fail(XV_ELOCKED, "audit: row %lld of '%s', which entry %lld of the trail "
                         "vouches for, is gone", tr, t, seq);
            goto done;
        }
        int n = sqlite3_column_int(ties, 2);
        char h[65];
        if (n < 1 || n > ncols) {
            rc = xv_fail(XV_ELOCKED, "audit: the tie of row %lld of '%s' names %d columns; the "
                         "table has %d", r, t, n, ncols);
            goto done;
        }
        audit_row_hash(rows, 1, n, h);
        if (strcmp(h, (const char *)sqlite3_column_text(ties, 3))) {
            rc = xv_fail(XV_ELOCKED, "audit: row %lld of '%s' was changed after entry %lld of "
                         "the trail recorded it", r, t, seq);
            goto done;
        }
        (*nrows)++;
        sr = sqlite3_step(rows);
        st = sqlite3_step(ties);
    }
    if (sr != SQLITE_DONE || st != SQLITE_DONE)
        rc = store_err(db, "reading the audit ties");
done:
    sqlite3_finalize(rows);
    sqlite3_finalize(ties);
    sbuf_free(&sql);
    return rc;
}

int audit_check_ties(sqlite3 *db, long long entries, long long *nrows)
{
    int rc;
    long long max = 0;
    *nrows = 0;
    if (entries == 0) {
        /* a store with loads or runs and no trail: the trail was removed */
        long long n = 0;
        if ((rc = store_int(db, "SELECT (SELECT count(*) FROM loads) + (SELECT count(*) FROM "
                                "runs) + (SELECT count(*) FROM decisions) + (SELECT count(*) "
                                "FROM approvals) + (SELECT count(*) FROM policies)", NULL, NULL,
                            &n)) < 0)
            return rc;
        if (n > 0)
            return xv_fail(XV_ELOCKED, "audit trail: empty, but the store holds %lld loads, "
                           "runs, decisions, approvals or policies: the trail was removed", n);
    }
    if ((rc = store_int(db, "SELECT ifnull(max(seq), 0) FROM audit_ties", NULL, NULL, &max)) < 0)
        return rc;
    if (max > entries)
        return xv_fail(XV_ELOCKED, "audit: rows are tied to entry %lld; the trail ends at "
                       "entry %lld: its tail was removed", max, entries);
    for (int t = 0; t < NTIED; t++)
        if ((rc = check_table(db, tied[t], nrows)) < 0)
            return rc;
    return 0;
}
