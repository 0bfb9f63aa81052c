/* csv.c: unit tests of ingest/csvin.c: libcsv and the fast splitter, held to the same fields. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

/* CSV reader: line numbers of records with embedded newlines and CRLF. */
struct csvrec {
    long lines[8];
    int n;
    char first[8][32];
};

static int col_cb(void *ctx, int pos, const char *name, long line)
{
    (void)ctx; (void)pos; (void)name; (void)line;
    return 0;
}

static int rec_cb(void *ctx, const struct rec *r)
{
    struct csvrec *c = ctx;
    if (c->n < 8) {
        c->lines[c->n] = r->line;
        snprintf(c->first[c->n], sizeof c->first[c->n], "%s", r->v[0] ? r->v[0] : "");
        c->n++;
    }
    return 0;
}

void test_csv(void)
{
    const char text[] = "a,b\r\n1,\"x\r\ny\"\r\n\r\n2,z\r\n\"3\",\"q\"\"q\"\n";
    char *p = write_tmp("l.csv", text, sizeof text - 1);
    struct src s;
    struct csvrec c = { { 0 }, 0, { { 0 } } };
    struct reader_cb cb = { col_cb, NULL, NULL, rec_cb, &c };
    CHECK(src_open(&s, p, ENC_UTF8) == 0, "open");
    CHECK(csvin_read(&s, p, &cb) == 0, "csv read");
    src_close(&s);
    CHECK(c.n == 3, "3 records, got %d", c.n);
    CHECK(c.lines[0] == 2 && c.lines[1] == 5 && c.lines[2] == 6, "lines %ld %ld %ld",
          c.lines[0], c.lines[1], c.lines[2]);
    CHECK(!strcmp(c.first[2], "3"), "quoted field '%s'", c.first[2]);
    unlink(p);
}

/* Everything a reader reports, serialised, to compare the fast path with libcsv. */
static int trace_col(void *ctx, int pos, const char *name, long line)
{
    sbuf_addf(ctx, "C%d:%ld:%s|", pos, line, name);
    return 0;
}

static int trace_rec(void *ctx, const struct rec *r)
{
    sbuf_addf(ctx, "R%ld:%ld:%d", r->line, r->recno, r->n);
    for (int i = 0; i < r->n; i++)
        sbuf_addf(ctx, "[%s]", r->v[i] ? r->v[i] : "(null)");
    sbuf_addc(ctx, '|');
    return 0;
}

static int trace_csv(const char *path, int fast, struct sbuf *out)
{
    struct src s;
    struct reader_cb cb = { trace_col, NULL, NULL, trace_rec, out };
    sbuf_reset(out);
    csvin_fast = fast;
    int rc = src_open(&s, path, ENC_UTF8);
    if (rc == 0) {
        rc = csvin_read(&s, path, &cb);
        src_close(&s);
    }
    csvin_fast = 1;
    sbuf_addf(out, "rc=%d", rc);
    return rc;
}

/* The quote-free fast path gives what libcsv gives, on random text made of the characters
 * that matter (commas, blanks, CR, LF, quotes) and on lines longer than the read buffer. */
/* csvin_scan against csvin_split and byte loops, on random lines of the bytes that matter
 * (commas, blanks, quotes, CRs, control bytes, bytes of UTF-8 text) 0 to 70 long, so that
 * every length of the last block occurs, with a field limit of 3 and of 1024. */
void test_csv_scan(void)
{
    static const unsigned char atoms[] = { 'a', ',', ',', ' ', '\t', 0xE4, 0xB8, 0x80, 0x7F,
                                           0x20, 0x21, 0x1F, 0x01, 0x00, '"', '\r' };
    struct csv_span want[1025], got[1025];
    unsigned seed = 99;
    int same = 0, cases = 30000, quoted = 0, control = 0, over = 0;
    for (int c = 0; c < cases; c++) {
        char s[70];
        size_t len = (size_t)((seed = seed * 1103515245u + 12345u) >> 16) % (sizeof s + 1);
        /* a quote, CR or control byte in about half the lines */
        int rare = c % 2;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) % (unsigned)(rare ? sizeof atoms : sizeof atoms - 5);
            s[i] = (char)atoms[r];
        }
        int max = c % 3 ? 1024 : 3;
        unsigned fl = 99;
        int nf = csvin_scan(s, len, got, max, &fl);
        int q = memchr(s, '"', len) || memchr(s, '\r', len), ctl = 0;
        for (size_t i = 0; i < len; i++)
            ctl |= (unsigned char)s[i] < 0x20 && s[i] != '\t' && s[i] != '\r';
        int ok;
        if (nf == max + 1 && fl != CSV_QUOTE_CR) {   /* it stopped at the limit */
            int wn = csvin_split(s, len, want, max);
            const char *first = memchr(s, '"', len), *cr = memchr(s, '\r', len);
            if (!first || (cr && cr < first))
                first = cr;
            /* the limit comes before any quote or CR, and csvin_split finds it too when
             * there is none */
            ok = first ? (size_t)(first - s) >= want[max - 1].start + want[max - 1].len
                       : wn == max + 1;
            over++;
        } else if (q) {
            ok = fl == CSV_QUOTE_CR;
            quoted++;
        } else {
            int wn = csvin_split(s, len, want, max);
            ok = nf == wn && (nf > max || fl == (ctl ? (unsigned)CSV_CONTROL : 0u));
            for (int f = 0; ok && f < nf && f < max; f++)
                ok = got[f].start == want[f].start && got[f].len == want[f].len;
            control += ctl;
            over += nf > max;
        }
        same += ok;
    }
    CHECK(same == cases, "csvin_scan = csvin_split and byte loops in %d of %d random lines",
          same, cases);
    CHECK(quoted > 1000 && control > 500 && over > 1000,
          "the random lines include quoted (%d), control (%d) and too many fields (%d)", quoted,
          control, over);
}

void test_csv_fast(void)
{
    static const char *const atoms[] = { "a", "中", ",", ",", " ", "\t", "\n", "\n", "\r\n",
                                         "\r", "\"", "\"\"", "x y" };
    struct sbuf text = SBUF_INIT, a = SBUF_INIT, b = SBUF_INIT;
    unsigned seed = 12345;
    int same = 0, errors = 0, cases = 3000, shown = 0;
    int saved = dup(2);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);   /* malformed cases print their errors: not wanted here */
    for (int t = 0; t < cases; t++) {
        sbuf_reset(&text);
        int len = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
        int quotes = t % 4 == 0;   /* most cases have no quote at all */
        for (int i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t k = (seed >> 16) % (sizeof atoms / sizeof atoms[0]);
            if (!quotes && atoms[k][0] == '"')
                k = 0;
            sbuf_adds(&text, atoms[k]);
        }
        if (t == 0)   /* a line longer than the 64 KiB read buffer */
            for (int i = 0; i < 30000; i++)
                sbuf_adds(&text, "ab,\t");
        char *p = write_tmp("fast.csv", text.s, text.len);
        int ra = trace_csv(p, 1, &a);
        trace_csv(p, 0, &b);
        same += !strcmp(a.s, b.s);
        errors += ra < 0;
        if (strcmp(a.s, b.s) && !shown++)
            fprintf(stdout, "# fast: %.200s\n# libcsv: %.200s\n", a.s, b.s);
        unlink(p);
    }
    dup2(saved, 2);
    close(saved);
    close(devnull);
    CHECK(same == cases, "fast path = libcsv in %d of %d random files", same, cases);
    CHECK(errors > 0 && errors < cases, "the random files include malformed ones (%d)", errors);
    sbuf_free(&text);
    sbuf_free(&a);
    sbuf_free(&b);
}
