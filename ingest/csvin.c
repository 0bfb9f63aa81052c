/* csvin.c: the CSV reader: libcsv over the decoded stream, tracking the line of each record. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>
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
    if (c->rec.n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->rec.v = xrealloc(c->rec.v, (size_t)c->cap * sizeof *c->rec.v);
        c->off = xrealloc(c->off, (size_t)c->cap * sizeof *c->off);
    }
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
    if (memchr(s, '"', body) || memchr(s, '\r', body))
        return 0;
    size_t i = 0;
    while (i < body && is_blank(s[i]))
        i++;
    if (i == body)
        return 1;   /* an empty or blank line holds no record */
    if (c->header_done && c->cb->wanted && !c->cb->wanted(c->cb->ctx, c->recno + 1)) {
        c->recno++;
        return 1;
    }
    if (c->header_done && c->cb->line) {
        int taken = c->cb->line(c->cb->ctx, s, body, c->line, c->recno + 1);
        if (taken < 0)
            c->rc = taken;
        if (taken) {
            c->recno++;
            return 1;
        }
    }
    if (!c->span)
        c->span = xmalloc(READER_MAX_COLUMNS * sizeof *c->span);
    int nf = csvin_split(s, body, c->span, READER_MAX_COLUMNS);
    if (nf > READER_MAX_COLUMNS)
        return 0;   /* libcsv's path says what is wrong */
    c->rec_line = c->line;
    for (int f = 0; f < nf; f++)
        add_field(c, s + c->span[f].start, c->span[f].len);
    on_record('\n', c);
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
    free(c.span);
    sbuf_free(&c.buf);
    csv_free(&p);
    free(buf);
    return rc;
}
