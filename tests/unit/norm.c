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
