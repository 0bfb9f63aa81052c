/* tables.c: findings.csv, gates.csv and findings.xml. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/hooks.h"
#include "../core/policy.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/catalogue.h"
#include "rpt_int.h"

/* ---- CSV -------------------------------------------------------------------------------- */

/* 1 when S is a plain decimal number: an optional minus, digits, optionally a point and
 * digits. */
static int plain_number(const char *s)
{
    const char *p = s + (*s == '-');
    int digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (digits && *p == '.') {
        int frac = 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            frac++;
        if (!frac)
            return 0;
    }
    return digits && !*p;
}

/* One CSV field: quoted when it holds a comma, quote or line break. A cell a spreadsheet could
 * run as a formula — beginning with =, +, -, @, a tab or a CR — gets a leading apostrophe,
 * unless the whole cell is a plain decimal number (the OWASP rule: "-2+3+cmd|..." begins
 * with a minus and a digit and is still a payload). */
void rpt_csv_field(FILE *f, const char *s, int last)
{
    int formula = s[0] && strchr("=+-@\t\r", s[0]) && !plain_number(s);
    if (strpbrk(s, ",\"\r\n") || formula) {
        fputc('"', f);
        if (formula)
            fputc('\'', f);
        /* up to each quote, and the quote doubled */
        for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
            fwrite(s, 1, (size_t)(q - s), f);
            fputs("\"\"", f);
        }
        fputs(s, f);
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

void rpt_findings_csv(FILE *f, const struct data *d)
{
    fputs("\xEF\xBB\xBF", f);
    for (int i = 0; i < NCSV; i++)
        rpt_csv_field(f, col_names[i], 0);
    fputs("rule_name,trial\r\n", f);
    for (int pass = 0; pass < 2; pass++)
        for (long r = 0; r < d->nf; r++) {
            if (!RPT_PASS_FIRST(&d->f[r], pass))
                continue;
            for (int i = 0; i < NCSV; i++)
                rpt_csv_field(f, d->f[r].c[i], 0);
            /* the rule's name in the report language, for a person reading the system file */
            rpt_csv_field(f, T(d->f[r].c[C_RULE]), 0);
            fprintf(f, "%d\r\n", !d->r->official);
        }
}

void rpt_gates_csv(FILE *f, const struct data *d)
{
    fputs("\xEF\xBB\xBF" "run_id,applicant_id,county_code,name,gate,open_block,open_review,"
          "open_info,status,family_size,per_capita_income,standard,tier,trial\r\n", f);
    for (long k = 0; k < 2 * d->ng; k++) {
        const struct grow *g = &d->g[k % d->ng];
        if (!RPT_PASS_FIRST(g, k >= d->ng))
            continue;
        fprintf(f, "%lld,", d->r->id);
        rpt_csv_field(f, g->app, 0);
        rpt_csv_field(f, g->county, 0);
        rpt_csv_field(f, g->name, 0);
        fprintf(f, "%s,%d,%d,%d,", g->gate, g->n[0], g->n[1], g->n[2]);
        /* the tier as rules.md names it, in every language: a code for systems */
        const char *v[] = { g->status, g->size, g->per_capita, g->standard, g->tier };
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            rpt_csv_field(f, v[i], 0);
        fprintf(f, "%d\r\n", !d->r->official);
    }
}

/* ---- XML and HTML ------------------------------------------------------------------------ */

/* Text escaped for XML and HTML; the characters XML 1.0 cannot carry (controls but tab, LF
 * and CR; the noncharacters U+FFFE and U+FFFF, which a GB18030 feed can hold) become U+FFFD. */
size_t rpt_plain_len(const char *s, int markup)
{
    size_t n = 0;
    for (unsigned char c; (c = (unsigned char)s[n]) != 0 && c != 0xEF &&
                          (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') &&
                          !(markup && (c == '&' || c == '<' || c == '>' || c == '"'));)
        n++;
    return n;
}

int rpt_nonchar(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    return u[0] == 0xEF && u[1] == 0xBF && (u[2] == 0xBE || u[2] == 0xBF) ? 3 : 0;
}

void rpt_esc(FILE *f, const char *s)
{
    while (*s) {
        /* the bytes written as they are, a run at a time */
        size_t n = rpt_plain_len(s, 1);
        if (n) {
            fwrite(s, 1, n, f);
            s += n;
            continue;
        }
        unsigned char c = (unsigned char)*s;
        if ((n = (size_t)rpt_nonchar(s)) != 0) {
            fputs("\xEF\xBF\xBD", f);
            s += n;
            continue;
        }
        s++;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                fputs("\xEF\xBF\xBD", f);
            else
                fputc(c, f);
        }
    }
}

void rpt_esc_lines(FILE *f, const char *s)
{
    struct sbuf line = SBUF_INIT;
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        sbuf_reset(&line);
        sbuf_add(&line, p, n);
        rpt_esc(f, sbuf_str(&line));
        if (!nl)
            break;
        fputs("<br>", f);
        p = nl + 1;
    }
    sbuf_free(&line);
}

void rpt_findings_xml(FILE *f, const struct data *d)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<findings xmlns=\"urn:xverify:findings:1\" run_id=\"%lld\" as_of=\"%s\" "
               "policy_sha256=\"%s\" count=\"%ld\" trial=\"%d\"", d->r->id, d->r->as_of,
            d->r->pol.sha256, d->nf, !d->r->official);
    if (d->r->coverage[0])
        fprintf(f, " coverage_month=\"%s\"", d->r->coverage);
    fputs(">\n", f);
    for (long k = 0; k < 2 * d->nf; k++) {
        long r = k % d->nf;
        if (!RPT_PASS_FIRST(&d->f[r], k >= d->nf))
            continue;
        fputs("  <finding>\n", f);
        for (int i = 0; i < NXML; i++) {
            /* optional numbers are left out rather than written empty */
            if ((i == C_LOAD || i == C_WEIGHT || (i >= C_DECIDED_BY && i <= C_DECISION_REASON))
                && !d->f[r].c[i][0])
                continue;
            if (i == C_RAW) {
                fputs("    <rule_name>", f);
                rpt_esc(f, T(d->f[r].c[C_RULE]));
                fputs("</rule_name>\n", f);
            }
            fprintf(f, "    <%s>", col_names[i]);
            rpt_esc(f, d->f[r].c[i]);
            fprintf(f, "</%s>\n", col_names[i]);
        }
        fputs("  </finding>\n", f);
    }
    fputs("</findings>\n", f);
}
