/* performance.c: an official run's performance figures per county (绩效考核): statuses, open
 * findings by age, days to a decision, the month's procedures, spot checks and follow-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/spotcheck.h"
#include "../core/status.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/findings.h"
#include "rpt_int.h"

/* The columns, in the file's order: the key status_figures and spot_figures name a figure
 * by, and the header. */
enum {
    F_APPLIED, F_NOTICE, F_ARCHIVED, F_REJECTED, F_WITHDRAWN, F_EXITED, F_RELIEVED, F_OPEN7,
    F_OPEN30, F_OPENMORE, F_MEDIAN, F_APPROVALS, F_OBJECTIONS, F_EXITS, F_RELIEFS, F_RELAPSES,
    F_DRAWN, F_DONE, F_FAILED, F_CONTACT, F_OVERDUE, NFIG
};
/* the header is the message of the key (a status) or of the text */
static const struct { const char *key, *head; } figs[NFIG] = {
    { "applied", "applied" }, { "notice", "notice" }, { "archived", "archived" },
    { "rejected", "rejected" }, { "withdrawn", "withdrawn" }, { "exited", "exited" },
    { "relieved", "relieved" }, { NULL, "待处理发现≤7天" }, { NULL, "待处理发现8-30天" },
    { NULL, "待处理发现>30天" }, { NULL, "发现至决定天数中位数" },
    { "approvals", "本月建档公示" }, { "objections", "本月异议" }, { "exits", "本月脱困" },
    { "reliefs", "本月解困" }, { NULL, "返贫风险户" }, { "drawn", "本月抽查户数" },
    { "done", "本月已核查" }, { "failed", "本月核查未通过" }, { NULL, "有帮扶联系人户数" },
    { NULL, "走访逾期户数" },
};

struct pcounty {
    char *county;
    long long v[NFIG];
    long *days;              /* days from first found to decision, for the median */
    long ndays;
};

struct perf {
    struct pcounty *c;
    int n;
    int blank[NFIG];         /* the run has no feed for the column: written empty */
    long long first_run[64]; /* a small cache: run id -> its start date */
    char first_date[64][11];
    int ncache;
    sqlite3 *db;
    sqlite3_stmt *first;     /* findings_first_run's */
    const struct data *d;
    char **open_fp;          /* the run's open block and review findings, in order */
    long long *open_first;   /* and the first run that found each */
    long nopen;
};

static struct pcounty *county_row(struct perf *p, const char *county)
{
    int i = 0;
    while (i < p->n && strcmp(p->c[i].county, county) < 0)
        i++;
    if (i < p->n && !strcmp(p->c[i].county, county))
        return &p->c[i];
    p->c = xrealloc(p->c, (size_t)(p->n + 1) * sizeof *p->c);
    memmove(&p->c[i + 1], &p->c[i], (size_t)(p->n - i) * sizeof *p->c);
    p->n++;
    memset(&p->c[i], 0, sizeof p->c[i]);
    p->c[i].county = xstrdup(county);
    return &p->c[i];
}

static int add_figure(void *ctx, const char *county, const char *figure, long long n)
{
    struct perf *p = ctx;
    for (int f = 0; f < NFIG; f++)
        if (figs[f].key && !strcmp(figs[f].key, figure))
            county_row(p, county)->v[f] += n;
    return 0;
}

/* Days since 1970-01-01 of DATE (YYYY-MM-DD). */
static long day_number(const char *date)
{
    return (long)(iso_utc(date) / 86400);
}

/* The start date of RUN into DATE. */
static int run_date(struct perf *p, long long run, char date[11])
{
    int rc;
    for (int i = 0; i < p->ncache; i++)
        if (p->first_run[i] == run) {
            memcpy(date, p->first_date[i], 11);
            return 1;
        }
    if ((rc = run_started_on(p->db, run, date)) < 0)
        return rc;
    if (p->ncache < 64) {
        p->first_run[p->ncache] = run;
        memcpy(p->first_date[p->ncache++], date, 11);
    }
    return 1;
}

/* The start date of the first run up to the report's that found FP, into DATE; 0 when none.
 * An open block or review finding of the run is looked up among those read at once. */
static int first_found(struct perf *p, const char *fp, char date[11])
{
    long long run = 0;
    long lo = 0, hi = p->nopen;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        int c = strcmp(p->open_fp[mid], fp);
        if (c == 0) {
            run = p->open_first[mid];
            return run ? run_date(p, run, date) : 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int rc = findings_first_run(p->db, &p->first, fp, p->d->r->id, &run);
    if (rc < 0 || !run)
        return rc < 0 ? rc : 0;
    return run_date(p, run, date);
}

static int add_open(void *ctx, const char *fp, long long first)
{
    struct perf *p = ctx;
    if (p->nopen % 1024 == 0) {
        p->open_fp = xrealloc(p->open_fp, (size_t)(p->nopen + 1024) * sizeof *p->open_fp);
        p->open_first = xrealloc(p->open_first,
                                 (size_t)(p->nopen + 1024) * sizeof *p->open_first);
    }
    p->open_fp[p->nopen] = xstrdup(fp);
    p->open_first[p->nopen++] = first;
    return 0;
}

static int add_decision(void *ctx, const char *app, const char *fp, const char *date)
{
    struct perf *p = ctx;
    const struct grow *g = rpt_gate_of(p->d, app);
    const char *county = g ? g->county : NULL;
    char first[11];
    int rc;
    if (!county || (rc = first_found(p, fp, first)) == 0)
        return 0;
    if (rc < 0)
        return rc;
    struct pcounty *c = county_row(p, county);
    long days = day_number(date) - day_number(first);
    if (c->ndays % 64 == 0)
        c->days = xrealloc(c->days, (size_t)(c->ndays + 64) * sizeof *c->days);
    c->days[c->ndays++] = days < 0 ? 0 : days;
    return 0;
}

/* What the findings of the run say: open block and review findings by age, relapses,
 * households without a contact person and with overdue visits. */
static int from_findings(struct perf *p)
{
    const struct data *d = p->d;
    long today = day_number(d->r->status_on);
    for (long i = 0; i < d->nf; i++) {
        char *const *c = d->f[i].c;
        struct pcounty *row = county_row(p, c[C_COUNTY]);
        if (!strcmp(c[C_RULE], "RELAPSE_RISK"))
            row->v[F_RELAPSES]++;
        else if (!strcmp(c[C_RULE], "VISIT_OVERDUE"))
            row->v[F_OVERDUE]++;
        else if (!strcmp(c[C_RULE], "CONTACT_MISSING"))
            row->v[F_CONTACT]--;     /* archived households less those without a contact */
        if (strcmp(c[C_DECISION], "open") || !strcmp(c[C_SEV], "info"))
            continue;
        char first[11];
        int rc = first_found(p, c[C_FP], first);
        if (rc < 0)
            return rc;
        long age = rc ? today - day_number(first) : 0;
        row->v[age <= 7 ? F_OPEN7 : age <= 30 ? F_OPEN30 : F_OPENMORE]++;
    }
    return 0;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

void rpt_perf_free(struct perf *p)
{
    if (!p)
        return;
    sqlite3_finalize(p->first);
    for (long i = 0; i < p->nopen; i++)
        free(p->open_fp[i]);
    free(p->open_fp);
    free(p->open_first);
    for (int i = 0; i < p->n; i++) {
        free(p->c[i].county);
        free(p->c[i].days);
    }
    free(p->c);
    free(p);
}

int rpt_perf_read(sqlite3 *db, const struct data *d, struct perf **out)
{
    const struct run *r = d->r;
    struct perf *p = xcalloc(1, sizeof *p);
    char month[8];
    int rc;
    snprintf(month, sizeof month, "%.7s", r->status_on);
    p->db = db;
    p->d = d;
    for (int i = 0; i < d->ncounties; i++)
        county_row(p, d->counties[i]);
    if ((rc = status_figures(db, r->load_of[kind_index("applicant")], r->status_seq,
                             r->status_on, month, add_figure, p)) < 0 ||
        (rc = spot_figures(db, r->sample_seq, r->spot_seq, month, add_figure, p)) < 0 ||
        (rc = findings_open_first_runs(db, r->id, add_open, p)) < 0 ||
        (rc = decision_each_in_month(db, r->decision_seq, month, add_decision, p)) < 0 ||
        (rc = from_findings(p)) < 0) {
        rpt_perf_free(p);
        return rc;
    }
    sqlite3_finalize(p->first);
    p->first = NULL;
    p->blank[F_CONTACT] = !r->load_of[kind_index("contact")];
    p->blank[F_OVERDUE] = !r->load_of[kind_index("visit")];
    for (int i = 0; i < p->n; i++) {
        p->c[i].v[F_CONTACT] += p->c[i].v[F_ARCHIVED];
        if (p->c[i].ndays)
            qsort(p->c[i].days, (size_t)p->c[i].ndays, sizeof(long), cmp_long);
    }
    *out = p;
    return 0;
}

/* Column F of row C as text into BUF: the median with one decimal ("" with no decision),
 * "" for a column the run has no feed for. */
static const char *cell(const struct perf *p, const struct pcounty *c, int f, char buf[32])
{
    buf[0] = '\0';
    if (p->blank[f])
        return buf;
    if (f == F_MEDIAN) {
        if (c->ndays)
            snprintf(buf, 32, "%.1f", c->ndays % 2 ? (double)c->days[c->ndays / 2]
                     : (c->days[c->ndays / 2 - 1] + c->days[c->ndays / 2]) / 2.0);
        return buf;
    }
    snprintf(buf, 32, "%lld", c->v[f]);
    return buf;
}

/* The whole city as one more row: the sums, the median of every decision. */
static void city_row(const struct perf *p, struct pcounty *all)
{
    memset(all, 0, sizeof *all);
    all->county = (char *)T("全市");
    for (int i = 0; i < p->n; i++) {
        for (int f = 0; f < NFIG; f++)
            all->v[f] += p->c[i].v[f];
        all->days = xrealloc(all->days, (size_t)(all->ndays + p->c[i].ndays + 1) * sizeof(long));
        if (p->c[i].ndays)
            memcpy(all->days + all->ndays, p->c[i].days, (size_t)p->c[i].ndays * sizeof(long));
        all->ndays += p->c[i].ndays;
    }
    if (all->ndays)
        qsort(all->days, (size_t)all->ndays, sizeof(long), cmp_long);
}

void rpt_perf_csv(FILE *f, const struct perf *p)
{
    char buf[32];
    struct pcounty all;
    fprintf(f, "\xEF\xBB\xBF%s", T("县区"));
    for (int i = 0; i < NFIG; i++)
        fprintf(f, ",%s", T(figs[i].head));
    fputs("\r\n", f);
    city_row(p, &all);
    for (int i = 0; i <= p->n; i++) {
        const struct pcounty *c = i < p->n ? &p->c[i] : &all;
        rpt_csv_field(f, c->county, 0);
        for (int j = 0; j < NFIG; j++)
            rpt_csv_field(f, cell(p, c, j, buf), j == NFIG - 1);
    }
    free(all.days);
}

void rpt_perf_html(FILE *f, const struct perf *p, const struct run *r)
{
    char buf[32];
    struct pcounty all;
    rpt_page_open(f);
    fprintf(f, "<title>%s ", T("绩效考核"));
    fprintf(f, T("第 %lld 次核查"), r->id);
    fputs("</title>\n", f);
    rpt_page_body(f, "table{font-size:13px}\ntd{text-align:right}\nth{text-align:center}\n"
                     "td:first-child{text-align:left}\nth:first-child{width:8em}\n"
                     "tr.city td{font-weight:bold}\n");
    fprintf(f, "<h1>%s%s", T("绩效考核"), T("："));
    fprintf(f, T("第 %lld 次核查（数据截至 %s，统计日 %s，本月 %.7s）"), r->id, r->as_of,
            r->status_on, r->status_on);
    fprintf(f, "</h1>\n<p>%s</p>\n<table>\n<tr><th>%s</th>",
            T("待处理发现：未作决定的阻断与复核发现，按首次发现距统计日的天数分组；"
              "“—”表示本次核查未使用该数据。"), T("县区"));
    for (int i = 0; i < NFIG; i++)
        fprintf(f, "<th>%s</th>", T(figs[i].head));
    fputs("</tr>\n", f);
    city_row(p, &all);
    for (int i = 0; i <= p->n; i++) {
        const struct pcounty *c = i < p->n ? &p->c[i] : &all;
        fputs(i < p->n ? "<tr><td>" : "<tr class=\"city\"><td>", f);
        if (i < p->n)
            rpt_county_esc(f, p->d, c->county);
        else
            rpt_esc(f, c->county);
        fputs("</td>", f);
        for (int j = 0; j < NFIG; j++) {
            const char *v = cell(p, c, j, buf);
            fprintf(f, "<td>%s</td>", *v ? v : "—");
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n</body>\n</html>\n", f);
    free(all.days);
}
