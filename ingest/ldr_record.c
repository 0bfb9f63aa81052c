/* ldr_record.c: one record of a load: hashed, paired, kept, normalised value by value, and
 * stored or quarantined (the per-record path, kept in one file so that it inlines). */

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
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"
#include "ldr_int.h"

static int store_record(struct ldr *l, const struct staged *sg, const char *key);

/* The hash of a plain CSV line (its N bytes at S without the line end); never 0, which
 * says "none". */
static uint64_t line_hash(const struct ldr *l, const char *s, size_t n)
{
    uint64_t h = XXH3_64bits_withSeed(s, n, l->line_seed);
    return h ? h : 1;
}

/* ---- the open versions, read beside the first pass of a reload ---- */

/* Adds the hash of a file record to the vdiff; ID (a record number or rid) must fit its
 * 32 bits. Returns 0, or 1 when the record was paired with an open version (then it cannot
 * be new), or a negative code. */
static int add_hash(struct ldr *l, uint64_t h1, uint64_t h2, uint64_t line, int64_t id)
{
    if (id < 0 || id > (int64_t)UINT32_MAX)
        return error("'%s' holds more records than this xverify can compare", l->k->name);
    int rc = vd_add(l->vd, VD_FILE, h1, h2, line, (uint32_t)id);
    return rc < 0 ? xv_error_raise() : rc;
}

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

static int quarantine(struct ldr *l, const struct rec *rec, const char *raw, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    l->r->rows_quarantined++;
    ldr_note(l->r, "%s:%ld: quarantined: %s", l->o->file, rec->line, reason);
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

/* Column I is empty: its default, or NULL, as parameter P (and its validity flag). */
static int put_empty(struct ldr *l, int i, int p)
{
    const struct column *c = &l->k->cols[i];
    struct wr *st = l->w;
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

/* A text column: kept as folded (in l->tmp, which the text returned is, until the next value
 * is folded); an unknown code of a CT_ENUM is warned of once. */
static const char *put_text(struct ldr *l, const struct rec *rec, int i, int p)
{
    const struct column *c = &l->k->cols[i];
    const char *s = l->tmp.s;
    wr_text(l->w, p, s, l->tmp.len);
    if (c->known) {
        const char *const *k = c->known;
        while (*k && strcmp(*k, s))
            k++;
        if (!*k && !l->warn[i].unknown++)
            ldr_note(l->r, "%s:%ld: warning: unknown %s '%s' kept as given", l->o->file,
                     rec->line, c->name, s);
    }
    return s;
}

/* Normalises V as column I's type into parameter *P (and a validity flag after it, moving
 * *P on). Returns 0 with *TEXT the normalised value as text (NULL for a number), or a
 * negative code when V cannot be read. */
static int put_typed(struct ldr *l, const struct rec *rec, int i, const char *v, int *p,
                     const char **text)
{
    const struct column *c = &l->k->cols[i];
    struct wr *st = l->w;
    struct sbuf *nb = &l->norm[i];
    char *out = l->out;
    int valid = 0, rc = 0;
    double d;
    long n;
    const char *s;
    *text = NULL;
    switch (c->type) {
    case CT_ID:
    case CT_USCC:
        rc = c->type == CT_ID ? norm_id(v, out, &valid) : norm_uscc(v, out, &valid);
        if (rc == 0) {
            wr_text(st, *p, out, 18);
            wr_int(st, ++*p, valid);
            *text = out;
        }
        return rc;
    case CT_NAME:
    case CT_PLATE:
        if ((rc = c->type == CT_NAME ? norm_name(v, nb) : norm_plate(v, nb)) == 0) {
            wr_text(st, *p, nb->s, nb->len);
            *text = nb->s;
        }
        return rc;
    case CT_DATE:
    case CT_MONTH:
    case CT_COUNTY:
        rc = c->type == CT_DATE ? norm_date(v, out) : c->type == CT_MONTH ? norm_month(v, out)
                                                                          : norm_county(v, out);
        if (rc == 0) {
            wr_text(st, *p, out, strlen(out));
            *text = out;
        }
        return rc;
    case CT_YUAN:
    case CT_WAN:
    case CT_AREA:
        rc = c->type == CT_AREA ? norm_area(v, &d)
                                : norm_amount(v, c->type == CT_WAN ? 10000 : 1, &d);
        if (rc == 0)
            wr_double(st, *p, d);
        return rc;
    case CT_INT:
        if ((rc = norm_int(v, &n)) == 0)
            wr_int(st, *p, n);
        return rc;
    case CT_BOOL:
        if ((rc = norm_bool(v, &valid)) == 0)
            wr_int(st, *p, valid);
        return rc;
    case CT_GENDER:
    case CT_APPSTATUS:
        rc = c->type == CT_GENDER ? norm_gender(v, &s) : norm_appstatus(v, &s);
        if (rc == 0) {
            wr_text(st, *p, s, strlen(s));
            *text = s;
        }
        return rc;
    case CT_ENUM:
    case CT_TEXT:
        *text = put_text(l, rec, i, *p);
        return 0;
    }
    return 0;
}

/* Keeps TEXT, column I's value as stored (NULL: none), when an entry of <kind>_keys is made
 * of it. */
static void key_text(struct ldr *l, int i, const char *text)
{
    int s = l->kslot ? l->kslot[i] : -1;
    if (s < 0 || !text)
        return;
    sbuf_reset(&l->ktext[s]);
    sbuf_adds(&l->ktext[s], text);
    l->kset[s] = 1;
}

/* Queues column I's normalised value as parameter P; returns the next parameter, or -1 with
 * *WHY set when a required value is missing or unparseable. */
static int put_value(struct ldr *l, const struct rec *rec, int i, int p, const char **why)
{
    const struct column *c = &l->k->cols[i];
    const char *v = l->val[i], *text;
    norm_fold(v, &l->tmp);
    if (l->tmp.len == 0) {
        if (c->required) {
            *why = "missing";
            return -1;
        }
        key_text(l, i, c->deflt);
        return put_empty(l, i, p);
    }
    if (put_typed(l, rec, i, v, &p, &text) == 0) {
        if (text && l->val[i] == l->rawv[i] && !strcmp(text, l->rawv[i]))
            l->same[i] = 1;
        key_text(l, i, text);
        return p + 1;
    }
    if (c->required) {
        *why = "unparseable";
        return -1;
    }
    /* an optional value that cannot be read is stored as unknown; the raw stays */
    if (!l->warn[i].bad++)
        ldr_note(l->r, "%s:%ld: warning: %s '%s' not understood, stored as unknown", l->o->file,
                 rec->line, c->name, v);
    wr_null(l->w, p);
    if (col_has_valid(c))
        wr_null(l->w, ++p);
    return p + 1;
}

/* Normalises and stores (or quarantines) the record SG. */
int ldr_process(struct ldr *l, struct staged *sg)
{
    const struct kind *k = l->k;
    const struct rec *rec = &sg->rec;
    int rc, col = sg->bad_col;
    size_t len = sg->bad_len;
    for (int i = 0; i < k->ncols; i++) {
        l->val[i] = l->rawv[i] = sg->v[i];
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
        if (!strcmp(k->name, "applicant") && ldr_keyset_has(&l->keys, key)) {
            rc = quarantine(l, rec, sg->raw.s, "applicant_id '%s' given twice in the file", key);
            free(key);
            return rc;
        }
    }
    rc = store_record(l, sg, key);
    free(key);
    return rc;
}

void ldr_staged_free(struct staged *sg)
{
    sbuf_free(&sg->raw);
    free(sg->v);
}

/* The second pass wants only the records the first marked. */
int ldr_wanted(void *ctx, long recno)
{
    const struct ldr *l = ctx;
    return recno >= 0 && recno <= (long)UINT32_MAX && bits_has(&l->todo, (uint32_t)recno);
}

/* Copies REC's canonical values into l->sg (unless only HASH_ONLY), hashes the raw record
 * (the canonical values in column order, separated by US) and finds its shape. */
void ldr_stage(struct ldr *l, const struct rec *rec, int hash_only)
{
    const struct kind *k = l->k;
    struct staged *sg = &l->sg;
    sg->rec.line = rec->line;
    sg->rec.recno = rec->recno;
    sg->rec.n = rec->n;
    sg->shape = rec->n != l->nsrc && l->r->format[0] == 'c' ? SHAPE_FIELDS : SHAPE_OK;
    if (!sg->v)
        sg->v = xmalloc((size_t)k->ncols * sizeof *sg->v);
    sbuf_reset(&sg->raw);
    sbuf_add(&sg->raw, "", 0);
    for (int i = 0; i < k->ncols; i++) {
        int pos = l->colsrc[i];
        int given = pos >= 0 && pos < rec->n && rec->v[pos];
        const char *v = given ? rec->v[pos] : "";
        size_t n;
        int bad;
        if (rec->no_control && rec->len) {   /* the reader has looked: no NUL either */
            n = given ? rec->len[pos] : 0;
            bad = n > MAX_VALUE ? SHAPE_LONG : SHAPE_OK;
        } else {
            bad = has_control(v, &n) ? SHAPE_CONTROL : n > MAX_VALUE ? SHAPE_LONG : SHAPE_OK;
        }
        if (bad && !sg->shape) {
            sg->shape = bad;
            sg->bad_col = i;
            sg->bad_len = n;
        }
        if (!hash_only)
            sg->v[i] = v;
        sbuf_reserve(&sg->raw, n + 1);
        if (i)
            sg->raw.s[sg->raw.len++] = '\x1f';
        memcpy(sg->raw.s + sg->raw.len, v, n);
        sg->raw.len += n;
    }
    sg->raw.s[sg->raw.len] = '\0';
    sg->h = XXH3_128bits_withSeed(sg->raw.s, sg->raw.len, l->seed);
    sg->line = rec->text ? line_hash(l, rec->text, rec->text_n) : 0;
}

/* Counts a record of the first pass (starting the load at the first). */
static int count_record(struct ldr *l)
{
    struct ldr_result *r = l->r;
    int rc;
    if (!l->started && (rc = ldr_start(l)) < 0)
        return rc;
    r->rows_read++;
    if (r->rows_read >= l->next_progress) {
        ldr_progress(l, 0);
        l->next_progress += 65536;
        /* a reload stores nothing in its first pass: a file loaded before stops it early */
        if (l->deferred && l->job && src_scan_finished(l->job) &&
            ((rc = ldr_join_scan(l)) < 0 || r->same_as))
            return rc < 0 ? rc : XV_STOP;
    }
    return 0;
}

/* The first pass of a reload takes a line with the bytes of the line an open version was
 * read from, when pairing meets that version, as that version's record without splitting
 * it (see vd_pair_line). */
int ldr_on_before(void *ctx, const char *s, size_t n, long line, long recno)
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
 * fields, as the reader split them, make the same raw record as ldr_stage() would. A line that
 * cannot be a record is left to the reader (and then quarantined by the second pass). */
int ldr_on_line(void *ctx, const struct csv_line *ln)
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

int ldr_on_record(void *ctx, const struct rec *rec)
{
    struct ldr *l = ctx;
    int rc;
    if (l->pass == 2) {   /* deferred: only the records the first pass marked */
        if (!ldr_wanted(l, rec->recno))
            return 0;
        ldr_stage(l, rec, 0);
        return ldr_process(l, &l->sg);
    }
    if ((rc = count_record(l)) < 0)
        return rc;
    ldr_stage(l, rec, l->deferred);
    if (!l->deferred)
        return ldr_process(l, &l->sg);
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
    memset(l->kset, 0, sizeof l->kset);
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
        ldr_keyset_add(&l->keys, key, rec->line);
    if ((rc = wr_end(st)) < 0)
        return rc;
    store_hash_put(l->chunk + store_hash_at(rid), h.low64, h.high64, sg->line);
    if (l->kslot) {
        struct bkeys_entry e;
        const char *t[4];
        for (int s = 0; s < 4; s++)
            t[s] = l->kset[s] ? l->ktext[s].s : NULL;
        bkeys_make(l->kextra, t[0], t[1], t[2], t[3], r->load_id, &e);
        bkeys_put(l->kchunk + bkeys_at(rid), &e);
    }
    l->chunk_dirty = 1;
    if (rid % STORE_HASH_RIDS == STORE_HASH_RIDS - 1) {
        if ((rc = ldr_chunk_flush(l)) < 0)
            return rc;
        memset(l->chunk, 0, STORE_HASH_ROW);
        if (l->kchunk)
            memset(l->kchunk, 0, BKEYS_ROW);
        l->chunk_no++;
    }
    l->next_rid++;
    r->rows_added++;
    if (!l->deferred && (rc = add_hash(l, h.low64, h.high64, 0, rid)) < 0)
        return rc;
    return 0;
}
