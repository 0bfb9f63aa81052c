/* summary.c: summary.txt, also printed at the end of a run. */

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
#include "../core/kinds.h"
#include "../core/loads.h"
#include "../core/run.h"
#include "../core/utf8.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/catalogue.h"
#include "rpt_int.h"

/* ---- summary ------------------------------------------------------------------------------ */

struct summing {
    sqlite3 *db;
    struct sbuf *b;
};

static int sum_load(void *ctx, const char *kind, long long id, const char *sha256)
{
    struct summing *sm = ctx;
    struct load_row l;
    int rc = loads_get(sm->db, id, &l);
    if (rc <= 0)
        return rc < 0 ? rc : error("run's load %lld of '%s' is missing", id, kind);
    const char *base = strrchr(l.file, '/');
    sbuf_addf(sm->b, "  %-16s ", kind);
    sbuf_addf(sm->b, T("第 %-4lld 次加载，数据截至 %s  sha256 %.12s  "), id, l.as_of, sha256);
    /* a file name is the sender's: escaped, it starts no line of its own */
    utf8_printable(base ? base + 1 : l.file, 0, sm->b);
    sbuf_addc(sm->b, '\n');
    return 0;
}

int rpt_summary_text(sqlite3 *db, const struct data *d, struct sbuf *b)
{
    int rc;
    const struct run *r = d->r;
    if (!r->official)
        sbuf_addf(b, "%s\n", T("试算 / TRIAL RUN：使用自定的政策或日期，任何决定和审批都不以本次核查为准"));
    sbuf_addf(b, T("xverify 第 %lld 次核查，数据截至 %s（开始于 %s）"), r->id, r->as_of,
              r->started_at);
    sbuf_addf(b, "\n%s%s\n", T("政策 sha256 "), r->pol.sha256);
    if (r->has_coverage)
        sbuf_addf(b, "%s%s\n", T("收入核查月份："),
                  r->coverage[0] ? r->coverage : T("无（截至核查月份没有社保记录）"));
    if (!r->load_of[kind_index("reviewer")])
        sbuf_addf(b, "%s\n", T("审核人员：尚未加载名册，不核对处理人（--by）的身份"));
    /* the follow-up list first: archived households a new block finding holds */
    sbuf_addf(b, "%s%ld\n", T("跟进名单（在档或公示中、有有效的阻断发现）："), d->nfollowup);
    for (long gi = 0; gi < d->ng; gi++) {
        const struct grow *g = &d->g[gi];
        long fi = g->ff;
        if (!g->followup)
            continue;
        sbuf_adds(b, "  ");
        utf8_printable(g->app, 0, b);
        sbuf_adds(b, "  ");
        utf8_printable(g->county, 0, b);
        sbuf_addf(b, "  %s ", T(g->status));
        for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], g->app); j++)
            if (!strcmp(d->f[j].c[C_SEV], "block") && strcmp(d->f[j].c[C_DECISION], "dismissed"))
                sbuf_addf(b, " %s", d->f[j].c[C_RULE]);
        sbuf_addc(b, '\n');
    }
    double link_s = r->link_seconds, rules_s = r->rules_seconds;
    sbuf_addf(b, "%s%s\n%s\n", T("版本："), r->versions, T("使用的数据："));
    struct summing sm = { db, b };
    if ((rc = run_loads_each(db, r->id, sum_load, &sm)) < 0)
        return rc;
    int gates[3] = { 0, 0, 0 };
    for (long i = 0; i < d->ng; i++)
        gates[rpt_gate_index(d->g[i].gate)]++;
    sbuf_addf(b, T("申请：%ld（不通过 %d，待审核 %d，通过 %d）"), d->ng, gates[0], gates[1],
              gates[2]);
    sbuf_addf(b, "\n%s%ld\n", T("发现："), d->nf);
    long by_rule[R_COUNT] = { 0 };
    const char *last = NULL;
    int ri = -1;
    for (long i = 0; i < d->nf; i++) {
        const char *rule = d->f[i].c[C_RULE];
        if (!last || strcmp(last, rule))   /* an application's findings come by rule */
            ri = rule_parse(rule);
        last = rule;
        if (ri >= 0)
            by_rule[ri]++;
    }
    for (int rr = 0; rr < R_COUNT; rr++)
        if (by_rule[rr])
            sbuf_addf(b, "  %-24s %ld  %s\n", rule_code(rr), by_rule[rr], T(rule_code(rr)));
    sbuf_addf(b, T("用时：关联 %.2f 秒，规则 %.2f 秒"), link_s, rules_s);
    sbuf_addc(b, '\n');
    return 0;
}
