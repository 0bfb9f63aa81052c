/* csvin.c: the CSV reader: libcsv over the decoded stream, tracking the line of each record. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "../core/err.h"
#include "../core/util.h"
#include "reader.h"

/* libcsv's parser states (csv.c): a record has not begun. */
#define CSV_ROW_NOT_BEGUN 0

struct csvin {
    const char *file;
    const struct reader_cb *cb;
    struct rec rec;
    int cap;
    struct sbuf buf;    /* the record's fields, NUL-separated: no allocation per field */
    size_t *off;        /* where each field starts in buf */
    size_t *len;        /* and its length */
    long line;          /* line being fed */
    long rec_line;      /* line the current record began on */
    long recno;
    int header_done;
    struct csv_span *span;  /* the fields of a plain line */
    int rc;             /* first error, stops the parse */
};

/* libcsv grows its field buffer through this: refusing past the limit bounds memory. */
static void *capped_realloc(void *p, size_t n)
{
    if (n > READER_MAX_FIELD + 64)
        return NULL;
    return realloc(p, n);
}

static void add_field(struct csvin *c, const char *s, size_t len)
{
    if (c->rc)
        return;
    if (c->rec.n >= READER_MAX_COLUMNS) {
        c->rc = xv_fail_at(XV_EDATA, c->file, c->rec_line, "more than %d fields in a record",
                           READER_MAX_COLUMNS);
        return;
    }
    /* many fields each under the field limit must not add up to a record of a gigabyte */
    if (c->buf.len + len > READER_MAX_RECORD) {
        c->rc = xv_fail_at(XV_EDATA, c->file, c->rec_line, "a record is longer than %d bytes",
                           READER_MAX_RECORD);
        return;
    }
    if (c->rec.n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->rec.v = xrealloc(c->rec.v, (size_t)c->cap * sizeof *c->rec.v);
        c->off = xrealloc(c->off, (size_t)c->cap * sizeof *c->off);
        c->len = xrealloc(c->len, (size_t)c->cap * sizeof *c->len);
    }
    c->len[c->rec.n] = s ? len : 0;
    c->off[c->rec.n++] = c->buf.len;
    sbuf_add(&c->buf, s ? s : "", len);
    sbuf_addc(&c->buf, '\0');
}

static void on_field(void *s, size_t len, void *data)
{
    add_field(data, s, len);
}

static void clear_rec(struct csvin *c)
{
    c->rec.n = 0;
    c->buf.len = 0;
}

static void on_record(int term, void *data)
{
    struct csvin *c = data;
    (void)term;
    if (c->rc) {
        clear_rec(c);
        return;
    }
    c->rec.line = c->rec_line;
    c->rec.len = c->len;
    for (int i = 0; i < c->rec.n; i++)
        c->rec.v[i] = c->buf.s + c->off[i];
    if (!c->header_done) {
        c->header_done = 1;
        for (int i = 0; i < c->rec.n && !c->rc; i++)
            c->rc = c->cb->column(c->cb->ctx, i, c->rec.v[i], c->rec_line);
        if (!c->rc && c->cb->columns_done)
            c->rc = c->cb->columns_done(c->cb->ctx);
    } else {
        c->rec.recno = ++c->recno;
        c->rc = c->cb->record(c->cb->ctx, &c->rec);
    }
    clear_rec(c);
}

int csvin_fast = 1;

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

int csvin_split(const char *s, size_t n, struct csv_span *span, int max)
{
    int nf = 0;
    for (size_t i = 0;;) {
        const char *comma = memchr(s + i, ',', n - i);
        size_t end = comma ? (size_t)(comma - s) : n, e = end;
        while (i < e && is_blank(s[i]))
            i++;
        while (e > i && is_blank(s[e - 1]))
            e--;
        if (nf == max)
            return max + 1;
        span[nf].start = i;
        span[nf].len = e - i;
        nf++;
        if (!comma)
            return nf;
        i = end + 1;
    }
}

/* Adds the field S[A..B), trimmed, to SPAN[NF]. */
static void add_span(const char *s, size_t a, size_t b, struct csv_span *span, int nf)
{
    while (a < b && is_blank(s[a]))
        a++;
    while (b > a && is_blank(s[b - 1]))
        b--;
    span[nf].start = a;
    span[nf].len = b - a;
}

/* A plain line was nearly 30% of a reload's first pass as two memchr calls for quotes and
 * CRs, one per field for commas and a pass for control characters: here they are one pass.
 * Each 16 bytes give three bit masks (quote or CR, control, comma), and the commas' bits
 * close the fields. The last bytes are copied into a block of their own, so that nothing
 * past the line is read. Without SSE2, a byte loop says the same. */
int csvin_scan(const char *s, size_t n, struct csv_span *span, int max, unsigned *flags)
{
    int nf = 0;
    size_t start = 0, i = 0;
    unsigned fl = 0;
#ifdef __SSE2__
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'),
                  cr = _mm_set1_epi8('\r'), tab = _mm_set1_epi8('\t'), c1f = _mm_set1_epi8(0x1f);
    char last[16];
    while (i < n) {
        __m128i v;
        unsigned valid = 0xFFFF;
        if (n - i >= 16) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        } else {
            memset(last, 0, sizeof last);
            memcpy(last, s + i, n - i);
            v = _mm_loadu_si128((const __m128i *)(const void *)last);
            valid = (1u << (n - i)) - 1;
        }
        unsigned qc = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                               _mm_cmpeq_epi8(v, cr)));
        if (qc & valid) {
            *flags = CSV_QUOTE_CR;
            return 0;
        }
        /* v <= 0x1F as unsigned bytes, and not a tab */
        __m128i ctl = _mm_andnot_si128(_mm_cmpeq_epi8(v, tab),
                                       _mm_cmpeq_epi8(_mm_min_epu8(v, c1f), v));
        if ((unsigned)_mm_movemask_epi8(ctl) & valid)
            fl |= CSV_CONTROL;
        unsigned cm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma)) & valid;
        while (cm) {
            size_t end = i + (size_t)__builtin_ctz(cm);
            cm &= cm - 1;
            if (nf == max) {
                *flags = fl;
                return max + 1;
            }
            add_span(s, start, end, span, nf++);
            start = end + 1;
        }
        i += 16;
    }
#else
    for (; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\r') {
            *flags = CSV_QUOTE_CR;
            return 0;
        }
        if (ch < 0x20 && ch != '\t')
            fl |= CSV_CONTROL;
        if (ch == ',') {
            if (nf == max) {
                *flags = fl;
                return max + 1;
            }
            add_span(s, start, i, span, nf++);
            start = i + 1;
        }
    }
#endif
    *flags = fl;
    if (nf == max)
        return max + 1;
    add_span(s, start, n, span, nf++);
    return nf;
}

/* The fast path for the common line: a whole line ending in '\n' (or CRLF) that starts a
 * record and holds no quote and no other CR. Such a line is one record whose fields are split
 * at commas and trimmed of spaces and tabs, as libcsv would; 1 when the line was taken, 0
 * when libcsv must read it. */
static int fast_line(struct csvin *c, const char *s, size_t n)
{
    if (n > READER_MAX_FIELD || s[n - 1] != '\n')
        return 0;
    size_t body = n - 1;
    if (body && s[body - 1] == '\r')
        body--;
    if (!c->span)
        c->span = xmalloc((READER_MAX_COLUMNS + 1) * sizeof *c->span);
    if (c->header_done && c->cb->before) {
        int taken = c->cb->before(c->cb->ctx, s, body, c->line, c->recno + 1);
        if (taken < 0)
            c->rc = taken;
        if (taken) {
            c->recno++;
            return 1;
        }
    }
    unsigned fl;
    int nf = csvin_scan(s, body, c->span, READER_MAX_COLUMNS, &fl);
    /* past the column limit the scan stopped, so a quote may follow: libcsv's path says
     * what is wrong */
    if ((fl & CSV_QUOTE_CR) || nf > READER_MAX_COLUMNS)
        return 0;
    if (nf == 1 && c->span[0].len == 0)
        return 1;   /* an empty or blank line holds no record */
    if (c->header_done && c->cb->wanted && !c->cb->wanted(c->cb->ctx, c->recno + 1)) {
        c->recno++;
        return 1;
    }
    if (c->header_done && c->cb->line) {
        struct csv_line ln = { s, body, c->span, nf, (fl & CSV_CONTROL) != 0, c->line,
                               c->recno + 1 };
        int taken = c->cb->line(c->cb->ctx, &ln);
        if (taken < 0)
            c->rc = taken;
        if (taken) {
            c->recno++;
            return 1;
        }
    }
    c->rec_line = c->line;
    for (int f = 0; f < nf; f++)
        add_field(c, s + c->span[f].start, c->span[f].len);
    c->rec.text = s;
    c->rec.text_n = body;
    c->rec.no_control = !(fl & CSV_CONTROL);   /* and no CR or LF: a plain line has none */
    on_record('\n', c);
    c->rec.text = NULL;
    c->rec.text_n = 0;
    c->rec.no_control = 0;
    return 1;
}

/* Feeds one piece of a line (ending with '\n' or not) to the parser. */
static int feed(struct csvin *c, struct csv_parser *p, const char *s, size_t n)
{
    if (p->pstate == CSV_ROW_NOT_BEGUN)
        c->rec_line = c->line;
    if (csv_parse(p, s, n, on_field, on_record, c) != n && !c->rc) {
        int e = csv_error(p);
        if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
            return xv_fail_at(XV_EDATA, c->file, c->rec_line,
                              "a field is longer than %d bytes", READER_MAX_FIELD);
        return xv_fail_at(XV_EDATA, c->file, c->line, "malformed CSV: %s (a stray quote?)",
                          csv_strerror(e));
    }
    return c->rc;
}

int csvin_read(struct src *s, const char *file, const struct reader_cb *cb)
{
    struct csv_parser p;
    struct csvin c;
    int rc = 0, line_start = 1;
    char *buf = xmalloc(65536);
    memset(&c, 0, sizeof c);
    c.file = file;
    c.cb = cb;
    c.line = 1;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        free(buf);
        return error("cannot start the CSV parser");
    }
    csv_set_realloc_func(&p, capped_realloc);
    for (;;) {
        ssize_t got = src_read(s, buf, 65536);
        if (got < 0) {
            rc = (int)got;
            goto done;
        }
        if (got == 0)
            break;
        /* one line at a time, so that every record knows the line it began on */
        const char *q = buf, *end = buf + got;
        while (q < end) {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            size_t len = nl ? (size_t)(nl - q) + 1 : (size_t)(end - q);
            int taken = csvin_fast && line_start && p.pstate == CSV_ROW_NOT_BEGUN &&
                        fast_line(&c, q, len);
            if (!taken && (rc = feed(&c, &p, q, len)) < 0)
                goto done;
            if (taken && (rc = c.rc) < 0)
                goto done;
            line_start = nl != NULL;
            if (nl)
                c.line++;
            q += len;
        }
    }
    if (p.pstate == CSV_ROW_NOT_BEGUN)
        c.rec_line = c.line;
    if (csv_fini(&p, on_field, on_record, &c) != 0 && !c.rc) {
        rc = xv_fail_at(XV_EDATA, file, c.rec_line, "malformed CSV: unterminated quoted field");
        goto done;
    }
    rc = c.rc;
    if (rc == 0 && !c.header_done)
        rc = xv_fail(XV_EDATA, "'%s' is empty: no header row", file);
done:
    clear_rec(&c);
    free(c.rec.v);
    free(c.off);
    free(c.len);
    free(c.span);
    sbuf_free(&c.buf);
    csv_free(&p);
    free(buf);
    return rc;
}
