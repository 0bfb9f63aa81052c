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

static const char *const sev_colours[SEV_COUNT] = { "#c0392b", "#d4a017", "#7f8c8d" };

/* The bar chart: per rule, the county's findings of that rule by severity (a review-only
 * rule never shows red). */
static void chart(FILE *f, const struct data *d, const char *county)
{
    int counts[R_COUNT][SEV_COUNT], rows = 0, max = 1;
    memset(counts, 0, sizeof counts);
    long nf;
    const long *ix = rpt_county_findings(d, county, &nf);
    for (long k = 0; k < nf; k++) {
        char *const *c = d->f[ix[k]].c;
        int r = rule_parse(c[C_RULE]), sev = sev_parse(c[C_SEV]);
        if (r >= 0 && sev >= 0)
            counts[r][sev]++;
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
        fprintf(f, "<p>%s</p>\n", T("没有发现。"));
        return;
    }
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%d\" "
               "role=\"img\" aria-label=\"%s\">\n", rows * 22 + 30, T("各规则的发现数，按严重程度"));
    int y = 0;
    for (int r = 0; r < R_COUNT; r++) {
        int n = counts[r][0] + counts[r][1] + counts[r][2];
        if (!n)
            continue;
        fprintf(f, "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>\n", y + 14,
                T(rule_code(r)));
        double x = 210;
        for (int g = 0; g < SEV_COUNT; g++) {
            if (!counts[r][g])
                continue;
            double w = 380.0 * counts[r][g] / max;
            fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\">"
                       "<title>%s: %d</title></rect>\n", x, y + 2, w, sev_colours[g],
                    T(sev_name(g)), counts[r][g]);
            x += w;
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%d</text>\n", x + 4, y + 14, n);
        y += 22;
    }
    for (int g = 0; g < SEV_COUNT; g++)
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", 210 + g * 100, y + 8,
                sev_colours[g], 226 + g * 100, y + 18, T(sev_name(g)));
    fputs("</svg>\n", f);
}

/* The style every page of people shares: a CJK font stack, tables that fit 1280 pixels,
 * print on A4. */
const char rpt_page_css[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"WenQuanYi Zen Hei\","
    "\"Microsoft YaHei\",\"PingFang SC\",sans-serif;margin:1.5em;color:#222;max-width:1240px}\n"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em;table-layout:fixed;width:100%}\n"
    "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere;word-break:break-word}\n"
    "th{background:#eee}\n"
    "table.narrow{width:auto;table-layout:auto}\n"
    ".BLOCK{color:#fff;background:#c0392b;padding:0 4px}\n"
    ".REVIEW{color:#000;background:#d4a017;padding:0 4px}\n"
    ".CLEAR{color:#fff;background:#2e8b57;padding:0 4px}\n"
    "tr.block td{background:#fdecea}\n"
    "tr.dismissed td{color:#888;text-decoration:line-through}\n"
    "tr.dismissed td.who{text-decoration:none}\n"
    ".raw{font-size:smaller;color:#555}\n.fp{font-family:monospace;font-size:smaller}\n"
    ".trial{border:3px solid #c0392b;color:#c0392b;padding:0.5em;font-weight:bold}\n"
    "svg{max-width:100%;height:auto}\n"
    "@page{size:A4;margin:12mm}\n"
    "@media print{body{margin:0;max-width:none}tr{page-break-inside:avoid}}\n";

void rpt_page_open(FILE *f)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width\">\n",
          msg_lang() == MSG_EN ? "en" : "zh-CN");
}

void rpt_page_body(FILE *f, const char *extra_css)
{
    fprintf(f, "<style>\n%s%s</style>\n</head>\n<body>\n", rpt_page_css, extra_css);
}

/* The page's head, title and guide. */
static void page_head(FILE *f, const struct data *d, const char *county)
{
    rpt_page_open(f);
    fprintf(f, "<title>%s ", T("县区"));
    rpt_county_esc(f, d, county);
    fprintf(f, T("审核页：第 %lld 次核查"), d->r->id);
    fputs("</title>\n", f);
    rpt_page_body(f, "");
    if (!d->r->official)
        fprintf(f, "<p class=\"trial\">%s</p>\n",
                T("试算 / trial run：使用自定的政策或日期，任何决定和审批都不以本页为准"));
    fprintf(f, "<h1>%s ", T("县区"));
    rpt_county_esc(f, d, county);
    fprintf(f, T("：第 %lld 次核查（数据截至 %s）"), d->r->id, d->r->as_of);
    fputs("</h1>\n<p>", f);
    if (d->r->has_coverage)
        fprintf(f, T("收入核查月份 %s（收入规则的时间窗口截至该月）。"),
                d->r->coverage[0] ? d->r->coverage : T("无"));
    fprintf(f, T("政策 %.12s。"), d->r->pol.sha256);
    fputs(d->unmasked ? T("身份证号完整显示。") : T("身份证号已脱敏。"), f);
    if (!d->r->load_of[kind_index("reviewer")])
        fputs(T("尚未加载审核人员名册：不核对审核人身份。"), f);
    fprintf(f, "</p>\n<h2>%s</h2>\n<ul>\n"
               "<li><span class=\"BLOCK\">%s</span> %s</li>\n"
               "<li><span class=\"REVIEW\">%s</span> %s</li>\n<li>%s %s</li>\n<li>",
            T("怎样处理"), T("block"), T("发现使申请不能通过：只有市级审核人员可以排除。"),
            T("review"), T("发现由县区或市级审核人员核实后确认或排除。"), T("info"),
            T("只供参考，无需处理。已处理的发现显示处理人、层级、时间和理由。"));
    fprintf(f, "%s county-", T("处理意见写在县区工作簿"));
    rpt_esc(f, county);
    fprintf(f, ".xlsx %s</li>\n</ul>\n", T("的“待处理”表（处理意见、理由、审核人），保存后交市工会导入。"));
}

/* The county's applications by gate and its findings by rule and severity. */
static void summary_tables(FILE *f, const struct data *d, const char *county)
{
    int gates[GATE_COUNT] = { 0, 0, 0 }, apps = 0;
    long by_rule[R_COUNT][SEV_COUNT];
    memset(by_rule, 0, sizeof by_rule);
    long n;
    const long *ix = rpt_county_gates(d, county, &n);
    for (long k = 0; k < n; k++) {
        gates[rpt_gate_index(d->g[ix[k]].gate)]++;
        apps++;
    }
    ix = rpt_county_findings(d, county, &n);
    for (long k = 0; k < n; k++) {
        char *const *c = d->f[ix[k]].c;
        int sev = sev_parse(c[C_SEV]), r = rule_parse(c[C_RULE]);
        if (r >= 0)
            by_rule[r][sev < 0 ? SEV_INFO : sev]++;
    }
    fprintf(f, "<h2>%s</h2>\n<table class=\"narrow\">\n<tr><th>%s</th><th>%s</th></tr>\n",
            T("概况"), T("审核结果"), T("申请数"));
    for (int g = 0; g < GATE_COUNT; g++)
        fprintf(f, "<tr><td><span class=\"%s\">%s</span></td><td>%d</td></tr>\n", gate_name(g),
                T(gate_name(g)), gates[g]);
    fprintf(f, "<tr><td>%s</td><td>%d</td></tr>\n</table>\n", T("合计"), apps);
    fprintf(f, "<table class=\"narrow\">\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
            T("规则"), T("block"), T("review"), T("info"));
    for (int r = 0; r < R_COUNT; r++)
        if (by_rule[r][0] + by_rule[r][1] + by_rule[r][2])
            fprintf(f, "<tr><td>%s %s</td><td>%ld</td><td>%ld</td><td>%ld</td></tr>\n",
                    T(rule_code(r)), rule_code(r), by_rule[r][0], by_rule[r][1],
                    by_rule[r][2]);
    fputs("</table>\n", f);
}

/* Who decided the finding of columns C, at which level, when and why. */
static void who_decided(FILE *f, char *const *c)
{
    rpt_esc(f, c[C_DECIDED_BY]);
    fputs(" (", f);
    rpt_esc(f, c[C_DECIDED_LEVEL]);
    fputs(") ", f);
    rpt_esc(f, c[C_DECIDED_AT]);
    fputs(": ", f);
    rpt_esc(f, c[C_DECISION_REASON]);
}

/* The findings of one application, D->f[FI] on, as a table: block rows marked, decided
 * ones with who, level, when and why. */
static void findings_table(FILE *f, const struct data *d, long fi, const char *app)
{
    fputs("<table>\n<colgroup><col style=\"width:13%\"><col style=\"width:6%\">"
          "<col style=\"width:12%\"><col style=\"width:8%\"><col style=\"width:15%\">"
          "<col style=\"width:10%\"><col style=\"width:18%\"><col style=\"width:10%\">"
          "<col style=\"width:8%\"></colgroup>\n<tr>", f);
    static const char *const heads[] = { "规则", "严重程度", "人员", "数据源", "记录", "申报",
                                         "发现", "处理", "指纹" };
    for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++)
        fprintf(f, "<th>%s</th>", T(heads[k]));
    fputs("</tr>\n", f);
    for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], app); j++) {
        char *const *c = d->f[j].c;
        const char *cls = !strcmp(c[C_DECISION], "dismissed") ? " class=\"dismissed\""
                          : !strcmp(c[C_SEV], "block") ? " class=\"block\"" : "";
        fprintf(f, "<tr%s><td>", cls);
        rpt_esc(f, T(c[C_RULE]));
        fputs("<br><small>", f);
        rpt_esc(f, c[C_RULE]);
        fprintf(f, "</small></td><td>%s</td><td>", T(c[C_SEV]));
        rpt_esc(f, c[C_PID]);
        fputs(" ", f);
        rpt_esc(f, c[C_PNAME]);
        fputs("</td><td>", f);
        rpt_esc(f, T(c[C_FEED]));
        const int cols[] = { C_KEY, C_SAID_DECLARED, C_SAID_FOUND };
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
            fputs("</td><td>", f);
            rpt_esc(f, c[cols[k]]);
        }
        fprintf(f, "</td><td class=\"who\">%s", T(c[C_DECISION]));
        if (c[C_DECIDED_BY][0]) {
            /* who decided, at which level, when and why */
            fputs("<br>", f);
            who_decided(f, c);
        }
        fputs("</td><td class=\"fp\">", f);
        rpt_esc(f, c[C_FP]);
        fputs("</td></tr>\n", f);
        if (c[C_RECORDS][0]) {
            /* a finding that rests on several records lists each */
            fprintf(f, "<tr><td></td><td class=\"raw\" colspan=\"8\">%s", T("所有证据记录："));
            rpt_esc_lines(f, c[C_RECORDS]);
            fputs("</td></tr>\n", f);
        } else if (c[C_RAW][0]) {
            fprintf(f, "<tr><td></td><td class=\"raw\" colspan=\"8\">%s", T("数据源原文："));
            rpt_esc(f, c[C_RAW]);
            fputs("</td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
}

/* The county's applications of gate GATE, each with its findings ("无" when none). */
static void applications(FILE *f, const struct data *d, const char *county, int gate)
{
    int n = 0;
    long ng;
    const long *ix = rpt_county_gates(d, county, &ng);
    for (long k = 0; k < ng; k++) {
        const struct grow *g = &d->g[ix[k]];
        long fi = g->ff;
        if (rpt_gate_index(g->gate) != gate)
            continue;
        n++;
        fputs("<h3 id=\"", f);
        rpt_esc(f, g->app);
        fputs("\">", f);
        rpt_esc(f, g->app);
        fputs(" ", f);
        rpt_esc(f, g->name);
        fprintf(f, " <span class=\"%s\">%s</span></h3>\n<p>", g->gate, T(g->gate));
        fprintf(f, T("档案状态 %s；待处理发现：阻断 %d，待核 %d，提示 %d"), T(g->status), g->n[0],
                g->n[1], g->n[2]);
        fputs("</p>\n", f);
        if (fi < d->nf && !strcmp(d->f[fi].c[C_APP], g->app))
            findings_table(f, d, fi, g->app);
    }
    if (!n)
        fprintf(f, "<p>%s</p>\n", T("无。"));
}

/* The follow-up list (跟进名单) of the county: archived households, or households under notice,
 * that a block finding holds, each with its block findings and a link to its section. */
static void followup_list(FILE *f, const struct data *d, const char *county)
{
    int n = 0;
    fprintf(f, "<h2 id=\"followup\">%s</h2>\n", T("跟进名单"));
    long ng;
    const long *ix = rpt_county_gates(d, county, &ng);
    for (long k = 0; k < ng; k++) {
        const struct grow *g = &d->g[ix[k]];
        long fi = g->ff;
        if (!g->followup)
            continue;
        if (!n++)
            fprintf(f, "<table>\n<tr><th>%s</th><th>%s</th><th>%s</th></tr>\n", T("申请"),
                    T("档案状态"), T("有效的阻断发现"));
        fputs("<tr><td><a href=\"#", f);
        rpt_esc(f, g->app);
        fputs("\">", f);
        rpt_esc(f, g->app);
        fputs("</a> ", f);
        rpt_esc(f, g->name);
        fputs("</td><td>", f);
        rpt_esc(f, T(g->status));
        fputs("</td><td>", f);
        int first = 1;
        for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], g->app); j++) {
            char *const *c = d->f[j].c;
            if (strcmp(c[C_SEV], "block") || !strcmp(c[C_DECISION], "dismissed"))
                continue;
            fputs(first ? "" : "<br>", f);
            first = 0;
            rpt_esc(f, T(c[C_RULE]));
            fputs(T("："), f);
            rpt_esc(f, c[C_SAID_FOUND]);
        }
        fputs("</td></tr>\n", f);
    }
    if (n)
        fputs("</table>\n", f);
    else
        fprintf(f, "<p>%s</p>\n", T("无：没有在档户有有效的阻断发现。"));
}

/* The CLEAR applications, compactly: one row each, with the findings decided on it (who,
 * level, when, why) and its info findings. */
static void clear_list(FILE *f, const struct data *d, const char *county)
{
    int n = 0;
    long ng;
    const long *ix = rpt_county_gates(d, county, &ng);
    for (long k = 0; k < ng; k++) {
        const struct grow *g = &d->g[ix[k]];
        long fi = g->ff;
        if (rpt_gate_index(g->gate) != GATE_CLEAR)
            continue;
        if (!n++)
            fprintf(f, "<table>\n<colgroup><col style=\"width:12%%\"><col style=\"width:12%%\">"
                       "<col style=\"width:10%%\"><col></colgroup>\n<tr><th>%s</th><th>%s</th>"
                       "<th>%s</th><th>%s</th></tr>\n", T("申请编号"), T("姓名"), T("档案状态"),
                    T("已处理的发现与提示"));
        fputs("<tr id=\"", f);
        rpt_esc(f, g->app);
        fputs("\"><td>", f);
        rpt_esc(f, g->app);
        fputs("</td><td>", f);
        rpt_esc(f, g->name);
        fprintf(f, "</td><td>%s</td><td>", T(g->status));
        int first = 1;
        for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], g->app); j++) {
            char *const *c = d->f[j].c;
            fputs(first ? "" : "<br>", f);
            first = 0;
            rpt_esc(f, T(c[C_RULE]));
            fprintf(f, T("（%s）"), T(c[C_SEV]));
            if (c[C_DECIDED_BY][0]) {
                fprintf(f, " %s%s", T(c[C_DECISION]), T("："));
                who_decided(f, c);
            } else {
                fputs(" ", f);
                rpt_esc(f, c[C_SAID_FOUND]);
            }
        }
        fputs("</td></tr>\n", f);
    }
    if (n)
        fputs("</table>\n", f);
    else
        fprintf(f, "<p>%s</p>\n", T("无。"));
}

void rpt_county_html(FILE *f, const struct data *d, const char *county)
{
    page_head(f, d, county);
    followup_list(f, d, county);
    summary_tables(f, d, county);
    fprintf(f, "<h2>%s</h2>\n", T("各规则的发现（按严重程度）"));
    chart(f, d, county);
    fprintf(f, "<h2>%s</h2>\n", T("不通过的申请"));
    applications(f, d, county, GATE_BLOCK);
    fprintf(f, "<h2>%s</h2>\n", T("待审核的申请"));
    applications(f, d, county, GATE_REVIEW);
    fprintf(f, "<h2>%s</h2>\n", T("通过的申请"));
    clear_list(f, d, county);
    fputs("</body>\n</html>\n", f);
}
