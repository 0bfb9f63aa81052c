/* ldr_reload.c: what a reload compares with: the open versions read beside its first pass,
 * the rows of <kind>_hash, and the second pass from the records the first one kept. */

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/loads.h"
#include "../core/store.h"
#include "../core/util.h"
#include "ldr_int.h"

/* Says that row NO of <KIND>_hash has BYTES bytes, not STORE_HASH_ROW (in the error context,
 * as ldr_read_open does); returns XV_EREBUILD. */
static int bad_row(const char *kind, long long no, int bytes)
{
    return xv_error_set(XV_EREBUILD, "'%s_hash' has a row %lld of %d bytes", kind, no, bytes);
}

/* Adds the open versions of row NO of <kind>_hash (its entries E) that have not ended to the
 * vdiff's open side, counting them in *FOUND. */
static int add_row(const char *kind, int64_t no, const unsigned char *e, struct store_ends *ends,
                   struct vdiff *vd, long long *found)
{
    for (int i = 0; i < STORE_HASH_RIDS; i++, e += STORE_HASH_SIZE) {
        uint64_t h1, h2, line;
        if (!store_hash_get(e, &h1, &h2, &line))
            continue;
        int64_t rid = no * STORE_HASH_RIDS + i;
        int rc = store_ends_has(ends, rid);
        if (rc < 0)
            return rc;
        if (rc)
            continue;
        if (rid > (int64_t)UINT32_MAX)
            return xv_error_set(XV_ERR, "'%s' holds more record versions than this xverify "
                                "can compare", kind);
        if ((rc = vd_add(vd, VD_OPEN, h1, h2, line, (uint32_t)rid)) < 0)
            return rc;
        (*found)++;
    }
    return 0;
}

int ldr_read_open(sqlite3 *db, const char *kind, long long expect, struct vdiff *vd)
{
    sqlite3_stmt *st = NULL;
    struct store_ends ends;
    char sql[96];
    long long found = 0;
    int s, rc = store_ends_open(db, kind, 0, 0, &ends);
    snprintf(sql, sizeof sql, "SELECT chunk, hashes FROM %s_hash ORDER BY chunk", kind);
    if (rc == 0 && sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        rc = store_err_set(db, "reading open records");
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t no = sqlite3_column_int64(st, 0);
        int bytes = sqlite3_column_bytes(st, 1);
        if (bytes != STORE_HASH_ROW || no < 0 || no > (int64_t)UINT32_MAX / STORE_HASH_RIDS)
            rc = bad_row(kind, no, bytes);
        else
            rc = add_row(kind, no, sqlite3_column_blob(st, 1), &ends, vd, &found);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = store_err_set(db, "reading open records");
    else if (rc == 0 && expect >= 0 && found != expect)
        rc = xv_error_set(XV_EREBUILD, "'%s_hash' has %lld open versions where the loads count "
                          "%lld", kind, found, expect);
    sqlite3_finalize(st);
    store_ends_close(&ends);
    return rc;
}

int ldr_rehash(void)
{
    int code;
    char why[1024];
    xv_error_take(&code, why, sizeof why);
    xv_warn("%s; rebuilding it from the records and loading again", why);
    return XV_EREBUILD;
}

struct open_job {
    struct store_beside job;
    char *kind;
    long long expect;
    struct vdiff *vd;
};

/* The thread's work: ldr_read_open on its read-only connection; ldr_open_wait reports. */
static int open_read(sqlite3 *db, void *arg)
{
    struct open_job *j = arg;
    return ldr_read_open(db, j->kind, j->expect, j->vd);
}

/* Last in the thread, whether it read or could not even open its connection: with pairing,
 * the file side waits for the open side's entries until it is told there are no more. */
static void open_end(int rc, void *arg)
{
    (void)rc;
    vd_open_done(((struct open_job *)arg)->vd);
}

int ldr_open_start(struct ldr *l, const char *path)
{
    struct open_job *j = xcalloc(1, sizeof *j);
    j->kind = xstrdup(l->k->name);
    j->expect = l->open_expect;
    j->vd = l->vd;
    if (!store_beside_start(&j->job, path, "reading open records", open_read, open_end, j)) {
        free(j->kind);
        free(j);
        return error("cannot start a thread to read the open versions");
    }
    l->ojob = j;
    return 0;
}

/* Joins the thread, if one runs; returns its verdict. */
int ldr_open_wait(struct ldr *l)
{
    struct open_job *j = l->ojob;
    if (!j)
        return 0;
    l->ojob = NULL;
    vd_file_done(l->vd);   /* the thread may wait to hand over entries the first pass paired */
    store_beside_join(&j->job);
    int rc = 0;
    if (j->job.rc < 0) {   /* the thread's error, raised here */
        xv_error_adopt(j->job.rc, j->job.msg);
        rc = j->job.rc == XV_EREBUILD ? ldr_rehash() : xv_error_raise();
    }
    free(j->kind);
    free(j);
    return rc;
}

/* ---- starting the load: as-of date, order, the load row, the open versions ---- */

/* How many versions of KIND are open, by the loads' counts. */
int ldr_count_open(sqlite3 *db, const char *kind, long long *out)
{
    return loads_open_versions(db, kind, out);
}

/* The largest rid of the kind's table, 0 when it is empty. */
int ldr_max_rid(struct ldr *l, long long *out)
{
    struct sbuf sql = SBUF_INIT;
    sbuf_addf(&sql, "SELECT coalesce(max(rid), 0) FROM %s", l->k->name);
    int rc = store_int(l->db, sql.s, NULL, NULL, out);
    sbuf_free(&sql);
    return rc < 0 ? rc : 0;
}

_Static_assert(BKEYS_RIDS == STORE_HASH_RIDS, "a row of <kind>_keys beside one of <kind>_hash");

/* Reads row L->chunk_no of <kind>_SUFFIX (its blob COLUMN) into BUF, N bytes, when it has
 * one; *BYTES gets the size of a row of another size (else -1), which is not read. DOING
 * names the reading in messages. */
static int read_chunk(struct ldr *l, const char *suffix, const char *column, const char *doing,
                      unsigned char *buf, int n, int *bytes)
{
    sqlite3_stmt *st = NULL;
    struct sbuf sql = SBUF_INIT;
    *bytes = -1;
    sbuf_addf(&sql, "SELECT %s FROM %s_%s WHERE chunk=?", column, l->k->name, suffix);
    int s, rc = store_prepare(l->db, sql.s, &st);
    sbuf_free(&sql);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, l->chunk_no);
    if ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != n)
            *bytes = sqlite3_column_bytes(st, 0);
        else
            memcpy(buf, sqlite3_column_blob(st, 0), (size_t)n);
    } else if (s != SQLITE_DONE) {
        rc = store_err(l->db, doing);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Reads the row of <kind>_hash that the next rid goes into, if it has one (and, for a feed,
 * its row of <kind>_keys). */
int ldr_chunk_start(struct ldr *l)
{
    int bytes, rc;
    l->chunk = xcalloc(1, STORE_HASH_ROW);
    l->chunk_no = l->next_rid / STORE_HASH_RIDS;
    if ((rc = read_chunk(l, "hash", "hashes", "reading record hashes", l->chunk, STORE_HASH_ROW,
                         &bytes)) < 0)
        return rc;
    if (bytes >= 0) {
        bad_row(l->k->name, l->chunk_no, bytes);
        return ldr_rehash();
    }
    if (!l->kslot)
        return 0;
    l->kchunk = xcalloc(1, BKEYS_ROW);
    if ((rc = read_chunk(l, "keys", "keys", "reading record keys", l->kchunk, BKEYS_ROW,
                         &bytes)) == 0 && bytes >= 0)
        rc = xv_fail(XV_ELOCKED, "'%s_keys' has a row of %d bytes at %lld: the database "
                     "was changed outside xverify", l->k->name, bytes, (long long)l->chunk_no);
    return rc;
}

/* Queues the row of <kind>_hash being filled, and its row of <kind>_keys, if it has
 * anything new. */
int ldr_chunk_flush(struct ldr *l)
{
    if (!l->chunk_dirty)
        return 0;
    l->chunk_dirty = 0;
    wr_row(l->w, OP_HASH);
    wr_int(l->w, 1, l->chunk_no);
    wr_blob(l->w, 2, l->chunk, STORE_HASH_ROW);
    int rc = wr_end(l->w);
    if (rc < 0 || !l->kslot)
        return rc;
    wr_row(l->w, OP_KEYS);
    wr_int(l->w, 1, l->chunk_no);
    wr_blob(l->w, 2, l->kchunk, BKEYS_ROW);
    return wr_end(l->w);
}

/* The second pass of a reload from what the first kept: stores (or quarantines) the records
 * marked in todo, in file order, as reading the file again would. Every one of them must
 * have been kept. */
int ldr_replay(struct ldr *l)
{
    struct sbuf fields = SBUF_INIT;
    size_t *off = xmalloc(((size_t)l->nsrc + 1) * sizeof *off);
    char **v = xmalloc(((size_t)l->nsrc + 1) * sizeof *v);
    int cap = l->nsrc + 1, rc = 0;
    long done = 0, want = bits_count(&l->todo);
    for (size_t at = 0; at < l->keep.len && rc == 0;) {
        struct kept k;
        memcpy(&k, l->keep.s + at, sizeof k);
        char *p = l->keep.s + at + sizeof k;
        at += sizeof k + k.len;
        if (k.recno < 0 || k.recno > (int64_t)UINT32_MAX || !bits_has(&l->todo, (uint32_t)k.recno))
            continue;
        int n = k.n;
        if (n > cap) {
            cap = n;
            v = xrealloc(v, (size_t)cap * sizeof *v);
        }
        if (n < 0) {   /* a plain line: split as the reader's fast path splits it */
            n = csvin_split(p, k.len, l->fpos, l->nsrc);
            if (n != l->nsrc) {
                rc = error("'%s': a kept line no longer splits into %d fields", l->o->file,
                           l->nsrc);
                break;
            }
            sbuf_reset(&fields);
            for (int i = 0; i < n; i++) {
                off[i] = fields.len;
                sbuf_add(&fields, p + l->fpos[i].start, l->fpos[i].len);
                sbuf_addc(&fields, '\0');
            }
            for (int i = 0; i < n; i++)
                v[i] = fields.s + off[i];
        } else {
            for (int i = 0; i < n; i++) {
                v[i] = p;
                p += strlen(p) + 1;
            }
        }
        struct rec rec = { n, v, (long)k.line, (long)k.recno, k.n < 0 ? p : NULL,
                           k.n < 0 ? k.len : 0 };
        ldr_stage(l, &rec, 0);
        rc = ldr_process(l, &l->sg);
        done++;
    }
    if (rc == 0 && done != want)
        rc = error("'%s': %ld of the %ld records to store were kept; load refused",
                   l->o->file, done, want);
    sbuf_free(&fields);
    free(off);
    free(v);
    return rc;
}
