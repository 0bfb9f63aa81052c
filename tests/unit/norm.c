/* norm.c: unit tests of the normalisers of ingest/norm.c: IDs, names, dates, amounts, codes. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

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

void test_ids(void)
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

/* norm_fold as a byte at a time: what the run-at-a-time version must equal */
static void fold_ref(const char *in, struct sbuf *out)
{
    const unsigned char *s = (const unsigned char *)in, *end = s + strlen(in);
    sbuf_reset(out);
    sbuf_add(out, "", 0);
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    while (s < end) {
        if (s[0] == 0xEF && end - s >= 3 && (s[1] == 0xBC || s[1] == 0xBD) &&
            (s[2] & 0xC0) == 0x80) {
            unsigned cp = 0xFF00 + ((unsigned)(s[1] - 0xBC) << 6) + (s[2] & 0x3F);
            if (cp >= 0xFF01 && cp <= 0xFF5E)
                sbuf_addc(out, (char)(cp - 0xFF01 + 0x21));
            else
                sbuf_add(out, s, 3);
            s += 3;
        } else if (s[0] == 0xE3 && end - s >= 3 && s[1] == 0x80 && s[2] == 0x80) {
            sbuf_addc(out, ' ');
            s += 3;
        } else if (s[0] == 0xC2 && end - s >= 2 && s[1] == 0xA0) {
            sbuf_addc(out, ' ');
            s += 2;
        } else {
            sbuf_addc(out, (char)*s++);
        }
    }
    while (out->len && strchr(" \t\r\n", out->s[out->len - 1]))
        out->s[--out->len] = '\0';
}

void test_fold_runs(void)
{
    static const char *const piece[] = {
        "a", "Z9", " ", "\t", "\n", "\xEF\xBC\xA1" /* Ａ */, "\xEF\xBD\x9E" /* U+FF5E */,
        "\xEF\xBD\x9F" /* U+FF5F: kept */, "\xEF\xBC\x80" /* U+FF00: kept */,
        "\xE3\x80\x80" /* U+3000 */, "\xE3\x80\x81" /* 、 */, "\xC2\xA0", "\xC2\xA9" /* © */,
        "\xE4\xB8\xAD" /* 中 */, "\xEF\xBF\xBD" /* U+FFFD */
    };
    const int npiece = (int)(sizeof piece / sizeof piece[0]);
    struct sbuf in = SBUF_INIT, got = SBUF_INIT, want = SBUF_INIT;
    unsigned x = 12345;
    int differ = 0;
    for (int t = 0; t < 20000; t++) {
        sbuf_reset(&in);
        sbuf_add(&in, "", 0);
        x = x * 1103515245u + 12345u;
        int n = (int)(x >> 16) % 13;
        for (int i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            sbuf_adds(&in, piece[(x >> 16) % (unsigned)npiece]);
        }
        norm_fold(in.s, &got);
        fold_ref(in.s, &want);
        if (got.len != want.len || memcmp(got.s, want.s, got.len) || got.s[got.len])
            differ++;
    }
    CHECK(differ == 0, "norm_fold differs from the byte loop on %d of 20000 strings", differ);
    norm_fold("\xE3\x80\x80 \xEF\xBC\xA1\xEF\xBC\x91\xC2\xA0", &got);
    CHECK(!strcmp(got.s, "  A1"), "fold: a leading U+3000 is a space, not trimmed: '%s'", got.s);
    sbuf_free(&in);
    sbuf_free(&got);
    sbuf_free(&want);
}

void test_names(void)
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

void test_dates(void)
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
    CHECK(norm_date("2019-06-00", out) == XV_EDATA, "day 0");
    CHECK(norm_date("2019-06-01x", out) == XV_EDATA, "a date and more");
    CHECK(norm_date("2019-06-0１", out) == 0 && !strcmp(out, "2019-06-01"), "folded '%s'", out);
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

void test_amounts(void)
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

void test_codes(void)
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
    /* every byte in the ninth place: taken (upper-cased) exactly when in the alphabet, and
     * the check character then computed as the standard's weights say */
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
    int wrong = 0;
    for (int ch = 1; ch < 256; ch++) {
        char code[] = "91350100M000100Y43";
        code[8] = (char)ch;
        int up = ch >= 'a' && ch <= 'z' ? ch - 32 : ch;
        int in = up != ' ' && up != '-' && strchr(alphabet, up) != NULL;
        int rc = norm_uscc(code, u, &valid);
        if (rc != (in ? 0 : XV_EDATA)) {
            wrong++;
            continue;
        }
        if (!in)
            continue;
        int sum = 0;
        for (int i = 0; i < 17; i++)
            sum += (int)(strchr(alphabet, u[i]) - alphabet) * w[i];
        int c = 31 - sum % 31;
        char want = alphabet[c == 31 ? 0 : c];
        if (uscc_check_char(u) != want || valid != (u[17] == want))
            wrong++;
    }
    CHECK(wrong == 0, "uscc: %d of 255 bytes in the ninth place taken or checked wrongly", wrong);
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
