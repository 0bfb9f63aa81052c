/* unit.c: unit tests of the pieces: normalisers, check digits, encodings, parsers. */
#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/kv.h"
#include "../core/store.h"
#include "../core/utf8.h"
#include "../core/util.h"
#include "../ingest/mapping.h"
#include "../ingest/norm.h"
#include "../ingest/reader.h"
#include "../ingest/source.h"
#include "../ingest/vdiff.h"
#include "../core/policy.h"
#include "../matchers/compare.h"
#include "../matchers/rules/rules.h"

static int passed, failed;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            printf("not ok %s:%d: ", __FILE__, __LINE__);                  \
            printf(__VA_ARGS__);                                           \
            printf("\n");                                                  \
        }                                                                  \
    } while (0)

static void id_ok(const char *raw, const char *want, int want_valid)
{
    char out[19];
    int valid = -1;
    int rc = norm_id(raw, out, &valid);
    CHECK(rc == 0 && !strcmp(out, want) && valid == want_valid, "norm_id('%s') = %d '%s' %d",
          raw, rc, rc == 0 ? out : "", valid);
}

static void id_bad(const char *raw)
{
    char out[19];
    int valid;
    CHECK(norm_id(raw, out, &valid) == XV_EDATA, "norm_id('%s') should be ill-formed", raw);
}

static void test_ids(void)
{
    CHECK(id_check_char("11010519491231002") == 'X', "check digit of the GB 11643 example");
    id_ok("11010519491231002X", "11010519491231002X", 1);
    id_ok("11010519491231002x", "11010519491231002X", 1);
    id_ok("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", 1);
    id_ok("110105 1949-1231 002X", "11010519491231002X", 1);
    /* 15 -> 18: 19 before the year and a computed check digit */
    id_ok("340102680512031", "340102196805120311", 1);
    /* a typo: well formed, loaded, flagged */
    id_ok("340102199001010753", "340102199001010753", 0);
    /* unknown province, impossible birth date */
    id_ok("990102199001010735", "990102199001010735", 0);
    id_ok("340102199002300733", "340102199002300733", 0);
    id_bad("34010219900101073");
    id_bad("3401021990010107351");
    id_bad("34010219900101073Y");
    id_bad("");
    id_bad("abc");
    CHECK(id_is_valid("340102198003152310"), "valid id");
    CHECK(!id_is_valid("340102198003152311"), "wrong check digit");
}

static void test_names(void)
{
    struct sbuf b = SBUF_INIT;
    CHECK(norm_name(" 張 偉 ", &b) == 0 && !strcmp(b.s, "张伟"), "t2s and spaces: '%s'", b.s);
    CHECK(norm_name("李　娜", &b) == 0 && !strcmp(b.s, "李娜"), "ideographic space: '%s'", b.s);
    CHECK(norm_name("阿依古丽•买买提", &b) == 0 && !strcmp(b.s, "阿依古丽·买买提"),
          "bullet to middle dot: '%s'", b.s);
    CHECK(norm_name("阿依古丽．买买提", &b) == 0 && !strcmp(b.s, "阿依古丽·买买提"),
          "full-width full stop to middle dot: '%s'", b.s);
    CHECK(norm_name("阿依古丽・买买提", &b) == 0 && !strcmp(b.s, "阿依古丽·买买提"),
          "katakana dot: '%s'", b.s);
    CHECK(norm_name("ＡＢＣ", &b) == 0 && !strcmp(b.s, "ABC"), "full-width letters: '%s'", b.s);
    CHECK(norm_name("陳國強", &b) == 0 && !strcmp(b.s, "陈国强"), "t2s: '%s'", b.s);
    /* never simplified -> traditional */
    CHECK(norm_name("陈国强", &b) == 0 && !strcmp(b.s, "陈国强"), "simplified stays: '%s'", b.s);
    CHECK(norm_name("   ", &b) == XV_EDATA, "blank name");
    sbuf_free(&b);
}

static void date_ok(const char *raw, const char *want)
{
    char out[11] = "";
    int rc = norm_date(raw, out);
    CHECK(rc == 0 && !strcmp(out, want), "norm_date('%s') = %d '%s'", raw, rc, out);
}

static void test_dates(void)
{
    date_ok("2019-06-01", "2019-06-01");
    date_ok("2019/6/1", "2019-06-01");
    date_ok("20190601", "2019-06-01");
    date_ok("2019.06.01", "2019-06-01");
    date_ok("2019年6月1日", "2019-06-01");
    date_ok("２０１９年６月１日", "2019-06-01");
    date_ok("2019-06-01 12:30:00", "2019-06-01");
    date_ok("2000-02-29", "2000-02-29");
    char out[11], m[8];
    CHECK(norm_date("1900-02-29", out) == XV_EDATA, "1900 was no leap year");
    CHECK(norm_date("2019-13-01", out) == XV_EDATA, "month 13");
    CHECK(norm_date("2019-06-31", out) == XV_EDATA, "June 31");
    CHECK(norm_date("06/01/2019", out) == XV_EDATA, "day-first dates are refused");
    CHECK(norm_date("2019-6", out) == XV_EDATA, "a month is no date");
    CHECK(norm_month("2019-08", m) == 0 && !strcmp(m, "2019-08"), "month '%s'", m);
    CHECK(norm_month("201908", m) == 0 && !strcmp(m, "2019-08"), "month '%s'", m);
    CHECK(norm_month("2019年8月", m) == 0 && !strcmp(m, "2019-08"), "month '%s'", m);
    CHECK(norm_month("2019/8", m) == 0 && !strcmp(m, "2019-08"), "month '%s'", m);
    CHECK(norm_month("2019-08-15", m) == 0 && !strcmp(m, "2019-08"), "month of a date '%s'", m);
    CHECK(norm_month("2019-00", m) == XV_EDATA, "month 0");
}

static void amount_ok(const char *raw, double unit, double want)
{
    double v = -1;
    int rc = norm_amount(raw, unit, &v);
    CHECK(rc == 0 && v == want, "norm_amount('%s', %g) = %d %.6f", raw, unit, rc, v);
}

static void test_amounts(void)
{
    amount_ok("1800", 1, 1800);
    amount_ok("1,800元", 1, 1800);
    amount_ok("１８００．５", 1, 1800.5);
    amount_ok("¥2,345.67", 1, 2345.67);
    amount_ok("1.2万元", 1, 12000);
    amount_ok("3万元", 10000, 3);
    amount_ok("50", 10000, 50);          /* a 万元 column without a unit stays in 万元 */
    amount_ok("120000元", 10000, 12);    /* an explicit 元 in a 万元 column converts */
    amount_ok("1，234，567", 1, 1234567);
    double v;
    CHECK(norm_amount("1,80", 1, &v) == XV_EDATA, "bad grouping");
    CHECK(norm_amount("-5", 1, &v) == XV_EDATA, "negative");
    CHECK(norm_amount("abc", 1, &v) == XV_EDATA, "text");
    CHECK(norm_amount("", 1, &v) == XV_EDATA, "empty");
    CHECK(norm_area("90㎡", &v) == 0 && v == 90, "area %g", v);
    CHECK(norm_area("75.5平方米", &v) == 0 && v == 75.5, "area %g", v);
    long n;
    CHECK(norm_int("2辆", &n) == 0 && n == 2, "int %ld", n);
    CHECK(norm_int("x", &n) == XV_EDATA, "int text");
}

static void test_codes(void)
{
    struct sbuf b = SBUF_INIT;
    CHECK(norm_plate("皖A 12345", &b) == 0 && !strcmp(b.s, "皖A12345"), "plate '%s'", b.s);
    CHECK(norm_plate("皖a-d8888", &b) == 0 && !strcmp(b.s, "皖AD8888"), "plate '%s'", b.s);
    CHECK(norm_plate("皖A·D12345", &b) == 0 && !strcmp(b.s, "皖AD12345"), "new energy '%s'",
          b.s);
    CHECK(norm_plate("皖Ａ１２３４５", &b) == 0 && !strcmp(b.s, "皖A12345"), "full-width '%s'",
          b.s);
    CHECK(norm_plate("A12345", &b) == XV_EDATA, "no province");
    CHECK(norm_plate("皖A1", &b) == XV_EDATA, "too short");
    sbuf_free(&b);
    char u[19];
    int valid = -1;
    /* a real published code: 91350100M000100Y43 */
    CHECK(norm_uscc("91350100M000100Y43", u, &valid) == 0 && valid == 1, "uscc valid %d", valid);
    CHECK(norm_uscc("91350100m000100y43", u, &valid) == 0 && valid == 1 &&
          !strcmp(u, "91350100M000100Y43"), "uscc lower case");
    CHECK(norm_uscc("91350100M000100Y44", u, &valid) == 0 && valid == 0, "uscc bad check");
    CHECK(norm_uscc("91350100M000100Y4", u, &valid) == XV_EDATA, "uscc short");
    CHECK(norm_uscc("91350100I000100Y43", u, &valid) == XV_EDATA, "I is not in the alphabet");
    const char *g;
    int yes;
    CHECK(norm_gender("男", &g) == 0 && !strcmp(g, "男"), "gender");
    CHECK(norm_gender("M", &g) == 0 && !strcmp(g, "男"), "gender M");
    CHECK(norm_gender("2", &g) == 0 && !strcmp(g, "女"), "gender 2");
    CHECK(norm_gender("x", &g) == XV_EDATA, "gender x");
    CHECK(norm_bool("有", &yes) == 0 && yes == 1, "bool");
    CHECK(norm_bool("no", &yes) == 0 && yes == 0, "bool no");
    char c[7];
    CHECK(norm_county("340102", c) == 0 && !strcmp(c, "340102"), "county");
    CHECK(norm_county("34010", c) == XV_EDATA, "county short");
    const char *st;
    CHECK(norm_appstatus("已建档", &st) == 0 && !strcmp(st, "archived"), "status");
    CHECK(norm_appstatus("weird", &st) == XV_EDATA, "status unknown");
}

/* The reference for utf8_check: decoding code point by code point; a sequence cut by the
 * end counts as valid (when PARTIAL) if some continuation bytes would complete it. */
static size_t utf8_ref(const unsigned char *s, size_t len, int partial, size_t *tail)
{
    size_t want = 0;
    uint32_t cp;
    *tail = 0;
    for (int l; want < len; want += (size_t)l) {
        if (s[want] == 0 || !(l = utf8_decode(s + want, len - want, &cp)))
            break;
    }
    if (want < len && partial && len - want < 4) {
        static const unsigned char fill[] = { 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF };
        size_t have = len - want;
        for (int f = 0; f < 6 * 6 * 6 && want < len; f++) {
            unsigned char t[4] = { 0 };
            memcpy(t, s + want, have);
            for (size_t k = have, d = (size_t)f; k < 4; k++, d /= 6)
                t[k] = fill[d % 6];
            for (size_t need = have + 1; need <= 4 && want < len; need++)
                if (utf8_decode(t, need, &cp) == (int)need) {
                    *tail = have;
                    want = len;
                }
        }
    }
    return want;
}

/* Appends the UTF-8 encoding of CP to S at *N. */
static void put_utf8(unsigned char *s, size_t *n, uint32_t cp)
{
    if (cp < 0x80) {
        s[(*n)++] = (unsigned char)cp;
    } else if (cp < 0x800) {
        s[(*n)++] = (unsigned char)(0xC0 | cp >> 6);
        s[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s[(*n)++] = (unsigned char)(0xE0 | cp >> 12);
        s[(*n)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        s[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        s[(*n)++] = (unsigned char)(0xF0 | cp >> 18);
        s[(*n)++] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        s[(*n)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        s[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
    }
}

static void test_utf8(void)
{
    size_t tail;
    const unsigned char ok[] = "a\xE4\xB8\xAD";
    CHECK(utf8_check(ok, 4, 0, &tail) == 4, "valid utf-8");
    CHECK(utf8_check(ok, 3, 1, &tail) == 3 && tail == 2, "cut sequence kept: tail %zu", tail);
    CHECK(utf8_check(ok, 3, 0, &tail) == 1, "cut sequence at the end is bad");
    const unsigned char overlong[] = "\xC0\xAF";
    CHECK(utf8_check(overlong, 2, 0, &tail) == 0, "overlong");
    const unsigned char surrogate[] = "\xED\xA0\x80";
    CHECK(utf8_check(surrogate, 3, 0, &tail) == 0, "surrogate");
    const unsigned char nul[] = "ab\0c";
    CHECK(utf8_check(nul, 4, 0, &tail) == 2, "NUL");
    const unsigned char big[] = "\xF4\x90\x80\x80", cut4[] = "ab\xF0\x9F\x98";
    CHECK(utf8_check(big, 4, 0, &tail) == 0, "past U+10FFFF");
    CHECK(utf8_check(cut4, 5, 1, &tail) == 5 && tail == 3, "cut 4-byte sequence kept");
    /* the validator against utf8_decode, on random strings of ASCII, NUL, and lead and
     * continuation bytes at the edges of their ranges, whole and cut */
    static const unsigned char atoms[] = { 'a', ',', 0, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                           0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE4, 0xED,
                                           0xEF, 0xF0, 0xF4, 0xF5, 0xFF };
    unsigned seed = 99;
    int same = 0, cases = 20000, valid = 0;
    for (int c = 0; c < cases; c++) {
        unsigned char s[40];
        size_t len = 1 + (size_t)((seed = seed * 1103515245u + 12345u) >> 16) % sizeof s;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = atoms[(seed >> 16) % sizeof atoms];
        }
        int partial = c & 1;
        size_t want_tail, got_tail, want = utf8_ref(s, len, partial, &want_tail);
        size_t got = utf8_check(s, len, partial, &got_tail);
        same += got == want && got_tail == want_tail;
        valid += got == len;
    }
    CHECK(same == cases, "utf8_check = decoding in %d of %d random strings", same, cases);
    /* long strings, where utf8_check works 16 bytes at a time: text of code points at the
     * edges of their lengths' ranges (in some strings long runs of ASCII), with a byte
     * replaced by one of the atoms in two strings of three, and cut anywhere */
    static const uint32_t cps[] = { 'a', 0x7F, 0x80, 0x7FF, 0x800, 0x4E2D, 0xD7FF, 0xE000,
                                    0xFFFD, 0xFFFF, 0x10000, 0x10FFFF };
    int lsame = 0, lvalid = 0, lcases = 20000;
    for (int c = 0; c < lcases; c++) {
        unsigned char s[420];
        size_t len = 0, want_len = 64 + ((seed = seed * 1103515245u + 12345u) >> 16) % 340;
        int ascii = c % 5 == 0;
        while (len < want_len) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) % 64;
            put_utf8(s, &len, ascii && r < 60 ? 'a' : cps[r % (sizeof cps / sizeof cps[0])]);
        }
        if (c % 3) {
            seed = seed * 1103515245u + 12345u;
            s[(seed >> 8) % len] = atoms[(seed >> 20) % sizeof atoms];
        }
        seed = seed * 1103515245u + 12345u;
        len -= (seed >> 16) % 4;   /* perhaps cut in a sequence */
        int partial = c & 1;
        size_t want_tail, got_tail, want = utf8_ref(s, len, partial, &want_tail);
        size_t got = utf8_check(s, len, partial, &got_tail);
        lsame += got == want && got_tail == want_tail;
        lvalid += got == len;
    }
    CHECK(lsame == lcases, "utf8_check = decoding in %d of %d long random strings", lsame,
          lcases);
    CHECK(lvalid > 1000 && lvalid < lcases - 1000,
          "the long random strings include valid ones (%d)", lvalid);
    CHECK(valid > 100 && valid < cases - 100, "the random strings include valid ones (%d)",
          valid);
}

/* Temporary files written by the tests, removed at the end. */
static char tmp_paths[32][256];
static int ntmp;

static char *write_tmp(const char *name, const void *data, size_t n)
{
    char want[256], *path = NULL;
    snprintf(want, sizeof want, "/tmp/xverify-unit-%d-%s", (int)getpid(), name);
    for (int i = 0; i < ntmp && !path; i++)   /* a name written again reuses its slot */
        if (!strcmp(tmp_paths[i], want))
            path = tmp_paths[i];
    if (!path && ntmp == 32)
        return NULL;
    if (!path)
        path = tmp_paths[ntmp++];
    snprintf(path, 256, "%s", want);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(data, 1, n, f);
    fclose(f);
    return path;
}

static void test_encodings(void)
{
    struct src_info info;
    /* 中文 in GB18030 is D6 D0 CE C4: not UTF-8 */
    const char gb[] = "id\n\xD6\xD0\xCE\xC4\n";
    char *p = write_tmp("gb.csv", gb, sizeof gb - 1);
    CHECK(src_scan(p, ENC_AUTO, &info) == 0 && info.enc == ENC_GB18030, "auto -> gb18030");
    fprintf(stderr, "(the next two errors are expected)\n");
    CHECK(src_scan(p, ENC_UTF8, &info) == XV_EDATA, "forced utf-8 refuses gb18030");
    const char neither[] = "id\n\xFF\xFF\xFF\n";
    p = write_tmp("bad.csv", neither, sizeof neither - 1);
    CHECK(src_scan(p, ENC_AUTO, &info) == XV_EDATA, "neither encoding");
    const char u8[] = "\xEF\xBB\xBFid\n\xE4\xB8\xAD\n";
    p = write_tmp("u8.csv", u8, sizeof u8 - 1);
    CHECK(src_scan(p, ENC_AUTO, &info) == 0 && info.enc == ENC_UTF8 && info.size == 10,
          "auto -> utf-8");
    /* decoding GB18030 gives UTF-8 */
    struct src s;
    char buf[64];
    p = write_tmp("gb2.csv", gb, sizeof gb - 1);
    CHECK(src_open(&s, p, ENC_GB18030) == 0, "open");
    ssize_t n = src_read(&s, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    CHECK(!strcmp(buf, "id\n中文\n"), "decoded '%s'", buf);
    src_close(&s);
    unlink(p);
}

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

static void test_csv(void)
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
static void test_csv_scan(void)
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

static void test_csv_fast(void)
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

/* vdiff: the partitioned, spilling join against a plain one, on entries drawn from a small
 * key space so that unchanged, duplicate, new and ended all occur. */
struct vdres {
    int file[20001];      /* by file id: 1 + enum vd_result */
    int ended[20001];     /* by open id: times ended */
};

static int vd_collect(void *ctx, enum vd_result r, uint32_t id)
{
    struct vdres *x = ctx;
    if (r == VD_ENDED)
        x->ended[id]++;
    else
        x->file[id] = 1 + (int)r;
    return 0;
}

static uint64_t key_h1(unsigned k)
{
    return (uint64_t)k * 0x9E3779B97F4A7C15ull;
}

static void test_vdiff(void)
{
    static struct vdres got;
    static unsigned okey[20001], fkey[20001];
    unsigned seed = 7;
    int nopen = 6000, nfile = 20000;
    memset(&got, 0, sizeof got);
    for (int i = 1; i <= nopen; i++)   /* open versions have distinct contents */
        okey[i] = (unsigned)i * 3;
    for (int i = 1; i <= nfile; i++) {
        seed = seed * 1103515245u + 12345u;
        fkey[i] = (seed >> 8) % 24000;
    }
    struct vdiff *v;
    char dir[] = "/tmp";
    /* 1M expected entries: 16 partitions; no budget: a spill every 1024 entries a side */
    CHECK(vd_new(&v, 1u << 20, 0, dir) == 0, "vd_new");
    int bad = 0;
    for (int i = 1; i <= nopen; i++)
        bad += vd_add(v, VD_OPEN, key_h1(okey[i]), okey[i], 0, (uint32_t)i) != 0;
    for (int i = 1; i <= nfile; i++)
        bad += vd_add(v, VD_FILE, key_h1(fkey[i]), fkey[i], 0, (uint32_t)i) != 0;
    CHECK(bad == 0, "vd_add failed %d times", bad);
    CHECK(vd_spilled(v) > 0, "the entries went to the temporary file");
    CHECK(vd_run(v, vd_collect, &got) == 0, "vd_run");
    vd_free(v);
    /* the plain join: first file record of a content is new or unchanged, the others are
     * duplicates; open versions no record has are ended once */
    int wrong = 0, counts[4] = { 0 };
    static char seen[24000];
    memset(seen, 0, sizeof seen);
    for (int i = 1; i <= nfile; i++) {
        int want;
        if (seen[fkey[i]])
            want = VD_DUPLICATE;
        else
            want = fkey[i] % 3 == 0 && fkey[i] / 3 >= 1 && (int)(fkey[i] / 3) <= nopen ?
                   VD_UNCHANGED : VD_NEW;
        seen[fkey[i]] = 1;
        wrong += got.file[i] != 1 + want;
        counts[want]++;
    }
    for (int i = 1; i <= nopen; i++)
        wrong += got.ended[i] != !seen[okey[i]];
    CHECK(wrong == 0, "vdiff = plain join (%d differences)", wrong);
    CHECK(counts[VD_NEW] && counts[VD_UNCHANGED] && counts[VD_DUPLICATE], "all results occur");
}

/* vdiff with pairing: a file that follows the open versions' order with changes, insertions,
 * deletions (single and in runs longer than the near look-ahead), swaps and duplicates (of
 * earlier records, some of them paired), against open versions that include a second version
 * of one content. The open side is added by a thread of its own, as a reload does; every
 * result must be what the plain join gives. */
#define PN 30000
struct pairrun {
    struct vdiff *v;
    unsigned *okey;
    int nopen;
    int failed;
    int lines;              /* open entries have line hashes (open_line) */
};

/* The line hash of open entry I of content K: one per content, as if each had been read from
 * one line, except that every 17th has none (a quoted line, say), and that of PN / 5 + 1, a
 * second version of the content of PN / 5 from another line, the one the file has: it pairs
 * by line although the first is nearer, and must end all the same. */
static uint64_t open_line(int i, unsigned k)
{
    if (i == PN / 5 + 1)
        return 99;
    return i % 17 ? (uint64_t)k * 2654435761u + 1 : 0;
}

/* ... and of file entry I: every 13th was read from another line of the same content (other
 * blanks, say), so that only its content hash can pair it. */
static uint64_t file_line(int i, unsigned k)
{
    if (k == (unsigned)(PN / 5) * 3)
        return 99;
    return i % 13 ? (uint64_t)k * 2654435761u + 1 : (uint64_t)k * 40503u + 7;
}

static void *pair_open_side(void *arg)
{
    struct pairrun *r = arg;
    for (int i = 1; i <= r->nopen; i++)
        r->failed += vd_add(r->v, VD_OPEN, key_h1(r->okey[i]), r->okey[i],
                            r->lines ? open_line(i, r->okey[i]) : 0, (uint32_t)i) != 0;
    vd_open_done(r->v);
    return NULL;
}

struct pairres {
    int file[2 * PN + 1];   /* by file id: 1 + enum vd_result */
    int ended[PN + 1];
    int unchanged, duplicate;
};

static int pair_collect(void *ctx, enum vd_result r, uint32_t id)
{
    struct pairres *x = ctx;
    if (r == VD_ENDED)
        x->ended[id]++;
    else if (r == VD_PAIRED_UNCHANGED || r == VD_UNCHANGED)
        x->unchanged++;
    else if (r == VD_PAIRED_DUPLICATE || r == VD_DUPLICATE)
        x->duplicate++;
    if (r == VD_NEW || r == VD_UNCHANGED || r == VD_DUPLICATE)
        x->file[id] = 1 + (int)r;
    return 0;
}

static void test_vdiff_pairing(void)
{
    static unsigned okey[PN + 1], fkey[2 * PN + 1];
    static struct pairres got[3];
    static unsigned char seen[4 * PN], kept[4 * PN];
    unsigned long long paired = 0;
    long by_line = 0, refreshes = 0, bad_refresh = 0;
    unsigned seed = 11, fresh = 3 * PN + 1;
    int nopen = PN, nfile = 0;
    for (int i = 1; i <= nopen; i++)
        okey[i] = (unsigned)i * 3;
    /* two open versions of one content, twice: both versions paired, and only the later */
    okey[nopen / 2] = okey[nopen / 3];
    okey[nopen / 4 * 3] = okey[nopen / 4];
    okey[nopen / 5 + 1] = okey[nopen / 5];   /* side by side, from two lines (open_line) */
    for (int i = 1; i <= nopen && nfile < 2 * PN - 4;) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 8) % 1000;
        /* the open versions of those contents are copied (the first of the second pair is
         * deleted), whatever else would have happened around them */
        for (int k = i; k < i + 41; k++)
            if (k == nopen / 3 || k == nopen / 2 || k == nopen / 4 || k == nopen / 4 * 3 ||
                k == nopen / 5 || k == nopen / 5 + 1)
                r = k > i ? 999 : k == nopen / 4 ? 10 : 999;
        if (r < 10) {                    /* changed */
            fkey[++nfile] = fresh++;
            i++;
        } else if (r < 20) {             /* deleted, one or a run of 40 */
            i += r < 17 ? 1 : 40;
        } else if (r < 30) {             /* a new record */
            fkey[++nfile] = fresh++;
        } else if (r < 40 && nfile > 10) {   /* a duplicate of an earlier record */
            unsigned k = fkey[nfile - (int)((seed >> 4) % 10)];
            fkey[++nfile] = k;
        } else if (r < 45 && i < nopen) {    /* two swapped */
            fkey[++nfile] = okey[i + 1];
            fkey[++nfile] = okey[i];
            i += 2;
        } else {
            fkey[++nfile] = okey[i++];
        }
    }
    /* run 0: the plain join; 1: pairing; 2: pairing, by line first */
    for (int run = 0; run < 3; run++) {
        struct vdiff *v;
        char dir[] = "/tmp";
        memset(&got[run], 0, sizeof got[run]);
        CHECK(vd_new(&v, 1u << 20, run ? 64 << 10 : 0, dir) == 0, "vd_new");
        struct pairrun pr = { v, okey, nopen, 0, run == 2 };
        pthread_t t;
        int bad = 0;
        if (run > 0) {
            CHECK(vd_pairing(v) == 0, "vd_pairing");
            CHECK(pthread_create(&t, NULL, pair_open_side, &pr) == 0, "thread");
        } else {
            pair_open_side(&pr);
        }
        for (int i = 1; i <= nfile; i++) {
            uint64_t line = run == 2 ? file_line(i, fkey[i]) : 0;
            if (run == 2 && vd_pair_line(v, line)) {
                by_line++;
                continue;
            }
            bad += vd_add(v, VD_FILE, key_h1(fkey[i]), fkey[i], line, (uint32_t)i) < 0;
        }
        if (run > 0) {
            vd_file_done(v);
            pthread_join(t, NULL);
            if (run == 1)
                paired = vd_paired(v);
        }
        if (run == 2) {
            /* each: an open version paired by content with a line of another hash */
            const uint32_t *rid;
            const uint64_t *rl;
            refreshes = (long)vd_refreshes(v, &rid, &rl);
            for (long k = 0; k < refreshes; k++) {
                unsigned key = okey[rid[k]];
                bad_refresh += (k && rid[k] <= rid[k - 1]) ||
                               rl[k] == open_line((int)rid[k], key) ||
                               (rl[k] != (uint64_t)key * 2654435761u + 1 &&
                                rl[k] != (uint64_t)key * 40503u + 7 && rl[k] != 99);
            }
        }
        CHECK(bad == 0 && pr.failed == 0, "vd_add failed %d and %d times", bad, pr.failed);
        CHECK(vd_run(v, pair_collect, &got[run]) == 0, "vd_run");
        vd_free(v);
    }
    /* the plain join: the first open version of a content is kept, a later one ends */
    int wrong = 0, unchanged = 0, duplicate = 0, news = 0;
    memset(seen, 0, sizeof seen);
    memset(kept, 0, sizeof kept);
    for (int i = 1; i <= nopen; i++)
        kept[okey[i]] = 1;
    for (int i = 1; i <= nfile; i++) {
        int want = seen[fkey[i]] ? VD_DUPLICATE : kept[fkey[i]] ? VD_UNCHANGED : VD_NEW;
        seen[fkey[i]] = 1;
        unchanged += want == VD_UNCHANGED;
        duplicate += want == VD_DUPLICATE;
        news += want == VD_NEW;
        for (int run = 0; run < 3; run++)
            if (want == VD_NEW || run == 0)
                wrong += got[run].file[i] != 1 + want;
    }
    for (int run = 0; run < 3; run++) {
        for (int i = 1; i <= nopen; i++) {
            int later = i == nopen / 2 || i == nopen / 4 * 3 || i == nopen / 5 + 1;
            wrong += got[run].ended[i] != (later || !seen[okey[i]]);
        }
        wrong += got[run].unchanged != unchanged || got[run].duplicate != duplicate;
    }
    CHECK(wrong == 0, "paired vdiff = plain join (%d differences; %d unchanged, %d duplicate, "
          "%d new)", wrong, unchanged, duplicate, news);
    CHECK(unchanged > nfile / 2 && duplicate > 100 && news > 300, "all results occur");
    CHECK(by_line > unchanged * 6 / 10 && by_line <= unchanged,
          "most unchanged records paired by line (%ld of %d)", by_line, unchanged);
    CHECK(refreshes > unchanged / 20 && refreshes < unchanged / 5 && bad_refresh == 0,
          "line hashes to set: %ld, %ld of them wrong", refreshes, bad_refresh);
    /* a record behind a run of deletions pairs once the open side's thread is far enough
     * ahead, which depends on the two threads' speeds: 96 to 99% here */
    CHECK(paired > (unsigned long long)unchanged * 8 / 10 &&
              paired <= (unsigned long long)unchanged,
          "most unchanged records paired (%llu of %d)", paired, unchanged);
}

static int kv_count(void *ctx, const char *k, const char *v, const char *file, long line)
{
    (void)k; (void)v; (void)file; (void)line;
    (*(int *)ctx)++;
    return 0;
}

static void test_kv_mapping(void)
{
    int n = 0;
    const char good[] = "# c\nkind = vehicle  # trailing\n\nplate = HPHM\nstatus.A = 正常\n";
    CHECK(kv_parse_buf("m", good, sizeof good - 1, kv_count, &n) == 0 && n == 3, "kv %d", n);
    fprintf(stderr, "(the next errors are expected)\n");
    const char bad[] = "kind = vehicle\nplate HPHM\n";
    n = 0;
    CHECK(kv_parse_buf("m", bad, sizeof bad - 1, kv_count, &n) == XV_EUSAGE, "no '='");
    struct mapping m;
    char *p = write_tmp("v.map", good, sizeof good - 1);
    CHECK(map_load(p, NULL, &m) == 0 && m.nvmaps == 1 && !strcmp(m.source[2], "HPHM"),
          "mapping loads");
    CHECK(!strcmp(map_value(&m, 6, "A"), "正常"), "value map");
    CHECK(map_value(&m, 6, "B") == NULL, "unmapped value");
    map_free(&m);
    const char unk[] = "kind = vehicle\ncolour = YS\n";
    p = write_tmp("u.map", unk, sizeof unk - 1);
    CHECK(map_load(p, NULL, &m) == XV_EUSAGE, "unknown key refused");
    const char unkv[] = "kind = vehicle\ncolour.A = red\n";
    p = write_tmp("uv.map", unkv, sizeof unkv - 1);
    CHECK(map_load(p, NULL, &m) == XV_EUSAGE, "value map of unknown column refused");
    const char other[] = "kind = household\n";
    p = write_tmp("o.map", other, sizeof other - 1);
    CHECK(map_load(p, NULL, &m) == 0, "household mapping");
    map_free(&m);
    unlink(p);
}

static void test_compare(void)
{
    /* IDs: a near miss counts only when one side is invalid */
    CHECK(cmp_id("340102198003152310", 1, "340102198003152310", 1) == ID_EXACT, "id exact");
    CHECK(cmp_id("340102198003152310", 1, "340102198003152311", 0) == ID_CHECK, "check digit");
    CHECK(cmp_id("340102199001010753", 0, "340102199001010735", 1) == ID_EDIT, "transposition");
    CHECK(cmp_id("340102199001010735", 1, "340102199001010835", 0) == ID_EDIT, "substitution");
    CHECK(cmp_id("340102199001010735", 1, "340102199001010751", 1) == ID_DIFF,
          "two valid IDs a digit apart are two people (twins)");
    CHECK(cmp_id("340102199001010735", 1, "340102199101010836", 0) == ID_DIFF, "two digits");
    CHECK(cmp_id("340102198003152310", 1, "340102891003152310", 0) == ID_DIFF,
          "a swap of non-adjacent digits");
    /* names, by code point */
    CHECK(cmp_name("张伟", NULL, "张伟", NULL) == NAME_EXACT, "name exact");
    CHECK(cmp_name("张伟", NULL, "张伟", "張偉") == NAME_NORM, "name normalised");
    CHECK(cmp_name("张小明", NULL, "张小红", NULL) == NAME_ONE, "one character (siblings)");
    CHECK(cmp_name("张伟", NULL, "张伟强", NULL) == NAME_DIFF, "length differs");
    CHECK(cmp_name("张伟", NULL, "李娜", NULL) == NAME_DIFF, "different");
    CHECK(cmp_name("伟", NULL, "娜", NULL) == NAME_DIFF, "one-character names are not near");
    CHECK(cmp_birth("1980-03-15", "1980-03-15") == BIRTH_EXACT, "birth exact");
    CHECK(cmp_birth("1980-03-15", "1981-03-15") == BIRTH_ONE, "birth year");
    CHECK(cmp_birth("1980-03-15", "1981-04-15") == BIRTH_DIFF, "birth two parts");
    CHECK(cmp_birth(NULL, "1981-04-15") == BIRTH_MISSING, "birth unknown");
    CHECK(cmp_gender("男", "女") == GENDER_DIFF, "gender");
    CHECK(cmp_region("340102", "340103") == REGION_CITY, "region city");
    CHECK(cmp_region("340102", "350103") == REGION_DIFF, "region different");
}

static void test_policy(void)
{
    struct policy p;
    CHECK(policy_load(NULL, &p) == 0 && p.v[P_LINK_UPPER] == 16, "defaults");
    double w = policy_weight(&p, P_ID_EXACT_M);
    CHECK(w > 19.8 && w < 19.9, "log2(0.95/1e-6) = %f", w);
    char *text = xstrdup(p.text);
    policy_free(&p);
    CHECK(policy_parse("t", text, &p) == 0 && !strcmp(p.text, text), "the text round-trips");
    policy_free(&p);
    free(text);
    CHECK(policy_parse("t", "link.upper = 20\n", &p) == 0 && p.v[P_LINK_UPPER] == 20,
          "override");
    policy_free(&p);
    fprintf(stderr, "(the next errors are expected)\n");
    CHECK(policy_parse("t", "link.uper = 20\n", &p) == XV_EUSAGE, "unknown key");
    CHECK(policy_parse("t", "link.upper = lots\n", &p) == XV_EUSAGE, "not a number");
    CHECK(policy_parse("t", "link.id.exact.m = 2\n", &p) == XV_EUSAGE, "m above 1");
    CHECK(policy_parse("t", "link.lower = 30\n", &p) == XV_EUSAGE, "lower above upper");
}

static void test_rules_policy(void)
{
    struct policy p;
    CHECK(policy_load(NULL, &p) == 0, "defaults");
    CHECK(p.v[P_SEV_FIRST + R_VEHICLE] == SEV_BLOCK && p.v[P_SEV_FIRST + R_ID_INVALID] == SEV_REVIEW &&
          p.v[P_SEV_FIRST + R_EXIT_ELIGIBLE] == SEV_INFO &&
          p.v[P_SEV_FIRST + R_SEV_DECEASED_MEMBER] == SEV_REVIEW &&
          p.v[P_SEV_FIRST + R_SEV_BUSINESS_SMALL] == SEV_REVIEW, "default severities of rules.md");
    CHECK(p.v[P_HOUSING_AREA] == 40 && p.v[P_STANDARD_BAND] == 1.5 && p.v[P_WINDOW_MONTHS] == 3 &&
          p.v[P_EXIT_MONTHS] == 6 && p.v[P_INCOME_RATIO] == 0.2 && p.v[P_INCOME_GAP] == 200,
          "default thresholds of rules.md");
    CHECK(policy_list_has(&p, P_VEHICLE_EXEMPT, "普通二轮摩托车", 1), "a motorcycle is exempt");
    CHECK(policy_list_has(&p, P_VEHICLE_EXEMPT, "残疾人专用车", 1), "a disabled car is exempt");
    CHECK(!policy_list_has(&p, P_VEHICLE_EXEMPT, "小型轿车", 1), "a car is not");
    CHECK(!policy_list_has(&p, P_VEHICLE_EXEMPT, NULL, 1), "an unknown type is not");
    CHECK(policy_list_has(&p, P_PROPERTY_NONRESIDENTIAL, "商业", 0), "商业 is non-residential");
    CHECK(!policy_list_has(&p, P_PROPERTY_NONRESIDENTIAL, "商", 0), "exact items, not parts");
    CHECK(!strcmp(rule_code(R_VEHICLE), "VEHICLE") && !strcmp(rule_code(R_EXIT_ELIGIBLE),
          "EXIT_ELIGIBLE") && rule_code(R_COUNT) == NULL, "rule codes");
    CHECK(strstr(p.text, "\nseverity.DECEASED.member = review\n") &&
          strstr(p.text, "\nvehicle.exempt = 摩托车,残疾人\n"), "the effective text names them");
    char *text = xstrdup(p.text);
    policy_free(&p);
    CHECK(policy_parse("t", text, &p) == 0 && !strcmp(p.text, text), "the text round-trips");
    policy_free(&p);
    free(text);
    CHECK(policy_parse("t", "severity.VEHICLE = info\nvehicle.exempt = \n", &p) == 0 &&
          p.v[P_SEV_FIRST + R_VEHICLE] == SEV_INFO &&
          !policy_list_has(&p, P_VEHICLE_EXEMPT, "普通二轮摩托车", 1), "overrides; an empty list");
    policy_free(&p);
    fprintf(stderr, "(the next errors are expected)\n");
    CHECK(policy_parse("t", "severity.VEHICLE = high\n", &p) == XV_EUSAGE, "not a severity");
    CHECK(policy_parse("t", "exit.months = 0\n", &p) == XV_EUSAGE, "out of range");
    CHECK(policy_parse("t", "income.window_months = 1.5\n", &p) == XV_EUSAGE, "not whole");
}

static void test_fingerprints(void)
{
    char a[17], b[17], c[17];
    rules_fingerprint("VEHICLE", "A001", "340102198003152310", "皖A12345", 0, a);
    rules_fingerprint("VEHICLE", "A001", "340102198003152310", "皖A12345", 0, b);
    CHECK(!strcmp(a, b) && strlen(a) == 16 && strspn(a, "0123456789abcdef") == 16,
          "stable, 16 hex digits: %s", a);
    rules_fingerprint("VEHICLE", "A001", "340102198003152310", "皖A12346", 0, c);
    CHECK(strcmp(a, c), "another record key, another fingerprint");
    rules_fingerprint("VEHICLE", "A001", "340102198003152310", "皖A12345", 1, c);
    CHECK(strcmp(a, c), "a repeat is told apart");
    rules_fingerprint("VEHICLE", "A00", "1340102198003152310", "皖A12345", 0, c);
    CHECK(strcmp(a, c), "fields do not run into each other");
    CHECK(!strcmp(gate_name(GATE_BLOCK), "BLOCK") && !strcmp(gate_name(GATE_CLEAR), "CLEAR"),
          "gate names");
}

static void test_masking(void)
{
    char out[64];
    struct sbuf b = SBUF_INIT;
    mask_id("340102198003152310", 0, out, sizeof out);
    CHECK(!strcmp(out, "340102********2310"), "18 digits: %s", out);
    mask_id("340102800315231", 0, out, sizeof out);
    CHECK(!strcmp(out, "340102*****5231"), "15 digits: %s", out);
    mask_id("340102198003152310", 1, out, sizeof out);
    CHECK(!strcmp(out, "340102198003152310"), "unmasked");
    mask_text("张伟 34010219800315231X and 340102198003152310", 0, &b);
    CHECK(!strcmp(b.s, "张伟 340102********231X and 340102********2310"), "in text: %s", b.s);
    sbuf_reset(&b);
    mask_text("皖(2019)合肥市不动产权第0012345号 2026-08..2026-10 1234567890123456789", 0, &b);
    CHECK(!strcmp(b.s, "皖(2019)合肥市不动产权第0012345号 2026-08..2026-10 1234567890123456789"),
          "short numbers and 19 digits stay: %s", b.s);
    sbuf_reset(&b);
    mask_text("", 0, &b);
    CHECK(b.s && !strcmp(b.s, ""), "empty");
    sbuf_free(&b);
}

static void test_hash_entries(void)
{
    unsigned char e[STORE_HASH_SIZE];
    uint64_t a, b, c;
    store_hash_put(e, 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull, 0x1122334455667788ull);
    CHECK(e[0] == 0x01 && e[7] == 0xEF && e[8] == 0xFE && e[15] == 0x10 && e[16] == 0x11 &&
          e[23] == 0x88, "big-endian, h1, h2, line: %02x %02x %02x %02x %02x %02x", e[0], e[7],
          e[8], e[15], e[16], e[23]);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == 0x0123456789ABCDEFull &&
          b == 0xFEDCBA9876543210ull && c == 0x1122334455667788ull, "read back");
    store_hash_put(e, 0, 1, 0);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == 0 && b == 1 && c == 0,
          "a zero h1 alone is an entry");
    store_hash_put(e, (uint64_t)-1, 0, 0);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == UINT64_MAX && b == 0, "a zero h2 alone too");
    store_hash_put(e, 0, 0, 5);
    CHECK(store_hash_get(e, &a, &b, &c) == 0, "no content hash is no entry, whatever the line");
}

int main(void)
{
    xmlInitParser();
    rules_catalogue_init();
    if (norm_init() < 0)
        return 1;
    test_ids();
    test_names();
    test_dates();
    test_amounts();
    test_codes();
    test_utf8();
    test_encodings();
    test_csv();
    test_csv_scan();
    test_csv_fast();
    test_vdiff();
    test_vdiff_pairing();
    test_hash_entries();
    test_kv_mapping();
    test_compare();
    test_policy();
    test_rules_policy();
    test_fingerprints();
    test_masking();
    for (int i = 0; i < ntmp; i++)
        unlink(tmp_paths[i]);
    norm_fini();
    xmlCleanupParser();
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
