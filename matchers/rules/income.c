/* income.c: the income rules over the coverage window, the local standard, and exit. */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/err.h"
#include "../../core/msg.h"
#include "../../core/status.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "../../core/verdict.h"
#include "../../ingest/norm.h"
#include "rules_int.h"

/* The last day of month M (YYYY-MM) as YYYY-MM-DD. */
static void month_end(const char *m, char out[11])
{
    int y = atoi(m), mo = atoi(m + 5), d = 31;
    while (d > 28 && !date_is_real(y, mo, d))
        d--;
    snprintf(out, 11, "%04d-%02d-%02d", y, mo, d);
}

/* The standard for the application's county (else its city) in force at the end of month M:
 * 1 with *AMOUNT set, 0 when none is known. */
static int standard_at(struct ctx *c, const struct app *a, const char *m, double *amount)
{
    char end[11], city[7];
    month_end(m, end);
    snprintf(city, sizeof city, "%.4s00", a->county);
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *st = c->std;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 2, pass ? city : a->county, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, end, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *amount = sqlite3_column_double(st, 0);
            return 1;
        }
    }
    return 0;
}

/* A person's social insurance in month M: the largest base and the pension (-1: none), with
 * the records they come from (when BASE_REC and PENSION_REC are not NULL). */
static void si_month(const struct app *a, int person, const char *m, double *base, double *pension,
                     const struct rec **base_rec, const struct rec **pension_rec)
{
    *base = -1;
    *pension = -1;
    for (int i = 0; i < a->nrecs; i++) {
        const struct rec *r = &a->recs[i];
        if (r->possible || r->person != person || strcmp(r->k->name, "social_insurance") ||
            !rec_is(r, "period", m))
            continue;
        int have;
        double b = rec_num(r, "contribution_base", &have);
        if (have && b > *base) {
            *base = b;
            if (base_rec)
                *base_rec = r;
        }
        double p = rec_num(r, "pension", &have);
        if (have && p > *pension) {
            *pension = p;
            if (pension_rec)
                *pension_rec = r;
        }
    }
}

/* A person's income over the window: the mean of the monthly largest bases (NAN: no month
 * with a base) and the latest pension (NAN: none), with the evidence records. */
struct income {
    double mean_base, pension;
    int months;
    const struct rec *base_rec, *pension_rec;
    const struct rec *base_recs[60];  /* each month's base record, oldest first */
    char pension_month[8];
    struct sbuf detail;      /* "2026-08 6000.00, ..." */
};

static void window_income(const struct ctx *c, const struct app *a, int person, struct income *in)
{
    double sum = 0;
    int n = (int)c->pol->v[P_WINDOW_MONTHS];
    memset(in, 0, sizeof *in);
    in->mean_base = in->pension = NAN;
    for (int i = n - 1; i >= 0; i--) {   /* oldest first, so that the detail reads in order */
        double base, pension;
        const struct rec *br = NULL, *pr = NULL;
        si_month(a, person, c->months[i], &base, &pension, &br, &pr);
        if (base >= 0) {
            sum += base;
            in->months++;
            in->base_rec = br;
            in->base_recs[in->months - 1] = br;
            sbuf_addf(&in->detail, "%s%s %.2f", in->detail.len ? ", " : "", c->months[i], base);
        }
        if (pension >= 0) {
            in->pension = pension;
            in->pension_rec = pr;
            memcpy(in->pension_month, c->months[i], 8);
        }
    }
    if (in->months)
        in->mean_base = sum / in->months;
}

/* max(declared, mean base, latest pension): a person's verified income (rules.md). */
static double verified(const struct person *p, const struct income *in)
{
    double v = p->income;
    if (!isnan(in->mean_base) && in->mean_base > v)
        v = in->mean_base;
    if (!isnan(in->pension) && in->pension > v)
        v = in->pension;
    return v;
}

/* The archive tier of a family with per-capita income PC against the standard STD and the
 * hardship reason REASON (rules.md): 意外致困户 only for the reason 意外, so that a family
 * whose reason is illness at 2 x the standard is above its limit. */
static const char *tier(const struct ctx *c, double pc, double std, const char *reason)
{
    if (pc <= std)
        return "低保户";
    if (pc <= c->pol->v[P_STANDARD_BAND] * std)
        return "低保边缘户";
    if (!strcmp(reason, "意外") && pc <= c->pol->v[P_STANDARD_BAND_ACCIDENT] * std)
        return "意外致困户";
    return "超出建档标准";
}

int rules_income(struct ctx *c, struct app *a)
{
    int size = family_size(a), n = (int)c->pol->v[P_WINDOW_MONTHS];
    double total = 0, declared = 0;
    char window[20];
    snprintf(window, sizeof window, "%s..%s", c->months[n - 1], c->months[0]);
    for (int i = 0; i < a->nps; i++) {
        struct person *p = &a->ps[i];
        if (!in_family(p))
            continue;
        struct income in;
        window_income(c, a, i, &in);
        if (!isnan(in.mean_base) && in.mean_base > p->income * (1 + c->pol->v[P_INCOME_RATIO]) &&
            in.mean_base - p->income >= c->pol->v[P_INCOME_GAP]) {
            finding(c, a, R_INCOME_UNDERSTATED, i, NULL, NULL,
                in.base_rec, xstrdup(window), as_is(rules_fmt("%.2f", p->income)),
                rules_say("月均缴费基数 %.2f（%d 个月）：%s", in.mean_base, in.months,
                    in.detail.s));
            finding_income(a, "", in.mean_base);
            for (int k = 0; in.months > 1 && k < in.months; k++)
                finding_record(a, in.base_recs[k]);
        }
        if (!isnan(in.pension) && in.pension - p->income > c->pol->v[P_PENSION_TOLERANCE]) {
            finding(c, a, R_PENSION_UNDECLARED, i, NULL, NULL,
                in.pension_rec, xstrdup(in.pension_month), as_is(rules_fmt("%.2f", p->income)),
                rules_say("养老金 %.2f（%s）", in.pension, in.pension_month));
            finding_income(a, "", in.pension);
        }
        /* public sector: the latest 正常参保 机关事业单位养老保险 record of the window */
        const struct rec *pub = NULL;
        for (int j = 0; j < a->nrecs; j++) {
            const struct rec *r = &a->recs[j];
            if (r->possible || r->person != i || strcmp(r->k->name, "social_insurance") ||
                !rec_is(r, "status", "正常参保") ||
                !rec_is(r, "insurance_type", "机关事业单位养老保险"))
                continue;
            for (int m = 0; m < n; m++)
                if (rec_is(r, "period", c->months[m]) &&
                    (!pub || strcmp(rec_value(r, "period"), rec_value(pub, "period")) > 0))
                    pub = r;
        }
        if (pub)
            finding(c, a, R_PUBLIC_SECTOR, i, NULL, NULL, pub,
                rec_key(pub), as_is(rules_fmt("%.2f", p->income)),
                as_is(rules_fmt("%s %s %s", rec_value(pub, "insurance_type"),
                    rec_str(pub, "employer"), rec_value(pub, "status"))));
        total += verified(p, &in);
        declared += p->income;
        sbuf_free(&in.detail);
    }
    double std;
    a->size = size;
    a->has_pc = size > 0;
    a->pc = size > 0 ? total / size : 0;
    if (!standard_at(c, a, c->months[0], &std)) {
        finding(c, a, R_STANDARD_MISSING, 0, NULL, NULL, NULL,
            xstrdup(a->county), as_is(xstrdup("")),
            rules_say("%s 及其所在市都没有低保标准", a->county));
        return 0;
    }
    if (size <= 0)
        return 0;
    double pc = total / size;
    a->has_std = 1;
    a->std = std;
    a->tier = tier(c, pc, std, a->reason);
    double band = !strcmp(a->reason, "意外") ? c->pol->v[P_STANDARD_BAND_ACCIDENT]
                                             : c->pol->v[P_STANDARD_BAND];
    if (pc > band * std) {
        finding(c, a, R_INCOME_ABOVE_STANDARD, 0, NULL, NULL, NULL,
            xstrdup(window), rules_say("人均 %.2f", declared / size),
            said2(rules_fmt("%.2f a person = %.2f x standard %.2f; tier: %s", pc, pc / std, std,
                      a->tier),
                  rules_fmt(msg_t("人均 %.2f，是低保标准的 %.2f 倍（标准 %.2f）；档次：%s"), pc,
                      pc / std, std, msg_t(a->tier))));
        finding_income(a, a->tier, pc);
    }
    return 0;
}

/* The family's income in MONTH into *TOTAL: per person the larger of that month's largest
 * base and pension, the declared income for a person with no record that month. Returns 1
 * when someone of the family has a record that month (declared income alone is no evidence),
 * else 0. */
static int family_month(const struct app *a, const char *month, double *total)
{
    int evidence = 0;
    *total = 0;
    for (int i = 0; i < a->nps; i++) {
        if (!in_family(&a->ps[i]))
            continue;
        double base, pension;
        si_month(a, i, month, &base, &pension, NULL, NULL);
        if (base < 0 && pension < 0) {
            *total += a->ps[i].income;
            continue;
        }
        evidence = 1;
        *total += base > pension ? base : pension;
    }
    return evidence;
}

/* RELAPSE_RISK (返贫致困): an exited family at or below the standard in each of the last 2
 * months of the window in which someone of the family has a base or pension record, with a
 * person's income in a month counted as for EXIT_ELIGIBLE. */
void rules_relapse(struct ctx *c, struct app *a)
{
    int size = family_size(a), seen = 0;
    struct sbuf detail = SBUF_INIT, months = SBUF_INIT;
    if (strcmp(a->status, "exited") || size <= 0)
        return;
    for (int m = 0; m < c->nmonths && seen < 2; m++) {
        double std, total;
        if (!family_month(a, c->months[m], &total))
            continue;
        if (!standard_at(c, a, c->months[m], &std) || total / size > std)
            goto done;
        seen++;
        sbuf_addf(&months, "%s%s", months.len ? "," : "", c->months[m]);
        sbuf_addf(&detail, "%s%s %.2f<=%.2f", detail.len ? ", " : "", c->months[m],
                  total / size, std);
    }
    if (seen == 2)
        finding(c, a, R_RELAPSE_RISK, 0, NULL, NULL, NULL, xstrdup(months.s),
            said_word("exited"),
            rules_say("最近 2 个有数据的月份均不高于低保标准：%s", detail.s));
done:
    sbuf_free(&detail);
    sbuf_free(&months);
}

/* EXIT_ELIGIBLE: an archived family above the standard in each of the last N months, on the
 * feed's evidence: a person's income in a month is the larger of that month's largest base
 * and pension, the declared income only for a person with no record that month, and in each
 * month someone of the family must have a record (declared income alone is no evidence). */
void rules_exit(struct ctx *c, struct app *a)
{
    int n = (int)c->pol->v[P_EXIT_MONTHS], size = family_size(a);
    struct sbuf detail = SBUF_INIT;
    if (strcmp(a->status, "archived") || size <= 0)
        return;
    for (int m = n - 1; m >= 0; m--) {
        double std, total;
        if (!standard_at(c, a, c->months[m], &std) || !family_month(a, c->months[m], &total) ||
            total / size <= std)
            goto done;
        sbuf_addf(&detail, "%s%s %.2f>%.2f", detail.len ? ", " : "", c->months[m], total / size,
                  std);
    }
    finding(c, a, R_EXIT_ELIGIBLE, 0, NULL, NULL, NULL,
        rules_fmt("%s..%s", c->months[n - 1], c->months[0]),
        said_word("archived"),
        rules_say("连续 %d 个月高于低保标准：%s", n, detail.s));
done:
    sbuf_free(&detail);
}
