/* reports.c: unit tests of the reports' escaping: CSV fields and XML/HTML text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../reports/rpt_int.h"
#include "unit.h"

/* What WRITE makes of S, as a string the caller frees. */
static char *render(void (*write)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    write(f, s);
    fclose(f);
    return buf;
}

static void csv_mid(FILE *f, const char *s)
{
    rpt_csv_field(f, s, 0);
}

static void csv_ok(const char *in, const char *want)
{
    char *got = render(csv_mid, in);
    CHECK(!strcmp(got, want), "csv '%s' -> '%s', not '%s'", in, got, want);
    free(got);
}

static void esc_ok(const char *in, const char *want)
{
    char *got = render(rpt_esc, in);
    CHECK(!strcmp(got, want), "esc '%s' -> '%s', not '%s'", in, got, want);
    free(got);
}

void test_report_escaping(void)
{
    csv_ok("plain", "plain,");
    csv_ok("a,b", "\"a,b\",");
    csv_ok("say \"hi\"", "\"say \"\"hi\"\"\",");
    csv_ok("=1+1", "\"'=1+1\",");
    csv_ok("+cmd", "\"'+cmd\",");
    csv_ok("@SUM(A1)", "\"'@SUM(A1)\",");
    csv_ok("-x", "\"'-x\",");
    csv_ok("-12.5", "-12.5,");
    csv_ok("-2+3+cmd|' /C calc'!A0", "\"'-2+3+cmd|' /C calc'!A0\",");
    csv_ok("-1e5", "\"'-1e5\",");
    csv_ok("-12.", "\"'-12.\",");
    csv_ok("\tx", "\"'\tx\",");
    csv_ok("\rx", "\"'\rx\",");
    csv_ok("7", "7,");
    csv_ok("\"", "\"\"\"\",");
    csv_ok("\"a\"\"\nb\"", "\"\"\"a\"\"\"\"\nb\"\"\",");
    char *last = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&last, &n);
    rpt_csv_field(f, "end", 1);
    fclose(f);
    CHECK(!strcmp(last, "end\r\n"), "a record ends in CRLF");
    free(last);
    /* U+FFFF and U+FFFE become U+FFFD */
    esc_ok("a\xEF\xBF\xBF" "b\xEF\xBF\xBE" "c", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
    esc_ok("\xEF\xBF\xBD\xEF\xBC\x91", "\xEF\xBF\xBD\xEF\xBC\x91");  /* U+FFFD, full-width 1 kept */
    esc_ok("a<b>&\"c\"'", "a&lt;b&gt;&amp;&quot;c&quot;'");
    esc_ok("张伟", "张伟");
    esc_ok("a\x01" "b\tc\r\n\x1f", "a\xEF\xBF\xBD" "b\tc\r\n\xEF\xBF\xBD");
    esc_ok("\xEF\xBF", "\xEF\xBF");   /* a cut sequence at the end stays as it is */
}

static void name_ok(const char *in, const char *want)
{
    struct sbuf b = SBUF_INIT;
    rpt_mask_name(in, &b);
    CHECK(!strcmp(b.s ? b.s : "", want), "name '%s' -> '%s', not '%s'", in, b.s ? b.s : "", want);
    sbuf_free(&b);
}

void test_notice_names(void)
{
    name_ok("张三明", "张*明");
    name_ok("欧阳小明", "欧**明");
    name_ok("林芳", "林*");
    name_ok("王", "王");
    name_ok("", "");
}

/* The message table: every key is found (through a copy, so that a key not found, which
 * comes back as itself, cannot pass for one found), in both languages, and a text that is no
 * key comes back as it is. */
void test_message_table(void)
{
    size_t n = 0, missed = 0;
    int lang = msg_lang();
    for (const char *k; (k = msg_key(n)) != NULL; n++) {
        char *copy = xstrdup(k);
        msg_set_lang(MSG_ZH);
        const char *zh = msg_t(copy);
        msg_set_lang(MSG_EN);
        const char *en = msg_t(copy);
        if (zh == copy || en == copy || msg_en(copy) != en)
            missed++;
        free(copy);
    }
    msg_set_lang(lang);
    CHECK(n > 100, "the table has %zu keys", n);
    CHECK(missed == 0, "%zu of %zu keys not found", missed, n);
    const char *none = "NO_SUCH_CODE";
    CHECK(msg_t(none) == none && msg_en(none) == none, "a text that is no key comes back");
    CHECK(!strcmp(msg_t("block"), "阻断"), "block is 阻断 in Chinese");
}
