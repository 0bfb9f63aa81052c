/* loader.c: maps source columns to canonical ones, normalises each record, quarantines the bad
 * ones and stores the rest as versions that live from this load until a later one ends them. */
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/store.h"
#include "../core/util.h"
#include "loader.h"
#include "mapping.h"
#include "norm.h"
#include "reader.h"
#include "source.h"
#include "vdiff.h"
#include "writer.h"

#define MAX_VALUE 4096     /* bytes in one value after parsing; longer is quarantined */
#define MAX_NOTES 20       /* quarantine and warning lines kept for the summary */
#define VD_BUDGET (32u << 20)   /* bytes of record hashes held in memory before spilling */
#define LDR_SAME (-100)   /* a reader callback's way to stop: the file was loaded before */
#define LDR_REHASH (-101) /* <kind>_hash disagrees with the loads' counts: rebuild, load again */

enum { OP_INSERT, OP_QUARANTINE, OP_HASH, NOPS };

/* Per-column warnings: values that could not be normalised, or unknown codes. */
struct colwarn {
    long bad, unknown;
};

struct keyset {           /* applicant_ids named by an upsert file, with their first line */
    char **key;
    long *line;
    size_t cap, n;
};

/* A record read: its canonical values copied out of the reader's buffer, and its hash. */
struct staged {
    struct rec rec;         /* line, recno and source field count (v is not used) */
    struct sbuf vals;       /* the canonical values, each ending in NUL (unless only hashed) */
    size_t *off;            /* where value i starts in vals */
    struct sbuf raw;        /* the values separated by US: what the hash covers */
    XXH128_hash_t h;
    uint64_t line;          /* the hash of the plain line it was read from (0: none) */
    int shape;              /* enum shape: whether it can be a record at all, and if not */
    int bad_col;            /* the value at fault and its length */
    size_t bad_len;
};

struct ldr {
    sqlite3 *db;
    const struct ldr_opts *o;
    struct ldr_result *r;
    const struct kind *k;
    struct mapping map;
    int have_map;
    struct src_info info;
    uint64_t seed;
    /* a plain CSV line's hash (line_hash) is seeded with the mapping's and the columns'
     * layout: two lines of one hash make one record */
    uint64_t line_seed;
    uint64_t before_hash;   /* the line hash on_before computed, of record before_recno */
    long before_recno;
    long by_line;           /* records on_before paired by their line */
    int *srcmap;            /* source position -> canonical column, or -1 */
    int nsrc;
    int *colsrc;            /* canonical column -> source position, or -1 */
    struct csv_span *fpos;  /* replay: where each field of a kept line is */
    struct sbuf unknown;
    char map_as_of[11];
    int started;
    sqlite3_stmt *stmt[NOPS];   /* the writer's rows: OP_INSERT, OP_QUARANTINE, OP_HASH */
    /* the row of <kind>_hash that the records being stored go into (see store.h): written
     * when the next one starts, and at the end */
    unsigned char *chunk;
    int64_t chunk_no;
    int chunk_dirty;
    sqlite3_blob *hblob;    /* unstore's handle on <kind>_hash */
    long long open_expect;  /* the open versions the loads count, or -1: not checked */
    struct wr *w;           /* the writer thread, while records are being stored */
    /* Which records are new: every record's content hash goes into a vdiff beside the open
     * versions'. Deferred (a reload of a kind that has open versions): the first pass only
     * hashes, and a second pass stores the records found new. Otherwise every record is
     * stored as it is read, and those found unchanged or duplicate are taken out again. */
    struct vdiff *vd;
    int deferred, pass;
    struct bits todo;       /* deferred: record N is stored (or quarantined) */
    /* deferred: the first pass keeps every record that may be new (not paired, or not
     * storable), so that the second pass need not read the file again; past the budget it
     * keeps nothing and the second pass reads the file */
    struct sbuf keep;
    size_t keep_budget;
    int keep_over;
    struct bits ended;      /* the open versions the file no longer has */
    /* The rid the next stored record gets: SQLite gives one more than the largest, and
     * nothing else adds rows to the kind's table during the load (checked at the end). */
    int64_t next_rid;
    /* The file is hashed and its encoding checked beside the first pass when its first MiB
     * tells the encoding; until the job is joined, info has only enc and size. */
    struct src_job *job;
    struct open_job *ojob;  /* reading the open versions beside the first pass, or NULL */
    struct src *src;        /* the first pass's source: once read_done, its hash is known */
    int read_done;
    sqlite3_stmt *del, *end, *key;
    struct keyset keys;
    struct colwarn *warn;
    struct staged sg;       /* the record at hand */
    /* scratch, reused for every record */
    const char **val;       /* the value to normalise (after value maps) */
    const char **rawv;      /* the value as the source gave it */
    char *same;             /* 1 when the normalised text equals the raw value */
    struct sbuf craw, tmp, *norm;
    double t0;
    long next_progress;
};

static void note(struct ldr_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ldr_result *r, const char *fmt, ...)
{
    if (r->nnotes >= MAX_NOTES) {
        r->more_notes++;
        return;
    }
    struct sbuf b = SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sbuf_adds(&b, tmp);
    r->notes = xrealloc(r->notes, (size_t)(r->nnotes + 1) * sizeof *r->notes);
    r->notes[r->nnotes++] = b.s ? b.s : xstrdup("");
}

/* ---- applicant_ids named by an upsert file ---- */

static uint64_t key_hash(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

/* Adds KEY; returns the line it was first seen on when already there, else 0. */
static long keyset_add(struct keyset *ks, const char *key, long line)
{
    if ((ks->n + 1) * 2 > ks->cap) {
        struct keyset old = *ks;
        ks->cap = old.cap ? old.cap * 2 : 256;
        ks->key = xcalloc(ks->cap, sizeof *ks->key);
        ks->line = xcalloc(ks->cap, sizeof *ks->line);
        ks->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.key[i]) {
                size_t j = key_hash(old.key[i]) & (ks->cap - 1);
                while (ks->key[j])
                    j = (j + 1) & (ks->cap - 1);
                ks->key[j] = old.key[i];
                ks->line[j] = old.line[i];
                ks->n++;
            }
        free(old.key);
        free(old.line);
    }
    size_t j = key_hash(key) & (ks->cap - 1);
    while (ks->key[j]) {
        if (!strcmp(ks->key[j], key))
            return ks->line[j];
        j = (j + 1) & (ks->cap - 1);
    }
    ks->key[j] = xstrdup(key);
    ks->line[j] = line;
    ks->n++;
    return 0;
}

static int keyset_has(const struct keyset *ks, const char *key)
{
    if (!ks->cap)
        return 0;
    size_t j = key_hash(key) & (ks->cap - 1);
    while (ks->key[j]) {
        if (!strcmp(ks->key[j], key))
            return 1;
        j = (j + 1) & (ks->cap - 1);
    }
    return 0;
}

static void keyset_free(struct keyset *ks)
{
    for (size_t i = 0; i < ks->cap; i++)
        free(ks->key[i]);
    free(ks->key);
    free(ks->line);
}

/* ---- columns ---- */

/* Header text for comparison: full-width folded, trimmed, ASCII lower-cased. */
static void header_key(const char *in, struct sbuf *out)
{
    norm_fold(in, out);
    for (size_t i = 0; i < out->len; i++)
        if (out->s[i] >= 'A' && out->s[i] <= 'Z')
            out->s[i] = (char)(out->s[i] + 32);
}

static int resolve(struct ldr *l, const char *name)
{
    struct sbuf a = SBUF_INIT, b = SBUF_INIT;
    int col = -1;
    header_key(name, &a);
    const char *h = sbuf_str(&a);
    if (l->have_map) {
        for (int i = 0; i < l->k->ncols && col < 0; i++) {
            if (!l->map.source[i])
                continue;
            header_key(l->map.source[i], &b);
            const char *m = sbuf_str(&b);
            if (!strcmp(h, m) || (h[0] == '@' && !strcmp(h + 1, m)) ||
                (m[0] == '@' && !strcmp(h, m + 1)))
                col = i;
        }
    }
    const char *bare = h[0] == '@' ? h + 1 : h;
    for (int i = 0; i < l->k->ncols && col < 0; i++)
        if (!strcmp(bare, l->k->cols[i].name) || !strcmp(bare, l->k->cols[i].zh))
            col = i;
    sbuf_free(&a);
    sbuf_free(&b);
    return col;
}

static int on_column(void *ctx, int pos, const char *name, long line)
{
    struct ldr *l = ctx;
    int col = resolve(l, name);
    if (pos >= l->nsrc) {
        l->srcmap = xrealloc(l->srcmap, (size_t)(pos + 1) * sizeof *l->srcmap);
        l->fpos = xrealloc(l->fpos, (size_t)(pos + 1) * sizeof *l->fpos);
        for (int i = l->nsrc; i <= pos; i++)
            l->srcmap[i] = -1;
        l->nsrc = pos + 1;
    }
    l->srcmap[pos] = col;
    if (col < 0) {
        if (l->unknown.len)
            sbuf_adds(&l->unknown, ", ");
        sbuf_adds(&l->unknown, *name ? name : "(empty)");
        return 0;
    }
    if (l->colsrc[col] >= 0)
        return xv_fail_at(XV_EDATA, l->o->file, line, "two columns give '%s': %d and %d",
                          l->k->cols[col].name, l->colsrc[col] + 1, pos + 1);
    l->colsrc[col] = pos;
    return 0;
}

static int check_required(struct ldr *l)
{
    struct sbuf miss = SBUF_INIT;
    for (int i = 0; i < l->k->ncols; i++)
        if (l->k->cols[i].required && l->colsrc[i] < 0) {
            if (miss.len)
                sbuf_adds(&miss, ", ");
            sbuf_addf(&miss, "'%s' (%s)", l->k->cols[i].name, l->k->cols[i].zh);
        }
    int rc = 0;
    if (miss.len)
        rc = xv_fail(XV_EDATA, "%s: required column%s missing: %s; file refused", l->o->file,
                     strchr(miss.s, ',') ? "s" : "", miss.s);
    sbuf_free(&miss);
    return rc;
}

static int on_columns_done(void *ctx)
{
    struct ldr *l = ctx;
    /* what makes a line's fields a record: the mapping (in seed) and which source column
     * gives each canonical one, out of how many; the version, should that change */
    struct sbuf b = SBUF_INIT;
    sbuf_adds(&b, "xverify line hash 1");
    sbuf_add(&b, &l->seed, sizeof l->seed);
    sbuf_add(&b, &l->nsrc, sizeof l->nsrc);
    sbuf_add(&b, l->colsrc, (size_t)l->k->ncols * sizeof *l->colsrc);
    l->line_seed = XXH3_64bits(b.s, b.len);
    sbuf_free(&b);
    return check_required(l);
}

/* The hash of a plain CSV line (its N bytes at S without the line end); never 0, which
 * says "none". */
static uint64_t line_hash(const struct ldr *l, const char *s, size_t n)
{
    uint64_t h = XXH3_64bits_withSeed(s, n, l->line_seed);
    return h ? h : 1;
}

static int on_as_of(void *ctx, const char *value, long line)
{
    struct ldr *l = ctx;
    if (norm_date(value, l->map_as_of) < 0)
        return xv_fail_at(XV_EDATA, l->o->file, line, "as-of date '%s' is not a date", value);
    return 0;
}

/* ---- the open versions, read beside the first pass of a reload ---- */

/* Adds the hash of a file record to the vdiff; ID (a record number or rid) must fit its
 * 32 bits. Returns 0, or 1 when the record was paired with an open version (then it cannot
 * be new), or a negative code. */
static int add_hash(struct ldr *l, uint64_t h1, uint64_t h2, uint64_t line, int64_t id)
{
    char msg[512];
    if (id < 0 || id > (int64_t)UINT32_MAX)
        return error("'%s' holds more records than this xverify can compare", l->k->name);
    int rc = vd_add(l->vd, VD_FILE, h1, h2, line, (uint32_t)id);
    return rc < 0 ? xv_fail(XV_EIO, "%s", vd_strerror(l->vd, rc, msg, sizeof msg)) : rc;
}

/* ---- the records a reload's first pass keeps ---- */

/* A kept record: this header, then LEN bytes: a plain CSV line (N < 0), or N values each
 * ending in NUL. */
struct kept {
    int64_t recno, line;
    int32_t n;
    uint32_t len;
};

/* Appends a record to l->keep, unless the budget is spent: then nothing more is kept, and
 * the second pass reads the file again. */
static void keep_add(struct ldr *l, long recno, long line, int n, const char *const *v,
                     const char *s, size_t len)
{
    if (l->keep_over)
        return;
    if (n >= 0)
        for (int i = 0; i < n; i++)
            len += strlen(v[i] ? v[i] : "") + 1;
    if (len > UINT32_MAX || l->keep.len + sizeof(struct kept) + len > l->keep_budget) {
        l->keep_over = 1;
        sbuf_free(&l->keep);
        return;
    }
    struct kept k = { recno, line, n, (uint32_t)len };
    sbuf_add(&l->keep, (const char *)&k, sizeof k);
    if (n < 0) {
        sbuf_add(&l->keep, s, len);
        return;
    }
    for (int i = 0; i < n; i++)
        sbuf_add(&l->keep, v[i] ? v[i] : "", strlen(v[i] ? v[i] : "") + 1);
}

/* Says in MSG (N bytes) that row NO of <KIND>_hash has BYTES bytes, not STORE_HASH_ROW;
 * returns LDR_REHASH. */
static int bad_row(char *msg, size_t n, const char *kind, long long no, int bytes)
{
    snprintf(msg, n, "'%s_hash' has a row %lld of %d bytes", kind, no, bytes);
    return LDR_REHASH;
}

/* Reads the hash of every open version of KIND (every entry of <kind>_hash, in rid order,
 * less those with an end) on DB into the vdiff's open side. They must be EXPECT in number
 * (unless EXPECT < 0), or the result is LDR_REHASH. Prints nothing, since it may run in a
 * thread of its own: returns 0, or an XV_* code with the message in MSG of N bytes. */
static int read_open(sqlite3 *db, const char *kind, long long expect, struct vdiff *vd,
                     char *msg, size_t n)
{
    sqlite3_stmt *st = NULL;
    struct store_ends ends;
    char sql[96];
    long long found = 0;
    int rc = 0, s = store_ends_open(db, kind, 0, &ends);
    snprintf(sql, sizeof sql, "SELECT chunk, hashes FROM %s_hash ORDER BY chunk", kind);
    if (s == SQLITE_OK)
        s = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    while (s == SQLITE_OK || s == SQLITE_ROW) {
        if ((s = sqlite3_step(st)) != SQLITE_ROW)
            break;
        int64_t no = sqlite3_column_int64(st, 0);
        const unsigned char *e = sqlite3_column_blob(st, 1);
        if (sqlite3_column_bytes(st, 1) != STORE_HASH_ROW || no < 0 ||
            no > (int64_t)UINT32_MAX / STORE_HASH_RIDS) {
            rc = bad_row(msg, n, kind, no, sqlite3_column_bytes(st, 1));
            goto done;
        }
        for (int i = 0; i < STORE_HASH_RIDS; i++, e += STORE_HASH_SIZE) {
            uint64_t h1, h2, line;
            if (!store_hash_get(e, &h1, &h2, &line))
                continue;
            int64_t rid = no * STORE_HASH_RIDS + i;
            int ended = store_ends_has(&ends, rid);
            if (ended < 0) {
                s = sqlite3_errcode(db);
                break;
            }
            if (ended)
                continue;
            if (rid > (int64_t)UINT32_MAX) {
                snprintf(msg, n, "'%s' holds more record versions than this xverify can "
                         "compare", kind);
                rc = XV_ERR;
                goto done;
            }
            int err = vd_add(vd, VD_OPEN, h1, h2, line, (uint32_t)rid);
            if (err < 0) {
                vd_strerror(vd, err, msg, n);
                rc = XV_EIO;
                goto done;
            }
            found++;
        }
    }
    if (s != SQLITE_DONE) {   /* as store_err says it */
        rc = store_code(sqlite3_extended_errcode(db));
        rc = rc ? rc : XV_ERR;
        snprintf(msg, n, "database: reading open records: %s", sqlite3_errmsg(db));
    } else if (expect >= 0 && found != expect) {
        snprintf(msg, n, "'%s_hash' has %lld open versions where the loads count %lld", kind,
                 found, expect);
        rc = LDR_REHASH;
    }
done:
    vd_open_done(vd);   /* with pairing, the file side takes no more */
    sqlite3_finalize(st);
    store_ends_close(&ends);
    return rc;
}

/* Says why <kind>_hash is to be rebuilt; returns LDR_REHASH. */
static int rehash(const char *why)
{
    xv_warn("%s; rebuilding it from the records and loading again", why);
    return LDR_REHASH;
}

struct open_job {
    pthread_t thread;
    char *path, *kind;
    long long expect;
    struct vdiff *vd;
    int rc;                 /* 0, or the XV_* code of MSG */
    char msg[512];
};

/* The thread: read_open on a read-only connection of its own; open_wait reports. */
static void *open_thread(void *arg)
{
    struct open_job *j = arg;
    sqlite3 *db = NULL;
    int s = sqlite3_open_v2(j->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (s == SQLITE_OK && (s = sqlite3_busy_timeout(db, 5000)) == SQLITE_OK) {
        j->rc = read_open(db, j->kind, j->expect, j->vd, j->msg, sizeof j->msg);
    } else {
        j->rc = store_code(s) == XV_ELOCKED ? XV_ELOCKED : XV_EIO;
        snprintf(j->msg, sizeof j->msg, "database: reading open records: %s",
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(s));
    }
    sqlite3_close(db);
    return NULL;
}

static int open_start(struct ldr *l, const char *path)
{
    struct open_job *j = xcalloc(1, sizeof *j);
    j->path = xstrdup(path);
    j->kind = xstrdup(l->k->name);
    j->expect = l->open_expect;
    j->vd = l->vd;
    if (pthread_create(&j->thread, NULL, open_thread, j) != 0) {
        free(j->path);
        free(j->kind);
        free(j);
        return error("cannot start a thread to read the open versions");
    }
    l->ojob = j;
    return 0;
}

/* Joins the thread, if one runs; returns its verdict. */
static int open_wait(struct ldr *l)
{
    struct open_job *j = l->ojob;
    if (!j)
        return 0;
    l->ojob = NULL;
    vd_file_done(l->vd);   /* the thread may wait to hand over entries the first pass paired */
    pthread_join(j->thread, NULL);
    int rc = j->rc == LDR_REHASH ? rehash(j->msg) : j->rc < 0 ? xv_fail(j->rc, "%s", j->msg) : 0;
    free(j->path);
    free(j->kind);
    free(j);
    return rc;
}

/* ---- starting the load: as-of date, order, the load row, the open versions ---- */

/* How many versions of KIND are open, by the loads' counts. */
static int count_open(sqlite3 *db, const char *kind, long long *out)
{
    int rc = store_int(db, "SELECT coalesce(sum(rows_added - rows_closed), 0) FROM loads "
                           "WHERE kind=?1", kind, NULL, out);
    return rc < 0 ? rc : 0;
}

/* The largest rid of the kind's table, 0 when it is empty. */
static int max_rid(struct ldr *l, long long *out)
{
    struct sbuf sql = SBUF_INIT;
    sbuf_addf(&sql, "SELECT coalesce(max(rid), 0) FROM %s", l->k->name);
    int rc = store_int(l->db, sql.s, NULL, NULL, out);
    sbuf_free(&sql);
    return rc < 0 ? rc : 0;
}

static int file_name_date(const char *path, const char *kind, char out[11])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t kl = strlen(kind);
    if (strncmp(base, kind, kl) || base[kl] != '-')
        return -1;
    char d[9];
    for (int i = 0; i < 8; i++) {
        char c = base[kl + 1 + i];
        if (c < '0' || c > '9')
            return -1;
        d[i] = c;
    }
    d[8] = '\0';
    char nx = base[kl + 9];
    if (nx != '-' && nx != '.')
        return -1;
    return norm_date(d, out);
}

/* Reads the row of <kind>_hash that the next rid goes into, if it has one. */
static int chunk_start(struct ldr *l)
{
    sqlite3_stmt *st = NULL;
    struct sbuf sql = SBUF_INIT;
    l->chunk = xcalloc(1, STORE_HASH_ROW);
    l->chunk_no = l->next_rid / STORE_HASH_RIDS;
    sbuf_addf(&sql, "SELECT hashes FROM %s_hash WHERE chunk=?", l->k->name);
    int s, rc = store_prepare(l->db, sql.s, &st);
    if (rc < 0)
        goto done;
    sqlite3_bind_int64(st, 1, l->chunk_no);
    if ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != STORE_HASH_ROW) {
            char msg[128];
            bad_row(msg, sizeof msg, l->k->name, l->chunk_no, sqlite3_column_bytes(st, 0));
            rc = rehash(msg);
        } else {
            memcpy(l->chunk, sqlite3_column_blob(st, 0), STORE_HASH_ROW);
        }
    } else if (s != SQLITE_DONE) {
        rc = store_err(l->db, "reading record hashes");
    }
done:
    sqlite3_finalize(st);
    sbuf_free(&sql);
    return rc;
}

/* Queues the row of <kind>_hash being filled, if it has anything new. */
static int chunk_flush(struct ldr *l)
{
    if (!l->chunk_dirty)
        return 0;
    l->chunk_dirty = 0;
    wr_row(l->w, OP_HASH);
    wr_int(l->w, 1, l->chunk_no);
    wr_blob(l->w, 2, l->chunk, STORE_HASH_ROW);
    return wr_end(l->w);
}

static int start(struct ldr *l)
{
    struct ldr_result *r = l->r;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    char today[11];
    struct sbuf sql = SBUF_INIT;
    l->started = 1;
    if (l->o->as_of) {
        r->as_of_source = "--as-of";
    } else if (l->map_as_of[0]) {
        memcpy(r->as_of, l->map_as_of, 11);
        r->as_of_source = "mapping";
    } else if (file_name_date(l->o->file, l->k->name, r->as_of) == 0) {
        r->as_of_source = "file name";
    } else {
        today_iso(today);
        memcpy(r->as_of, today, 11);
        r->as_of_source = "today";
    }
    /* History is kept in as-of order: an earlier snapshot after a later one would rewrite
     * what past runs saw. */
    if ((rc = store_prepare(l->db, "SELECT max(as_of) FROM loads WHERE kind=?", &st)) < 0)
        goto done;
    sqlite3_bind_text(st, 1, l->k->name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const char *last = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(last, r->as_of) > 0) {
            rc = xv_fail(XV_EDATA, "%s: '%s' is already loaded as of %s, later than %s; loads "
                         "of a kind must come in as-of order", l->o->file, l->k->name, last,
                         r->as_of);
            goto done;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = store_prepare(l->db,
                            "INSERT INTO loads(kind,file,sha256,map_sha256,as_of,format,"
                            "encoding,loaded_at) VALUES(?,?,?,?,?,?,?,"
                            "strftime('%Y-%m-%dT%H:%M:%SZ','now'))", &st)) < 0)
        goto done;
    sqlite3_bind_text(st, 1, l->k->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, l->o->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, l->info.sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, l->have_map ? l->map.sha256 : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->as_of, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->format, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->encoding, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = store_err(l->db, "recording the load");
        goto done;
    }
    r->load_id = sqlite3_last_insert_rowid(l->db);
    sqlite3_finalize(st);
    st = NULL;
    /* the open versions of this kind go into the vdiff */
    long long open = 0, maxrid = 0;
    if ((rc = count_open(l->db, l->k->name, &open)) < 0)
        goto done;
    if ((rc = max_rid(l, &maxrid)) < 0)
        goto done;
    l->next_rid = maxrid + 1;
    l->deferred = open > 0 && !l->k->upsert;
    /* a spill file goes beside the database, where there is room for the feed's data */
    const char *dbfile = sqlite3_db_filename(l->db, "main");
    char *path = xstrdup(dbfile && *dbfile ? dbfile : "./x");
    const char *dir = dirname(path);
    /* XVERIFY_SPILL_BYTES, a test hook, makes the vdiff spill early */
    const char *hook = getenv("XVERIFY_SPILL_BYTES");
    size_t budget = hook && *hook ? (size_t)strtoull(hook, NULL, 10) : VD_BUDGET;
    l->keep_budget = budget;
    rc = vd_new(&l->vd, (size_t)open + (size_t)(l->info.size / 40), budget, dir);
    free(path);
    if (rc < 0)
        goto done;
    if (l->open_expect >= 0)
        l->open_expect = open;
    if ((rc = chunk_start(l)) < 0)
        goto done;
    if (l->deferred && dbfile && *dbfile) {
        /* a reload reads them on a connection of its own, beside its first pass, which
         * pairs each record with the open version of its content when they come in step */
        const char *off = getenv("XVERIFY_PAIRING");   /* a test hook: 0 turns it off */
        if ((!off || strcmp(off, "0")) && (rc = vd_pairing(l->vd)) < 0) {
            rc = error("cannot start pairing: %s", strerror(-rc));
            goto done;
        }
        if ((rc = open_start(l, dbfile)) < 0) {
            vd_open_done(l->vd);
            goto done;
        }
    } else {
        char msg[512];
        if ((rc = read_open(l->db, l->k->name, l->open_expect, l->vd, msg, sizeof msg)) < 0) {
            rc = rc == LDR_REHASH ? rehash(msg) : xv_fail(rc, "%s", msg);
            goto done;
        }
    }
    /* the statements every record uses */
    sbuf_reset(&sql);
    sbuf_addf(&sql, "INSERT INTO %s(load_id,line,h1,h2,raw", l->k->name);
    int n = 5;
    for (int i = 0; i < l->k->ncols; i++) {
        sbuf_addf(&sql, ",%s", l->k->cols[i].name);
        n++;
        if (col_has_valid(&l->k->cols[i])) {
            sbuf_addf(&sql, ",%s_valid", l->k->cols[i].name);
            n++;
        }
    }
    sbuf_adds(&sql, ") VALUES(?");
    for (int i = 1; i < n; i++)
        sbuf_adds(&sql, ",?");
    sbuf_adds(&sql, ")");
    if ((rc = store_prepare(l->db, sql.s, &l->stmt[OP_INSERT])) < 0)
        goto done;
    if ((rc = store_prepare(l->db, "INSERT INTO quarantine(load_id,line,record,reason,raw) "
                                   "VALUES(?,?,?,?,?)", &l->stmt[OP_QUARANTINE])) < 0)
        goto done;
    sbuf_reset(&sql);
    sbuf_addf(&sql, "INSERT OR REPLACE INTO %s_hash(chunk,hashes) VALUES(?,?)", l->k->name);
    if ((rc = store_prepare(l->db, sql.s, &l->stmt[OP_HASH])) < 0)
        goto done;
    if (!l->deferred)
        rc = wr_start(&l->w, l->db, l->stmt, NOPS);
done:
    sqlite3_finalize(st);
    sbuf_free(&sql);
    return rc;
}

/* ---- records ---- */

static int quarantine(struct ldr *l, const struct rec *rec, const char *raw, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
static int quarantine(struct ldr *l, const struct rec *rec, const char *raw, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    l->r->rows_quarantined++;
    note(l->r, "%s:%ld: quarantined: %s", l->o->file, rec->line, reason);
    wr_cancel(l->w);
    wr_row(l->w, OP_QUARANTINE);
    wr_int(l->w, 1, l->r->load_id);
    wr_int(l->w, 2, rec->line);
    wr_int(l->w, 3, rec->recno);
    wr_text(l->w, 4, reason, strlen(reason));
    wr_text(l->w, 5, raw, strlen(raw));
    return wr_end(l->w);
}

/* 1 when S holds a control character other than tab and line ends; *LEN gets its length. */
static int has_control(const char *s, size_t *len)
{
    const char *p = s;
    for (; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
            *len = strlen(s);
            return 1;
        }
    *len = (size_t)(p - s);
    return 0;
}

static void progress(struct ldr *l, int final)
{
    if (!l->o->progress)
        return;
    double t = now_seconds() - l->t0;
    long n = l->r->rows_read;
    double rate = t > 0 ? (double)n / t : 0;
    if (isatty(2) && !final)
        fprintf(stderr, "\rloading %s: %ld rows, %.0f rows/s   ", l->k->name, n, rate);
    else if (final) {
        struct rusage ru;
        long peak = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024 : -1;
        char paired[96] = "";
        if (l->deferred && l->vd)
            snprintf(paired, sizeof paired, "; %llu paired with open versions in step, %ld by "
                     "line", vd_paired(l->vd), l->by_line);
        fprintf(stderr, "%sxverify: load %lld %s: %ld rows in %.2f s (%.0f rows/s, peak %ld "
                "MB%s)\n", isatty(2) && n >= 65536 ? "\n" : "", l->r->load_id, l->k->name, n, t,
                rate, peak, paired);
    }
}

/* Queues column I's normalised value as parameter P; returns the next parameter, or -1 with
 * *WHY set when a required value is missing or unparseable. */
static int put_value(struct ldr *l, const struct rec *rec, int i, int p, const char **why)
{
    const struct column *c = &l->k->cols[i];
    const char *v = l->val[i];
    struct wr *st = l->w;
    char out[32];
    int valid = 0, rc = 0;
    double d;
    long n;
    const char *s;
    struct sbuf *nb = &l->norm[i];

    norm_fold(v, &l->tmp);
    if (l->tmp.len == 0) {
        if (c->required) {
            *why = "missing";
            return -1;
        }
        if (c->deflt) {
            if (c->type == CT_INT || c->type == CT_BOOL)
                wr_int(st, p, atol(c->deflt));
            else
                wr_text(st, p, c->deflt, strlen(c->deflt));
        } else {
            wr_null(st, p);
            l->same[i] = 1;   /* empty raw, NULL value: nothing to keep */
        }
        if (col_has_valid(c))
            wr_null(st, ++p);
        return p + 1;
    }
    const char *text = NULL;   /* the normalised value as text, to compare with the raw */
    switch (c->type) {
    case CT_ID:
        if ((rc = norm_id(v, out, &valid)) == 0) {
            wr_text(st, p, out, 18);
            wr_int(st, ++p, valid);
            text = out;
        }
        break;
    case CT_USCC:
        if ((rc = norm_uscc(v, out, &valid)) == 0) {
            wr_text(st, p, out, 18);
            wr_int(st, ++p, valid);
            text = out;
        }
        break;
    case CT_NAME:
        if ((rc = norm_name(v, nb)) == 0) {
            wr_text(st, p, nb->s, nb->len);
            text = nb->s;
        }
        break;
    case CT_DATE:
        if ((rc = norm_date(v, out)) == 0) {
            wr_text(st, p, out, 10);
            text = out;
        }
        break;
    case CT_MONTH:
        if ((rc = norm_month(v, out)) == 0) {
            wr_text(st, p, out, 7);
            text = out;
        }
        break;
    case CT_YUAN:
    case CT_WAN:
        if ((rc = norm_amount(v, c->type == CT_WAN ? 10000 : 1, &d)) == 0)
            wr_double(st, p, d);
        break;
    case CT_AREA:
        if ((rc = norm_area(v, &d)) == 0)
            wr_double(st, p, d);
        break;
    case CT_INT:
        if ((rc = norm_int(v, &n)) == 0)
            wr_int(st, p, n);
        break;
    case CT_BOOL:
        if ((rc = norm_bool(v, &valid)) == 0)
            wr_int(st, p, valid);
        break;
    case CT_GENDER:
        if ((rc = norm_gender(v, &s)) == 0) {
            wr_text(st, p, s, strlen(s));
            text = s;
        }
        break;
    case CT_PLATE:
        if ((rc = norm_plate(v, nb)) == 0) {
            wr_text(st, p, nb->s, nb->len);
            text = nb->s;
        }
        break;
    case CT_COUNTY:
        if ((rc = norm_county(v, out)) == 0) {
            wr_text(st, p, out, 6);
            text = out;
        }
        break;
    case CT_APPSTATUS:
        if ((rc = norm_appstatus(v, &s)) == 0) {
            wr_text(st, p, s, strlen(s));
            text = s;
        }
        break;
    case CT_ENUM:
    case CT_TEXT:
        sbuf_reset(nb);
        sbuf_add(nb, l->tmp.s, l->tmp.len);
        wr_text(st, p, nb->s, nb->len);
        text = nb->s;
        if (c->known) {
            const char *const *k = c->known;
            while (*k && strcmp(*k, nb->s))
                k++;
            if (!*k) {
                if (!l->warn[i].unknown++)
                    note(l->r, "%s:%ld: warning: unknown %s '%s' kept as given", l->o->file,
                         rec->line, c->name, nb->s);
            }
        }
        break;
    }
    if (rc == 0 && text && l->val[i] == l->rawv[i] && !strcmp(text, l->rawv[i]))
        l->same[i] = 1;
    if (rc < 0) {
        if (c->required) {
            *why = "unparseable";
            return -1;
        }
        /* an optional value that cannot be read is stored as unknown; the raw stays */
        if (!l->warn[i].bad++)
            note(l->r, "%s:%ld: warning: %s '%s' not understood, stored as unknown", l->o->file,
                 rec->line, c->name, v);
        wr_null(st, p);
        if (col_has_valid(c))
            wr_null(st, ++p);
    }
    return p + 1;
}

static int store_record(struct ldr *l, const struct staged *sg, const char *key);
static int join_scan(struct ldr *l);

/* Whether a record can be stored at all: the right number of CSV fields, no control
 * character, no value over MAX_VALUE bytes. */
enum shape { SHAPE_OK, SHAPE_FIELDS, SHAPE_CONTROL, SHAPE_LONG };

/* Normalises and stores (or quarantines) the record SG. */
static int process(struct ldr *l, struct staged *sg)
{
    const struct kind *k = l->k;
    const struct rec *rec = &sg->rec;
    int rc, col = sg->bad_col;
    size_t len = sg->bad_len;
    for (int i = 0; i < k->ncols; i++) {
        l->val[i] = l->rawv[i] = sg->vals.s + sg->off[i];
        l->same[i] = 0;
    }
    switch (sg->shape) {
    case SHAPE_FIELDS:
        return quarantine(l, rec, sg->raw.s, "expected %d fields, found %d", l->nsrc, rec->n);
    case SHAPE_CONTROL:
        return quarantine(l, rec, "", "control character in '%s'", k->cols[col].name);
    case SHAPE_LONG:
        return quarantine(l, rec, "", "'%s' is %zu bytes long (limit %d)", k->cols[col].name,
                          len, MAX_VALUE);
    case SHAPE_OK:
        break;
    }
    /* value maps replace the source's codes before normalisation; raw keeps the codes */
    const char *mapped[64];
    for (int i = 0; i < k->ncols; i++) {
        mapped[i] = NULL;
        if (l->have_map && l->map.nvmaps) {
            norm_fold(l->val[i], &l->tmp);
            mapped[i] = map_value(&l->map, i, l->tmp.s);
        }
    }
    for (int i = 0; i < k->ncols; i++)
        if (mapped[i])
            l->val[i] = mapped[i];
    /* upsert kinds: applicant_id (column 0 of both) names the application a record
     * amends; it counts as named only once a record of it is accepted */
    char *key = NULL;
    if (k->upsert) {
        norm_fold(l->val[0], &l->tmp);
        key = xstrdup(l->tmp.s);
        if (!strcmp(k->name, "applicant") && keyset_has(&l->keys, key)) {
            rc = quarantine(l, rec, sg->raw.s, "applicant_id '%s' given twice in the file", key);
            free(key);
            return rc;
        }
    }
    rc = store_record(l, sg, key);
    free(key);
    return rc;
}

static void staged_free(struct staged *sg)
{
    sbuf_free(&sg->vals);
    sbuf_free(&sg->raw);
    free(sg->off);
}

/* The second pass wants only the records the first marked. */
static int wanted(void *ctx, long recno)
{
    const struct ldr *l = ctx;
    return recno >= 0 && recno <= (long)UINT32_MAX && bits_has(&l->todo, (uint32_t)recno);
}

/* Copies REC's canonical values into l->sg (unless only HASH_ONLY), hashes the raw record
 * (the canonical values in column order, separated by US) and finds its shape. */
static void stage(struct ldr *l, const struct rec *rec, int hash_only)
{
    const struct kind *k = l->k;
    struct staged *sg = &l->sg;
    sg->rec.line = rec->line;
    sg->rec.recno = rec->recno;
    sg->rec.n = rec->n;
    sg->shape = rec->n != l->nsrc && l->r->format[0] == 'c' ? SHAPE_FIELDS : SHAPE_OK;
    if (!sg->off)
        sg->off = xmalloc((size_t)k->ncols * sizeof *sg->off);
    sbuf_reset(&sg->vals);
    sbuf_reset(&sg->raw);
    sbuf_add(&sg->raw, "", 0);
    for (int i = 0; i < k->ncols; i++) {
        int pos = l->colsrc[i];
        const char *v = pos >= 0 && pos < rec->n && rec->v[pos] ? rec->v[pos] : "";
        size_t n;
        int bad = has_control(v, &n) ? SHAPE_CONTROL : n > MAX_VALUE ? SHAPE_LONG : SHAPE_OK;
        if (bad && !sg->shape) {
            sg->shape = bad;
            sg->bad_col = i;
            sg->bad_len = n;
        }
        if (!hash_only) {
            sg->off[i] = sg->vals.len;
            sbuf_add(&sg->vals, v, n + 1);
        }
        if (i)
            sbuf_addc(&sg->raw, '\x1f');
        sbuf_add(&sg->raw, v, n);
    }
    sg->h = XXH3_128bits_withSeed(sg->raw.s, sg->raw.len, l->seed);
    sg->line = rec->text ? line_hash(l, rec->text, rec->text_n) : 0;
}

/* Counts a record of the first pass (starting the load at the first). */
static int count_record(struct ldr *l)
{
    struct ldr_result *r = l->r;
    int rc;
    if (!l->started && (rc = start(l)) < 0)
        return rc;
    r->rows_read++;
    if (r->rows_read >= l->next_progress) {
        progress(l, 0);
        l->next_progress += 65536;
        /* a reload stores nothing in its first pass: a file loaded before stops it early */
        if (l->deferred && l->job && src_scan_finished(l->job) &&
            ((rc = join_scan(l)) < 0 || r->same_as))
            return rc < 0 ? rc : LDR_SAME;
    }
    return 0;
}

/* The first pass of a reload takes a line with the bytes of the line an open version was
 * read from, when pairing meets that version, as that version's record without splitting
 * it (see vd_pair_line). */
static int on_before(void *ctx, const char *s, size_t n, long line, long recno)
{
    struct ldr *l = ctx;
    int rc;
    (void)line;
    if (!l->started || !l->deferred || l->pass == 2)
        return 0;
    l->before_hash = line_hash(l, s, n);
    l->before_recno = recno;
    if (!vd_pair_line(l->vd, l->before_hash))
        return 0;
    l->by_line++;
    if ((rc = count_record(l)) < 0)
        return rc;
    return 1;
}

/* The first pass of a reload hashes a plain CSV line without making a record of it: its
 * fields, as the reader split them, make the same raw record as stage() would. A line that
 * cannot be a record is left to the reader (and then quarantined by the second pass). */
static int on_line(void *ctx, const struct csv_line *ln)
{
    struct ldr *l = ctx;
    const struct kind *k = l->k;
    int rc;
    if (!l->started || !l->deferred || l->pass == 2 || ln->n > MAX_VALUE)
        return 0;
    if (ln->nf != l->nsrc)
        return 0;   /* ragged */
    if (ln->control)
        return 0;   /* perhaps in a column not read: the reader sees */
    struct sbuf *raw = &l->sg.raw;
    sbuf_reset(raw);
    sbuf_reserve(raw, ln->n + (size_t)k->ncols);
    for (int c = 0; c < k->ncols; c++) {
        int pos = l->colsrc[c];
        if (c)
            raw->s[raw->len++] = '\x1f';
        if (pos < 0)
            continue;
        size_t len = ln->span[pos].len;
        memcpy(raw->s + raw->len, ln->s + ln->span[pos].start, len);
        raw->len += len;
    }
    raw->s[raw->len] = '\0';
    if ((rc = count_record(l)) < 0)
        return rc;
    XXH128_hash_t h = XXH3_128bits_withSeed(raw->s, raw->len, l->seed);
    uint64_t line = l->before_recno == ln->recno ? l->before_hash : line_hash(l, ln->s, ln->n);
    if ((rc = add_hash(l, h.low64, h.high64, line, ln->recno)) < 0)
        return rc;
    if (rc == 0)   /* not paired: perhaps new */
        keep_add(l, ln->recno, ln->line, -1, NULL, ln->s, ln->n);
    return 1;
}

static int on_record(void *ctx, const struct rec *rec)
{
    struct ldr *l = ctx;
    int rc;
    if (l->pass == 2) {   /* deferred: only the records the first pass marked */
        if (!wanted(l, rec->recno))
            return 0;
        stage(l, rec, 0);
        return process(l, &l->sg);
    }
    if ((rc = count_record(l)) < 0)
        return rc;
    stage(l, rec, l->deferred);
    if (!l->deferred)
        return process(l, &l->sg);
    if (rec->recno > (long)UINT32_MAX)
        return error("'%s' has more records than this xverify can compare", l->o->file);
    /* a record that cannot be stored is quarantined by the second pass, in its place */
    if (l->sg.shape != SHAPE_OK) {
        bits_set(&l->todo, (uint32_t)rec->recno);
        keep_add(l, rec->recno, rec->line, rec->n, (const char *const *)rec->v, NULL, 0);
        return 0;
    }
    if ((rc = add_hash(l, l->sg.h.low64, l->sg.h.high64, l->sg.line, rec->recno)) == 0)
        keep_add(l, rec->recno, rec->line, rec->n, (const char *const *)rec->v, NULL, 0);
    return rc < 0 ? rc : 0;
}

/* Stores the staged record (values in l->val) as a new version. Whether an open version or an
 * earlier record has the same content is for the vdiff to say. */
static int store_record(struct ldr *l, const struct staged *sg, const char *key)
{
    struct ldr_result *r = l->r;
    int rc;
    const struct kind *k = l->k;
    const struct rec *rec = &sg->rec;
    XXH128_hash_t h = sg->h;
    if (l->next_rid > (int64_t)UINT32_MAX)
        return error("'%s' holds more record versions than this xverify can compare",
                     l->k->name);
    int64_t rid = l->next_rid;
    struct wr *st = l->w;
    wr_row(st, OP_INSERT);
    wr_int(st, 1, r->load_id);
    wr_int(st, 2, rec->line);
    wr_int(st, 3, (int64_t)h.low64);
    wr_int(st, 4, (int64_t)h.high64);
    int p = 6;
    for (int i = 0; i < k->ncols; i++) {
        const char *why = NULL;
        p = put_value(l, rec, i, p, &why);
        if (p < 0)
            return quarantine(l, rec, sg->raw.s, "%s required '%s'%s%s%s", why, k->cols[i].name,
                              *l->val[i] ? ": '" : "", l->val[i], *l->val[i] ? "'" : "");
    }
    /* the raw values, each one equal to its normalised text stored as 0x1E; NULL when
     * every one is */
    sbuf_reset(&l->craw);
    sbuf_add(&l->craw, "", 0);
    int differ = 0;
    for (int i = 0; i < k->ncols; i++) {
        if (i)
            sbuf_addc(&l->craw, '\x1f');
        if (l->same[i]) {
            sbuf_addc(&l->craw, '\x1e');
        } else {
            sbuf_adds(&l->craw, l->rawv[i]);
            differ = 1;
        }
    }
    if (differ)
        wr_text(st, 5, l->craw.s, l->craw.len);
    else
        wr_null(st, 5);
    if (key)
        keyset_add(&l->keys, key, rec->line);
    if ((rc = wr_end(st)) < 0)
        return rc;
    store_hash_put(l->chunk + store_hash_at(rid), h.low64, h.high64, sg->line);
    l->chunk_dirty = 1;
    if (rid % STORE_HASH_RIDS == STORE_HASH_RIDS - 1) {
        if ((rc = chunk_flush(l)) < 0)
            return rc;
        memset(l->chunk, 0, STORE_HASH_ROW);
        l->chunk_no++;
    }
    l->next_rid++;
    r->rows_added++;
    if (!l->deferred && (rc = add_hash(l, h.low64, h.high64, 0, rid)) < 0)
        return rc;
    return 0;
}

/* ---- finishing ---- */

/* Ends the open version RID, unless the kind is upserted and the file did not name its
 * application. Called in rid order, so that the ends are appended to their table. */
static int end_version(struct ldr *l, uint32_t rid)
{
    if (l->key) {
        sqlite3_reset(l->key);
        sqlite3_bind_int64(l->key, 1, rid);
        if (sqlite3_step(l->key) != SQLITE_ROW)
            return store_err(l->db, "reading a record's key");
        if (!keyset_has(&l->keys, (const char *)sqlite3_column_text(l->key, 0)))
            return 0;
    }
    sqlite3_reset(l->end);
    sqlite3_bind_int64(l->end, 1, rid);
    sqlite3_bind_int64(l->end, 2, l->r->load_id);
    if (sqlite3_step(l->end) != SQLITE_DONE)
        return store_err(l->db, "ending a record's version");
    l->r->rows_closed++;
    return 0;
}

/* Takes the version RID that this load stored out again. */
static int unstore(struct ldr *l, uint32_t rid)
{
    sqlite3_reset(l->del);
    sqlite3_bind_int64(l->del, 1, rid);
    if (sqlite3_step(l->del) != SQLITE_DONE)
        return store_err(l->db, "taking back a stored record");
    int rc = store_hash_clear(l->db, l->k->name, &l->hblob, rid);
    if (rc < 0)
        return rc;
    l->r->rows_added--;
    return 0;
}

static int on_diff(void *ctx, enum vd_result res, uint32_t id)
{
    struct ldr *l = ctx;
    int rc;
    switch (res) {
    case VD_NEW:
        if (l->deferred)
            bits_set(&l->todo, id);
        return 0;
    case VD_UNCHANGED:
    case VD_DUPLICATE:
        if (!l->deferred && (rc = unstore(l, id)) < 0)
            return rc;
        if (res == VD_UNCHANGED)
            l->r->rows_unchanged++;
        else
            l->r->rows_duplicate++;
        return 0;
    case VD_ENDED:   /* in hash order: ended once the join is done, in rid order */
        bits_set(&l->ended, id);
        return 0;
    case VD_PAIRED_UNCHANGED:   /* only a reload pairs: it has nothing to take back */
    case VD_PAIRED_DUPLICATE:
        if (!l->deferred)
            return error("'%s': a record was paired in a first load", l->k->name);
        if (res == VD_PAIRED_UNCHANGED)
            l->r->rows_unchanged++;
        else
            l->r->rows_duplicate++;
        return 0;
    }
    return 0;
}

/* The second pass of a reload from what the first kept: stores (or quarantines) the records
 * marked in todo, in file order, as reading the file again would. Every one of them must
 * have been kept. */
static int replay(struct ldr *l)
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
        stage(l, &rec, 0);
        rc = process(l, &l->sg);
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

/* Sorts the file's records against the open versions (see struct ldr). */
static int diff(struct ldr *l)
{
    struct sbuf sql = SBUF_INIT;
    int rc;
    sbuf_addf(&sql, "INSERT INTO %s_end(rid, to_load) VALUES(?, ?)", l->k->name);
    if ((rc = store_prepare(l->db, sql.s, &l->end)) < 0)
        goto done;
    sbuf_reset(&sql);
    sbuf_addf(&sql, "DELETE FROM %s WHERE rid=?", l->k->name);
    if ((rc = store_prepare(l->db, sql.s, &l->del)) < 0)
        goto done;
    if (l->k->upsert) {
        sbuf_reset(&sql);
        sbuf_addf(&sql, "SELECT applicant_id FROM %s WHERE rid=?", l->k->name);
        if ((rc = store_prepare(l->db, sql.s, &l->key)) < 0)
            goto done;
    }
    if ((rc = vd_run(l->vd, on_diff, l)) < 0)
        goto done;
    for (size_t i = 0; i < l->ended.len; i++)
        for (unsigned b = 0; l->ended.b[i] >> b; b++)
            if ((l->ended.b[i] >> b & 1) && (rc = end_version(l, (uint32_t)(i * 8 + b))) < 0)
                goto done;
    if (l->hblob && sqlite3_blob_close(l->hblob) != SQLITE_OK)
        rc = store_err(l->db, "clearing record hashes");
    l->hblob = NULL;
done:
    sbuf_free(&sql);
    return rc;
}

static int finish(struct ldr *l)
{
    struct ldr_result *r = l->r;
    sqlite3_stmt *st = NULL;
    int rc;
    if (!l->started && (rc = start(l)) < 0)
        return rc;
    if ((rc = check_required(l)) < 0)
        return rc;
    if (r->rows_read == 0 && !l->k->upsert)
        return xv_fail(XV_EDATA, "%s: no records: an empty snapshot would erase every '%s' "
                       "record; file refused", l->o->file, l->k->name);
    if (r->rows_read > 0 &&
        (double)r->rows_quarantined > l->o->quarantine_limit * (double)r->rows_read) {
        for (int i = 0; i < r->nnotes; i++)
            fprintf(stderr, "xverify: %s\n", r->notes[i]);
        return xv_fail(XV_EDATA, "%s: %ld of %ld records quarantined (%.1f%%), over the limit "
                       "of %.1f%%; file refused, nothing loaded", l->o->file,
                       r->rows_quarantined, r->rows_read,
                       100.0 * (double)r->rows_quarantined / (double)r->rows_read,
                       100.0 * l->o->quarantine_limit);
    }
    if (!strcmp(l->k->name, "applicant")) {
        /* the status column sets an application's status when it is first seen only */
        if ((rc = store_prepare(l->db,
                 "INSERT INTO app_status(applicant_id,status,from_date,load_id,source) "
                 "SELECT a.applicant_id, a.status, ?1, ?2, 'load' FROM applicant a "
                 "WHERE a.load_id=?2 AND NOT EXISTS (SELECT 1 FROM app_status s "
                 "WHERE s.applicant_id=a.applicant_id) ORDER BY a.rid", &st)) < 0)
            return rc;
        sqlite3_bind_text(st, 1, r->as_of, 10, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, r->load_id);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = store_err(l->db, "recording statuses");
            sqlite3_finalize(st);
            return rc;
        }
        sqlite3_finalize(st);
    }
    if (l->unknown.len)
        r->unknown_columns = xstrdup(l->unknown.s);
    if ((rc = store_prepare(l->db,
             "UPDATE loads SET rows_read=?,rows_added=?,rows_unchanged=?,rows_closed=?,"
             "rows_duplicate=?,rows_quarantined=?,unknown_columns=? WHERE id=?", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->rows_read);
    sqlite3_bind_int64(st, 2, r->rows_added);
    sqlite3_bind_int64(st, 3, r->rows_unchanged);
    sqlite3_bind_int64(st, 4, r->rows_closed);
    sqlite3_bind_int64(st, 5, r->rows_duplicate);
    sqlite3_bind_int64(st, 6, r->rows_quarantined);
    sqlite3_bind_text(st, 7, l->unknown.len ? l->unknown.s : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, r->load_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(l->db, "recording the load");
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    char subject[32];
    struct sbuf detail = SBUF_INIT;
    snprintf(subject, sizeof subject, "%lld", r->load_id);
    sbuf_addf(&detail, "%s %s as of %s sha256 %s: %ld read, %ld added, %ld closed, "
                       "%ld quarantined", l->k->name, l->o->file, r->as_of, r->sha256,
              r->rows_read, r->rows_added, r->rows_closed, r->rows_quarantined);
    rc = audit_append(l->db, "load", subject, sbuf_str(&detail));
    sbuf_free(&detail);
    return rc;
}

static int find_same(struct ldr *l)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(l->db, "SELECT id, as_of FROM loads WHERE kind=? AND sha256=? AND "
                                  "map_sha256=? ORDER BY id LIMIT 1", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, l->k->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, l->info.sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, l->have_map ? l->map.sha256 : "", -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        l->r->same_as = sqlite3_column_int64(st, 0);
        snprintf(l->r->as_of, sizeof l->r->as_of, "%s", sqlite3_column_text(st, 1));
    } else if (s != SQLITE_DONE) {
        rc = store_err(l->db, "looking up earlier loads");
    }
    sqlite3_finalize(st);
    return rc;
}

/* The records stored were given the rids counted: the vdiff's ids are right. */
static int check_rids(struct ldr *l)
{
    long long max = 0;
    int rc = max_rid(l, &max);
    if (rc >= 0 && max != l->next_rid - 1)
        rc = error("'%s': the last record stored has rid %lld, not %lld as counted; load "
                   "refused", l->k->name, max, (long long)l->next_rid - 1);
    return rc < 0 ? rc : 0;
}

/* Reads the file once through (opening SRC; *OPEN_OK says it is open), checking that it
 * is still the file that was scanned. */
static int read_source(struct ldr *l, struct src *src, int *open_ok)
{
    int rc;
    if ((rc = src_open(src, l->o->file, l->info.enc)) < 0)
        return rc;
    *open_ok = 1;
    struct reader_cb cb = { on_column, on_columns_done, on_as_of, on_record, l,
                            l->pass == 2 ? wanted : NULL, on_line, on_before };
    if (!strcmp(l->r->format, "xml")) {
        struct xml_layout lay = { l->have_map ? l->map.record : NULL,
                                  l->have_map ? l->map.as_of : NULL };
        rc = xmlin_read(src, l->o->file, &lay, &cb);
    } else {
        rc = csvin_read(src, l->o->file, &cb);
    }
    if (rc < 0 || (rc = src_finish(src)) < 0)
        return rc;
    l->src = src;
    l->read_done = 1;
    return l->job ? 0 : src_same(src, &l->info);
}

/* Joins the scan job, if any: its verdict on the encoding must be the guess the reading used,
 * the bytes read must be the bytes hashed, and a file loaded before is left alone
 * (r->same_as). The load row gets the file's hash. */
static int join_scan(struct ldr *l)
{
    struct ldr_result *r = l->r;
    if (!l->job)
        return 0;
    enum src_enc guess = l->info.enc;
    int rc = src_scan_wait(l->job, &l->info);
    l->job = NULL;
    if (rc < 0)
        return rc;
    /* the guess is UTF-8 or GB18030 only from valid text, and a first MiB that is not UTF-8
     * cannot make a whole that is: the one way to differ is this */
    if (l->info.enc != guess)
        return xv_fail(XV_EDATA, "'%s': its first MiB is UTF-8 but the byte at offset %llu is "
                       "not, and the whole file is only valid GB18030; a file that mixes "
                       "encodings is refused (--encoding forces one)", l->o->file,
                       l->info.not_utf8_at);
    if (l->read_done && (rc = src_same(l->src, &l->info)) < 0)
        return rc;
    memcpy(r->sha256, l->info.sha256, sizeof r->sha256);
    if ((rc = find_same(l)) < 0 || r->same_as)
        return rc;
    if (!l->started)
        return 0;
    sqlite3_stmt *st = NULL;
    if ((rc = store_prepare(l->db, "UPDATE loads SET sha256=? WHERE id=?", &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, l->info.sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->load_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(l->db, "recording the file's hash");
    sqlite3_finalize(st);
    return rc;
}

static const char *format_of(const struct ldr *l)
{
    if (l->have_map && l->map.format)
        return l->map.format;
    const char *dot = strrchr(l->o->file, '.');
    if (dot && !strcasecmp(dot, ".xml"))
        return "xml";
    return "csv";
}

/* One attempt at a load: CHECK says whether the open versions read from <kind>_hash must be
 * as many as the loads count (LDR_REHASH when not). */
static int load_once(sqlite3 *db, const struct ldr_opts *o, struct ldr_result *r, int check)
{
    struct ldr l;
    struct src src;
    int rc, src_open_ok = 0, in_tx = 0, bulk = 0;
    memset(&l, 0, sizeof l);
    memset(r, 0, sizeof *r);
    l.db = db;
    l.o = o;
    l.r = r;
    l.open_expect = check ? 0 : -1;
    l.t0 = now_seconds();
    l.next_progress = 65536;
    if (o->kind && !(l.k = kind_find(o->kind))) {
        rc = xv_fail(XV_EUSAGE, "unknown kind '%s'", o->kind);
        goto done;
    }
    if (o->map) {
        if ((rc = map_load(o->map, l.k, &l.map)) < 0)
            goto done;
        l.have_map = 1;
        l.k = l.map.kind;
        memcpy(&l.seed, l.map.sha256, sizeof l.seed);
    }
    if (!l.k) {
        rc = xv_fail(XV_EUSAGE, "no kind given");
        goto done;
    }
    if (o->as_of) {
        if (norm_date(o->as_of, r->as_of) < 0 || strcmp(r->as_of, o->as_of)) {
            rc = xv_fail(XV_EUSAGE, "--as-of '%s' is not a date YYYY-MM-DD", o->as_of);
            goto done;
        }
    }
    int enc = ENC_AUTO;
    if (o->encoding) {
        if ((enc = src_enc_parse(o->encoding)) < 0) {
            rc = xv_fail(XV_EUSAGE, "unknown encoding '%s' (auto, utf-8 or gb18030)",
                         o->encoding);
            goto done;
        }
    } else if (l.have_map && l.map.encoding >= 0) {
        enc = l.map.encoding;
    }
    snprintf(r->kind, sizeof r->kind, "%s", l.k->name);
    snprintf(r->format, sizeof r->format, "%s", format_of(&l));
    /* the scan runs beside the first pass when the first MiB tells the encoding */
    enum src_enc guess = enc == ENC_AUTO ? src_guess(o->file) : (enum src_enc)enc;
    struct stat sb;
    if (guess != ENC_AUTO && stat(o->file, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if ((rc = src_scan_start(&l.job, o->file, (enum src_enc)enc)) < 0)
            goto done;
        l.info.enc = guess;
        l.info.size = (unsigned long long)sb.st_size;
    } else if ((rc = src_scan(o->file, enc, &l.info)) < 0) {
        goto done;
    }
    memcpy(r->sha256, l.info.sha256, sizeof r->sha256);
    r->encoding = src_enc_name(l.info.enc);
    /* a first load of a kind (upserts aside: they are small) writes its table once */
    long long open_before = 0;
    if (!l.k->upsert && (rc = count_open(db, l.k->name, &open_before)) < 0)
        goto done;
    if (!l.k->upsert && open_before == 0 && (rc = bulk = store_bulk(db)) < 0)
        goto done;
    if ((rc = store_begin(db)) < 0)
        goto done;
    in_tx = 1;
    if (!l.job && ((rc = find_same(&l)) < 0 || r->same_as))
        goto done;
    l.srcmap = NULL;
    l.colsrc = xmalloc((size_t)l.k->ncols * sizeof *l.colsrc);
    for (int i = 0; i < l.k->ncols; i++)
        l.colsrc[i] = -1;
    l.val = xcalloc((size_t)l.k->ncols, sizeof *l.val);
    l.rawv = xcalloc((size_t)l.k->ncols, sizeof *l.rawv);
    l.same = xcalloc((size_t)l.k->ncols, sizeof *l.same);
    l.norm = xcalloc((size_t)l.k->ncols, sizeof *l.norm);
    l.warn = xcalloc((size_t)l.k->ncols, sizeof *l.warn);
    if ((rc = read_source(&l, &src, &src_open_ok)) < 0) {
        if (rc == LDR_SAME)   /* the scan found the file loaded before */
            rc = 0;
        goto done;
    }
    if (!l.started && (rc = start(&l)) < 0)
        goto done;
    if (l.deferred) {
        if ((rc = open_wait(&l)) < 0 || (rc = join_scan(&l)) < 0 || r->same_as)
            goto done;
        /* the vdiff says which records are new; a second pass stores them */
        if ((rc = diff(&l)) < 0)
            goto done;
        if (l.todo.len && !l.keep_over) {
            l.pass = 2;
            if ((rc = wr_start(&l.w, db, l.stmt, NOPS)) < 0 || (rc = replay(&l)) < 0)
                goto done;
        } else if (l.todo.len) {
            src_close(&src);
            src_open_ok = 0;
            l.pass = 2;
            for (int i = 0; i < l.k->ncols; i++)
                l.colsrc[i] = -1;
            sbuf_reset(&l.unknown);
            if ((rc = wr_start(&l.w, db, l.stmt, NOPS)) < 0 ||
                (rc = read_source(&l, &src, &src_open_ok)) < 0)
                goto done;
        }
    }
    if (l.w) {
        rc = chunk_flush(&l);
        int wrc = wr_finish(l.w);
        rc = rc < 0 ? rc : wrc;
        l.w = NULL;
        if (rc < 0 || (rc = check_rids(&l)) < 0)
            goto done;
    }
    if (!l.deferred && ((rc = join_scan(&l)) < 0 || r->same_as || (rc = diff(&l)) < 0))
        goto done;
    /* the open versions paired with a line of another hash get that line's: the next reload
     * can then take the line without splitting it (after the second pass, which may have
     * rewritten the last row of <kind>_hash) */
    const uint32_t *rrid;
    const uint64_t *rline;
    size_t nref = l.deferred ? vd_refreshes(l.vd, &rrid, &rline) : 0;
    if (nref && (rc = store_hash_lines(db, l.k->name, rrid, rline, nref)) < 0)
        goto done;
    if ((rc = finish(&l)) < 0)
        goto done;
    for (int i = 0; i < NOPS; i++) {
        sqlite3_finalize(l.stmt[i]);
        l.stmt[i] = NULL;
    }
    crash_point("load-stored");   /* everything written, nothing committed */
    if ((rc = store_commit(db)) < 0)
        goto done;
    in_tx = 0;
    r->seconds = now_seconds() - l.t0;
    progress(&l, 1);
    rc = r->rows_quarantined ? XV_ENEEDS : 0;
done:
    if (l.ojob)
        open_wait(&l);
    if (l.job) {   /* a failed load still waits for the scan; its verdict is shown too */
        struct src_info spare;
        src_scan_wait(l.job, &spare);
    }
    if (r->same_as)
        r->load_id = 0;
    if (l.w)
        wr_finish(l.w);
    for (int i = 0; i < NOPS; i++)
        sqlite3_finalize(l.stmt[i]);
    sqlite3_blob_close(l.hblob);
    if (in_tx)
        store_rollback(db);
    if (bulk > 0)
        store_bulk_end(db);
    if (rc < 0 && rc != XV_ENEEDS)
        r->load_id = 0;
    if (src_open_ok)
        src_close(&src);
    if (l.have_map)
        map_free(&l.map);
    free(l.srcmap);
    free(l.fpos);
    free(l.colsrc);
    free(l.val);
    free(l.rawv);
    free(l.same);
    if (l.norm)
        for (int i = 0; i < l.k->ncols; i++)
            sbuf_free(&l.norm[i]);
    free(l.norm);
    free(l.warn);
    vd_free(l.vd);
    free(l.todo.b);
    free(l.ended.b);
    sbuf_free(&l.keep);
    free(l.chunk);
    sqlite3_finalize(l.del);
    sqlite3_finalize(l.end);
    sqlite3_finalize(l.key);
    keyset_free(&l.keys);
    sbuf_free(&l.unknown);
    staged_free(&l.sg);
    sbuf_free(&l.craw);
    sbuf_free(&l.tmp);
    return rc;
}

int ldr_run(sqlite3 *db, const struct ldr_opts *o, struct ldr_result *r)
{
    int rc = load_once(db, o, r, 1);
    if (rc != LDR_REHASH)
        return rc;
    /* the rebuild is a transaction of its own: the attempt's was rolled back */
    char kind[sizeof r->kind];
    memcpy(kind, r->kind, sizeof kind);
    ldr_result_free(r);
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = store_hash_rebuild(db, kind)) < 0) {
        store_rollback(db);
        return rc;
    }
    if ((rc = store_commit(db)) < 0)
        return rc;
    /* cannot happen: the rows were just written as they must be; were it to, the store
     * failed its check (exit 4) */
    if ((rc = load_once(db, o, r, 0)) == LDR_REHASH)
        rc = xv_fail(XV_ELOCKED, "'%s_hash' is still damaged after its rebuild", kind);
    return rc;
}

void ldr_result_free(struct ldr_result *r)
{
    for (int i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->notes);
    free(r->unknown_columns);
    r->notes = NULL;
    r->unknown_columns = NULL;
    r->nnotes = 0;
}

void ldr_print(FILE *f, const struct ldr_result *r)
{
    if (r->same_as) {
        fprintf(f, "%s: identical to load %lld (as of %s); nothing to do\n", r->kind, r->same_as,
                r->as_of);
        return;
    }
    fprintf(f, "load %lld: %s as of %s (%s), %s, %s, sha256 %.12s\n", r->load_id, r->kind,
            r->as_of, r->as_of_source, r->format, r->encoding, r->sha256);
    fprintf(f, "  records read %ld: added %ld, unchanged %ld, duplicate %ld, quarantined %ld; "
               "ended %ld\n", r->rows_read, r->rows_added, r->rows_unchanged, r->rows_duplicate,
            r->rows_quarantined, r->rows_closed);
    if (r->unknown_columns)
        fprintf(f, "  unknown columns ignored: %s\n", r->unknown_columns);
    for (int i = 0; i < r->nnotes; i++)
        fprintf(f, "  %s\n", r->notes[i]);
    if (r->more_notes)
        fprintf(f, "  ... and %ld more (see the quarantine table)\n", r->more_notes);
}
