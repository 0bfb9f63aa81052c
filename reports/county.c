/* county.c: the county page: a county's applications, its chart and its findings. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/hooks.h"
#include "../core/policy.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/catalogue.h"
#include "rpt_int.h"

static const char *const gate_colours[GATE_COUNT] = { "#c0392b", "#d4a017", "#2e8b57" };

/* The bar chart: per rule, the county's applications with a finding of that rule, by gate. */
static void chart(FILE *f, const struct data *d, const char *county)
{
    int counts[R_COUNT][3], rows = 0, max = 1;
    memset(counts, 0, sizeof counts);
    long fi = 0;
    for (long gi = 0; gi < d->ng; gi++) {
        const struct grow *g = &d->g[gi];
        int seen[R_COUNT] = { 0 };
        while (fi < d->nf && strcmp(d->f[fi].c[C_APP], g->app) < 0)
            fi++;
        for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], g->app); j++)
            for (int r = 0; r < R_COUNT; r++)
                if (!strcmp(rule_code(r), d->f[j].c[C_RULE]))
                    seen[r] = 1;
        if (strcmp(g->county, county))
            continue;
        for (int r = 0; r < R_COUNT; r++)
            counts[r][rpt_gate_index(g->gate)] += seen[r];
    }
    for (int r = 0; r < R_COUNT; r++) {
        int n = counts[r][0] + counts[r][1] + counts[r][2];
        if (n) {
            rows++;
            if (n > max)
                max = n;
        }
    }
    if (!rows) {
        fputs("<p>No findings.</p>\n", f);
        return;
    }
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%d\" "
               "role=\"img\" aria-label=\"applications by rule and gate\">\n", rows * 22 + 30);
    int y = 0;
    for (int r = 0; r < R_COUNT; r++) {
        int n = counts[r][0] + counts[r][1] + counts[r][2];
        if (!n)
            continue;
        fprintf(f, "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>\n", y + 14, rule_code(r));
        double x = 210;
        for (int g = 0; g < 3; g++) {
            if (!counts[r][g])
                continue;
            double w = 380.0 * counts[r][g] / max;
            fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\">"
                       "<title>%s: %d</title></rect>\n", x, y + 2, w, gate_colours[g],
                    gate_name(g), counts[r][g]);
            x += w;
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%d</text>\n", x + 4, y + 14, n);
        y += 22;
    }
    for (int g = 0; g < 3; g++)
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", 210 + g * 100, y + 8,
                gate_colours[g], 226 + g * 100, y + 18, gate_name(g));
    fputs("</svg>\n", f);
}

/* The page's head and title. */
static void page_head(FILE *f, const struct data *d, const char *county)
{
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n", f);
    fprintf(f, "<title>xverify run %lld: county ", d->r->id);
    rpt_esc(f, county);
    fputs("</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;color:#222}\n"
          "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
          "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}\n"
          "th{background:#eee}\n"
          ".BLOCK{color:#fff;background:#c0392b;padding:0 4px}\n"
          ".REVIEW{color:#000;background:#d4a017;padding:0 4px}\n"
          ".CLEAR{color:#fff;background:#2e8b57;padding:0 4px}\n"
          ".raw{font-size:smaller;color:#555}\n"
          ".trial{border:3px solid #c0392b;color:#c0392b;padding:0.5em;font-weight:bold}\n"
          "</style>\n</head>\n<body>\n", f);
    if (!d->r->official)
        fputs("<p class=\"trial\">试算 / trial run: its own policy or date; no decision or "
              "approval reads it</p>\n", f);
    fprintf(f, "<h1>County ");
    rpt_esc(f, county);
    fprintf(f, ": run %lld as of %s</h1>\n<p>", d->r->id, d->r->as_of);
    if (d->r->has_coverage)
        fprintf(f, "Coverage month %s (the income rules' window ends with it). ",
                d->r->coverage[0] ? d->r->coverage : "none");
    fprintf(f, "Policy %.12s. IDs are %s.%s</p>\n", d->r->pol.sha256, d->unmasked ? "shown in full" : "masked",
            d->r->load_of[kind_index("reviewer")] ? ""
                : " No reviewer registry is loaded: who decides is not checked.");
}

/* The county's applications by gate and its findings by rule and severity. */
static void summary_tables(FILE *f, const struct data *d, const char *county)
{
    int gates[GATE_COUNT] = { 0, 0, 0 }, apps = 0;
    long by_rule[R_COUNT][SEV_COUNT];
    memset(by_rule, 0, sizeof by_rule);
    for (long i = 0; i < d->ng; i++)
        if (!strcmp(d->g[i].county, county)) {
            gates[rpt_gate_index(d->g[i].gate)]++;
            apps++;
        }
    for (long i = 0; i < d->nf; i++) {
        if (strcmp(d->f[i].c[C_COUNTY], county))
            continue;
        int sev = sev_parse(d->f[i].c[C_SEV]), r = rule_parse(d->f[i].c[C_RULE]);
        if (r >= 0)
            by_rule[r][sev < 0 ? SEV_INFO : sev]++;
    }
    fprintf(f, "<h2>Summary</h2>\n<table>\n<tr><th>gate</th><th>applications</th></tr>\n");
    for (int g = 0; g < GATE_COUNT; g++)
        fprintf(f, "<tr><td><span class=\"%s\">%s</span></td><td>%d</td></tr>\n", gate_name(g),
                gate_name(g), gates[g]);
    fprintf(f, "<tr><td>total</td><td>%d</td></tr>\n</table>\n", apps);
    fputs("<table>\n<tr><th>rule</th><th>block</th><th>review</th><th>info</th></tr>\n", f);
    for (int r = 0; r < R_COUNT; r++)
        if (by_rule[r][0] + by_rule[r][1] + by_rule[r][2])
            fprintf(f, "<tr><td>%s</td><td>%ld</td><td>%ld</td><td>%ld</td></tr>\n", rule_code(r),
                    by_rule[r][0], by_rule[r][1], by_rule[r][2]);
    fputs("</table>\n", f);
}

/* The findings of one application, D->f[FI] on, as a table. */
static void findings_table(FILE *f, const struct data *d, long fi, const char *app)
{
    static const int cols[] = { C_RULE, C_SEV, C_PID, C_FEED, C_KEY, C_DECLARED, C_FOUND,
                                C_LOAD, C_WEIGHT, C_DECISION, C_FP };
    fputs("<table>\n<tr><th>rule</th><th>severity</th><th>person</th><th>feed</th>"
          "<th>record</th><th>declared</th><th>found</th><th>load</th><th>weight</th>"
          "<th>decision</th><th>fingerprint</th></tr>\n", f);
    for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], app); j++) {
        char *const *c = d->f[j].c;
        fputs("<tr>", f);
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
            fputs("<td>", f);
            rpt_esc(f, c[cols[k]]);
            if (cols[k] == C_PID) {
                fputs(" ", f);
                rpt_esc(f, c[C_PNAME]);
            }
            if (cols[k] == C_DECISION && c[C_DECIDED_BY][0]) {
                /* who decided, at which level, when and why */
                fputs("<br>", f);
                rpt_esc(f, c[C_DECIDED_BY]);
                fputs(" (", f);
                rpt_esc(f, c[C_DECIDED_LEVEL]);
                fputs(") ", f);
                rpt_esc(f, c[C_DECIDED_AT]);
                fputs(": ", f);
                rpt_esc(f, c[C_DECISION_REASON]);
            }
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
        if (c[C_RAW][0]) {
            fputs("<tr><td></td><td class=\"raw\" colspan=\"10\">as the feed wrote it: ", f);
            rpt_esc(f, c[C_RAW]);
            fputs("</td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
}

/* The follow-up list (跟进名单) of the county: archived households, or households under notice,
 * that a block finding holds, each with its block findings and a link to its section. */
static void followup_list(FILE *f, const struct data *d, const char *county)
{
    int n = 0;
    long fi = 0;
    fputs("<h2 id=\"followup\">跟进名单 / follow-up list</h2>\n", f);
    for (long gi = 0; gi < d->ng; gi++) {
        const struct grow *g = &d->g[gi];
        while (fi < d->nf && strcmp(d->f[fi].c[C_APP], g->app) < 0)
            fi++;
        if (!g->followup || strcmp(g->county, county))
            continue;
        if (!n++)
            fputs("<table>\n<tr><th>application</th><th>status</th><th>block findings in force"
                  "</th></tr>\n", f);
        fputs("<tr><td><a href=\"#", f);
        rpt_esc(f, g->app);
        fputs("\">", f);
        rpt_esc(f, g->app);
        fputs("</a> ", f);
        rpt_esc(f, g->name);
        fputs("</td><td>", f);
        rpt_esc(f, g->status);
        fputs("</td><td>", f);
        int first = 1;
        for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], g->app); j++) {
            char *const *c = d->f[j].c;
            if (strcmp(c[C_SEV], "block") || !strcmp(c[C_DECISION], "dismissed"))
                continue;
            fputs(first ? "" : "<br>", f);
            first = 0;
            rpt_esc(f, c[C_RULE]);
            fputs(": ", f);
            rpt_esc(f, c[C_FOUND]);
        }
        fputs("</td></tr>\n", f);
    }
    fputs(n ? "</table>\n" : "<p>None: no archived household is held by a block finding.</p>\n",
          f);
}

void rpt_county_html(FILE *f, const struct data *d, const char *county)
{
    page_head(f, d, county);
    followup_list(f, d, county);
    summary_tables(f, d, county);
    fputs("<h2>Gates by rule</h2>\n", f);
    chart(f, d, county);
    fputs("<h2>Applications</h2>\n", f);
    long fi = 0;
    for (long gi = 0; gi < d->ng; gi++) {
        const struct grow *g = &d->g[gi];
        while (fi < d->nf && strcmp(d->f[fi].c[C_APP], g->app) < 0)
            fi++;
        if (strcmp(g->county, county))
            continue;
        fputs("<h3 id=\"", f);
        rpt_esc(f, g->app);
        fputs("\">", f);
        rpt_esc(f, g->app);
        fputs(" ", f);
        rpt_esc(f, g->name);
        fprintf(f, " <span class=\"%s\">%s</span></h3>\n<p>status ", g->gate, g->gate);
        rpt_esc(f, g->status);
        fprintf(f, "; open findings: %d block, %d review, %d info</p>\n", g->n[0], g->n[1],
                g->n[2]);
        if (fi < d->nf && !strcmp(d->f[fi].c[C_APP], g->app))
            findings_table(f, d, fi, g->app);
    }
    fputs("</body>\n</html>\n", f);
}
