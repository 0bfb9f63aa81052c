/* bkeys.c: the blocking keys of a person or a feed record, and the entries of <kind>_keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "bkeys.h"
#include "err.h"
#include "store.h"
#include "util.h"

enum { K_ID = 1, K_ID17, K_BIRTHSEG_NAME, K_BIRTH_NAME, K_REGION_SEQ_NAME };

static uint64_t key_of(int type, const char *a, size_t na, const char *b, size_t nb)
{
    char buf[256];
    size_t n = 0;
    buf[n++] = (char)type;
    if (na + nb + 2 > sizeof buf)
        return 0;
    memcpy(buf + n, a, na);
    n += na;
    buf[n++] = '\x1f';
    memcpy(buf + n, b, nb);
    n += nb;
    uint64_t h = XXH3_64bits(buf, n);
    return h ? h : 1;
}

/* The keys of bkeys_of, the full ID's first when WITH_ID. */
static int keys_of(const char *id, const char *name, const char *birth, int with_id,
                   uint64_t out[5])
{
    int n = 0;
    size_t nl = strlen(name);
    if (with_id)
        out[n++] = key_of(K_ID, id, 18, "", 0);
    out[n++] = key_of(K_ID17, id, 17, "", 0);
    out[n++] = key_of(K_BIRTHSEG_NAME, id + 6, 8, name, nl);
    char ymd[8];
    if (birth[0]) {
        memcpy(ymd, birth, 4);
        memcpy(ymd + 4, birth + 5, 2);
        memcpy(ymd + 6, birth + 8, 2);
        out[n++] = key_of(K_BIRTH_NAME, ymd, 8, name, nl);
    }
    char rs[9];
    memcpy(rs, id, 6);
    memcpy(rs + 6, id + 14, 3);
    out[n++] = key_of(K_REGION_SEQ_NAME, rs, 9, name, nl);
    return n;
}

int bkeys_of(const char *id, const char *name, const char *birth, uint64_t out[5])
{
    return keys_of(id, name, birth, 1, out);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

void bkeys_birth_of_id(const char *id, char out[11])
{
    out[0] = '\0';
    if (strlen(id) != 18)
        return;
    int y = digits(id + 6, 4), m = digits(id + 10, 2), d = digits(id + 12, 2);
    if (y < 0 || m < 0 || d < 0 || !date_is_real(y, m, d))
        return;
    memcpy(out, id + 6, 4);
    out[4] = '-';
    memcpy(out + 5, id + 10, 2);
    out[7] = '-';
    memcpy(out + 8, id + 12, 2);
    out[10] = '\0';
}

uint32_t bkeys_text(const char *s)
{
    if (!s || !*s)
        return 0;
    return bkeys_short(XXH3_64bits(s, strlen(s)));
}

const char *bkeys_extra_col(const struct kind *k)
{
    if (kind_col(k, "period") >= 0)
        return "period";
    if (kind_col(k, "household_no") >= 0)
        return "household_no";
    return NULL;
}

void bkeys_make(const char *col, const char *id, const char *name, const char *birth,
                const char *extra_text, long long load, struct bkeys_entry *e)
{
    memset(e, 0, sizeof *e);
    e->load = (uint32_t)load;
    if (id && name && strlen(id) == 18) {
        char idbirth[11];
        uint64_t kk[5];
        if (!birth || !*birth) {
            bkeys_birth_of_id(id, idbirth);
            birth = idbirth;
        }
        int n = keys_of(id, name, birth, 0, kk);   /* an ID met is met by its first 17 */
        e->k[0] = bkeys_short(kk[0]);
        e->k[1] = bkeys_short(kk[1]);
        e->k[2] = n == 4 ? bkeys_short(kk[2]) : 0;
        e->k[3] = bkeys_short(kk[n - 1]);
    }
    if (!col || !extra_text)
        return;
    if (!strcmp(col, "period")) {
        int y = strlen(extra_text) == 7 ? digits(extra_text, 4) : -1;
        int m = y >= 0 ? digits(extra_text + 5, 2) : -1;
        if (y >= 0 && m >= 0)
            e->extra = (uint32_t)(y * 100 + m);
    } else {
        e->extra = bkeys_text(extra_text);
    }
}

void bkeys_set_init(struct bkeys_set *f, size_t n)
{
    size_t nbits = 4096, nset = 1024;
    while (nbits < n * 32)
        nbits *= 2;
    while (nset < n * 2)
        nset *= 2;
    f->bits = xcalloc(nbits / 64, sizeof *f->bits);
    f->bmask = (uint32_t)(nbits - 1);
    f->set = xcalloc(nset, sizeof *f->set);
    f->smask = (uint32_t)(nset - 1);
    f->count = 0;
}

static void set_put(uint32_t *set, uint32_t mask, uint32_t k)
{
    uint32_t i = (k * 2654435761u) & mask;
    while (set[i] && set[i] != k)
        i = (i + 1) & mask;
    set[i] = k;
}

void bkeys_set_add(struct bkeys_set *f, uint32_t k)
{
    if (!k)
        return;
    f->bits[(k & f->bmask) >> 6] |= 1ull << (k & 63);
    if (++f->count * 2 > (size_t)f->smask + 1) {
        /* more than the set was sized for: twice as many slots */
        uint32_t mask = f->smask * 2 + 1, *set = xcalloc((size_t)mask + 1, sizeof *set);
        for (size_t i = 0; i <= f->smask; i++)
            if (f->set[i])
                set_put(set, mask, f->set[i]);
        free(f->set);
        f->set = set;
        f->smask = mask;
    }
    set_put(f->set, f->smask, k);
}

void bkeys_set_free(struct bkeys_set *f)
{
    free(f->bits);
    free(f->set);
    f->bits = NULL;
    f->set = NULL;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void bkeys_put(unsigned char *at, const struct bkeys_entry *e)
{
    for (int i = 0; i < 4; i++)
        put32(at + 4 * i, e->k[i]);
    put32(at + 16, e->load);
    put32(at + 20, e->extra);
}

void bkeys_get(const unsigned char *at, struct bkeys_entry *e)
{
    for (int i = 0; i < 4; i++)
        e->k[i] = get32(at + 4 * i);
    e->load = get32(at + 16);
    e->extra = get32(at + 20);
}

int bkeys_open(sqlite3 *db, const struct kind *k, long long load, int64_t from, int64_t to,
               struct bkeys_cursor *c)
{
    char sql[128];
    memset(c, 0, sizeof *c);
    c->db = db;
    c->k = k;
    c->load = load;
    c->from = from < 0 ? 0 : from;
    c->to = to;
    c->no = -1;
    snprintf(sql, sizeof sql, "SELECT chunk, keys FROM %s_keys WHERE chunk BETWEEN ?1 AND ?2 "
                              "ORDER BY chunk", k->name);
    int rc = store_prepare(db, sql, &c->chunks);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(c->chunks, 1, c->from / BKEYS_RIDS);
    sqlite3_bind_int64(c->chunks, 2, to > 0 ? (to - 1) / BKEYS_RIDS : -1);
    /* the ends are read beside the entries, in rid order (see RUN_VISIBLE) */
    return store_ends_open(db, k->name, load, c->from, &c->ends) < 0 ? xv_error_raise() : 0;
}

int bkeys_next(struct bkeys_cursor *c)
{
    int s = sqlite3_step(c->chunks);
    if (s == SQLITE_DONE)
        return 0;
    if (s != SQLITE_ROW)
        return store_err(c->db, "reading record keys");
    c->no = sqlite3_column_int64(c->chunks, 0);
    c->row = sqlite3_column_blob(c->chunks, 1);
    if (c->no < 0 || c->no > INT64_MAX / BKEYS_RIDS - 1 ||
        sqlite3_column_bytes(c->chunks, 1) != BKEYS_ROW)
        return xv_fail(XV_ELOCKED, "'%s_keys' has a damaged row at %lld: the database was "
                       "changed outside xverify ('xverify check' tells more)", c->k->name,
                       (long long)c->no);
    int64_t first = c->no * BKEYS_RIDS;
    c->j0 = c->from > first ? (int)(c->from - first) : 0;
    c->j1 = c->to - first < BKEYS_RIDS ? (int)(c->to - first) : BKEYS_RIDS;
    return 1;
}

int bkeys_sees(struct bkeys_cursor *c, int64_t rid, const struct bkeys_entry *e)
{
    if (!e->load || e->load > c->load)
        return 0;
    int ended = store_ends_has(&c->ends, rid);
    return ended < 0 ? xv_error_raise() : !ended;
}

int bkeys_each_in(sqlite3 *db, const struct kind *k, long long load, int field,
                  const struct bkeys_set *set,
                  int (*fn)(void *ctx, int64_t rid, const struct bkeys_entry *e), void *ctx)
{
    struct bkeys_cursor cur;
    int rc = bkeys_open(db, k, load, 0, INT64_MAX, &cur);
    while (rc == 0 && (rc = bkeys_next(&cur)) > 0) {
        rc = 0;
        for (int j = cur.j0; j < cur.j1 && rc == 0; j++) {
            uint32_t v = bkeys_key(cur.row, j, field);
            if (!v || !bkeys_set_has(set, v))
                continue;
            struct bkeys_entry e;
            int64_t rid = cur.no * BKEYS_RIDS + j;
            bkeys_get(cur.row + (size_t)j * BKEYS_SIZE, &e);
            if ((rc = bkeys_sees(&cur, rid, &e)) > 0)
                rc = fn(ctx, rid, &e);
        }
    }
    bkeys_close(&cur);
    return rc;
}

void bkeys_close(struct bkeys_cursor *c)
{
    sqlite3_finalize(c->chunks);
    c->chunks = NULL;
    store_ends_close(&c->ends);
}

int bkeys_clear(sqlite3 *db, const char *kind, sqlite3_blob **blob, int64_t rid)
{
    static const unsigned char zero[BKEYS_SIZE];
    char table[64];
    snprintf(table, sizeof table, "%s_keys", kind);
    int rc = store_chunk_row(db, table, "keys", "record keys", rid / BKEYS_RIDS, BKEYS_ROW,
                             blob);
    if (rc == 0 && sqlite3_blob_write(*blob, zero, BKEYS_SIZE, (int)bkeys_at(rid)) != SQLITE_OK)
        rc = store_err(db, "clearing record keys");
    return rc;
}

/* Calls FN with every chunk of feed K's entries as its rows give them, in chunk order. */
static int each_chunk(sqlite3 *db, const struct kind *k,
                      int (*fn)(void *ctx, int64_t no, const unsigned char *row), void *ctx)
{
    sqlite3_stmt *st = NULL;
    unsigned char *buf = xcalloc(1, BKEYS_ROW);
    struct sbuf sql = SBUF_INIT;
    int64_t no = -1;
    int rc, s;
    const char *extra = bkeys_extra_col(k);
    sbuf_addf(&sql, "SELECT rid, load_id, id_no, name, %s, %s FROM %s ORDER BY rid",
              kind_col(k, "birth_date") >= 0 ? "birth_date" : "NULL", extra ? extra : "NULL",
              k->name);
    if ((rc = store_prepare(db, sql.s, &st)) < 0)
        goto done;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rid = sqlite3_column_int64(st, 0);
        if (rid < 0) {
            rc = xv_fail(XV_ELOCKED, "'%s' has a record with rid %lld", k->name, (long long)rid);
            goto done;
        }
        if (rid / BKEYS_RIDS != no) {
            if (no >= 0 && (rc = fn(ctx, no, buf)) < 0)
                goto done;
            memset(buf, 0, BKEYS_ROW);
            no = rid / BKEYS_RIDS;
        }
        struct bkeys_entry e;
        bkeys_make(extra, (const char *)sqlite3_column_text(st, 2),
                   (const char *)sqlite3_column_text(st, 3),
                   (const char *)sqlite3_column_text(st, 4),
                   (const char *)sqlite3_column_text(st, 5), sqlite3_column_int64(st, 1), &e);
        bkeys_put(buf + bkeys_at(rid), &e);
    }
    if (s != SQLITE_DONE) {
        rc = store_err(db, "reading records for their keys");
        goto done;
    }
    if (no >= 0)
        rc = fn(ctx, no, buf);
done:
    sqlite3_finalize(st);
    sbuf_free(&sql);
    free(buf);
    return rc;
}

static int put_chunk(void *ctx, int64_t no, const unsigned char *row)
{
    sqlite3_stmt *st = ctx;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, no);
    sqlite3_bind_blob(st, 2, row, BKEYS_ROW, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : store_err(sqlite3_db_handle(st),
                                                           "writing record keys");
}

int bkeys_rebuild(sqlite3 *db, const struct kind *k)
{
    sqlite3_stmt *put = NULL;
    struct sbuf sql = SBUF_INIT;
    sbuf_addf(&sql, "DELETE FROM %s_keys", k->name);
    int rc = store_exec(db, sql.s);
    sbuf_reset(&sql);
    sbuf_addf(&sql, "INSERT INTO %s_keys(chunk, keys) VALUES(?, ?)", k->name);
    if (rc == 0 && (rc = store_prepare(db, sql.s, &put)) == 0)
        rc = each_chunk(db, k, put_chunk, put);
    sqlite3_finalize(put);
    sbuf_free(&sql);
    return rc;
}

struct checking {
    sqlite3_stmt *get;     /* the stored chunks, in order */
    int s;                 /* its last step */
    long bad;
};

static long differ(const unsigned char *a, const unsigned char *b)
{
    long n = 0;
    for (int i = 0; i < BKEYS_RIDS; i++)
        n += memcmp(a + (size_t)i * BKEYS_SIZE, b + (size_t)i * BKEYS_SIZE, BKEYS_SIZE) != 0;
    return n;
}

static const unsigned char zero_row[BKEYS_ROW];

/* Compares the stored chunks before NO with nothing, and chunk NO with ROW (NULL: nothing). */
static int compare_upto(struct checking *c, int64_t no, const unsigned char *row)
{
    int matched = 0;
    while (c->s == SQLITE_ROW && (no < 0 || sqlite3_column_int64(c->get, 0) <= no)) {
        const unsigned char *have = sqlite3_column_blob(c->get, 1);
        int n = sqlite3_column_bytes(c->get, 1);
        int at = no >= 0 && sqlite3_column_int64(c->get, 0) == no;
        matched |= at;
        if (n != BKEYS_ROW)
            c->bad += BKEYS_RIDS;
        else
            c->bad += differ(have, at && row ? row : zero_row);
        c->s = sqlite3_step(c->get);
    }
    if (!matched && row)
        c->bad += differ(zero_row, row);
    return c->s == SQLITE_ROW || c->s == SQLITE_DONE ? 0 : store_err(sqlite3_db_handle(c->get),
                                                                      "reading record keys");
}

static int check_chunk(void *ctx, int64_t no, const unsigned char *row)
{
    return compare_upto(ctx, no, row);
}

int bkeys_check(sqlite3 *db, const struct kind *k, long *bad)
{
    struct checking c = { NULL, SQLITE_DONE, 0 };
    struct sbuf sql = SBUF_INIT;
    sbuf_addf(&sql, "SELECT chunk, keys FROM %s_keys ORDER BY chunk", k->name);
    int rc = store_prepare(db, sql.s, &c.get);
    if (rc == 0) {
        c.s = sqlite3_step(c.get);
        if ((rc = each_chunk(db, k, check_chunk, &c)) == 0)
            rc = compare_upto(&c, -1, NULL);
    }
    sqlite3_finalize(c.get);
    sbuf_free(&sql);
    *bad = c.bad;
    return rc;
}
