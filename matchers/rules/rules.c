/* rules.c: evaluates the rule catalogue of rules.md for each application of a run and sets its gate. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/err.h"
#include "../../core/kinds.h"
#include "../../core/status.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "../../ingest/norm.h"
#include "catalogue.h"
#include "rules.h"

/* One linked feed record of an application, with its values as text (NULL: no value). */
struct rec {
    const struct kind *k;
    int person;              /* index in the application's persons */
    int possible;            /* a possible match, not a link */
    long long rid, load;
    double weight;
    char **v;                /* by column */
    char *raw;               /* "column=value; ..." as the source wrote it */
};

struct person {
    int idx;
    char *id, *name, *relation;
    int id_valid;
    double income;           /* declared, 0 when not given */
    int hh;                  /* the linked household record (index in recs), -1: none */
    int deceased;
};

struct finding {
    int rule, sev, idx;      /* idx: the application's person, -1 for none */
    char *pid, *pname, *key, *declared, *found;
    int ev;                  /* the evidence record (index in recs), -1 for none */
};

struct app {
    char *id, *county, *name, *status, *reason;
    double income, area;
    int has_area;
    long decl_vehicles, decl_properties, decl_business;
    struct person *ps;
    int nps;
    struct rec *recs;
    int nrecs;
    struct finding *fs;
    int nfs;
};

struct ctx {
    sqlite3 *db;
    const struct run *r;
    const struct policy *pol;
    struct rules_stats *st;
    sqlite3_stmt *fetch[RUN_MAX_KINDS]; /* a feed record by rid */
    sqlite3_stmt *persons, *links, *app, *status, *dup, *hh, *std, *decision, *ins, *gate;
    char months[60][8];      /* D's month and the months before it, newest first */
    int nmonths;
};

/* ---- values of a record ------------------------------------------------------------- */

static const char *rv(const struct rec *r, const char *col)
{
    int i = kind_col(r->k, col);
    return i >= 0 ? r->v[i] : NULL;
}

static int rv_is(const struct rec *r, const char *col, const char *value)
{
    const char *v = rv(r, col);
    return v && !strcmp(v, value);
}

static double rv_num(const struct rec *r, const char *col, int *have)
{
    const char *v = rv(r, col);
    *have = v != NULL;
    return v ? strtod(v, NULL) : 0;
}

/* The record key of rules.md: plate, cert_no, USCC + entity, period, household_no. */
static char *rec_key(const struct rec *r)
{
    struct sbuf b = SBUF_INIT;
    if (!strcmp(r->k->name, "business") && rv(r, "uscc"))
        sbuf_addf(&b, "%s %s", rv(r, "uscc"), rv(r, "entity_name"));
    else
        sbuf_adds(&b, rv(r, r->k->key) ? rv(r, r->k->key) : "");
    return b.s ? b.s : xstrdup("");
}

/* ---- reading an application --------------------------------------------------------- */

static char *text_or(sqlite3_stmt *st, int i, const char *dflt)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : dflt ? xstrdup(dflt) : NULL;
}

static int fetch_rec(struct ctx *c, struct app *a, const char *kind, long long rid, int person,
                     int possible, double weight)
{
    const struct kind *k = kind_find(kind);
    if (!k || !kind_is_feed(k))
        return error("unknown feed '%s' in links", kind);
    sqlite3_stmt *st = c->fetch[k - xv_kinds];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rid);
    if (sqlite3_step(st) != SQLITE_ROW)
        return error("record %lld of '%s' is missing", rid, kind);
    if (a->nrecs % 16 == 0)
        a->recs = xrealloc(a->recs, (size_t)(a->nrecs + 16) * sizeof *a->recs);
    struct rec *r = &a->recs[a->nrecs++];
    memset(r, 0, sizeof *r);
    r->k = k;
    r->person = person;
    r->possible = possible;
    r->rid = rid;
    r->weight = weight;
    r->load = sqlite3_column_int64(st, 0);
    const char *raw = (const char *)sqlite3_column_text(st, 1);
    r->v = xcalloc((size_t)k->ncols, sizeof *r->v);
    struct sbuf b = SBUF_INIT;
    for (int i = 0; i < k->ncols; i++) {
        r->v[i] = text_or(st, 2 + i, NULL);
        const char *p;
        size_t n;
        if (store_raw_field(raw, i, &p, &n)) {
            sbuf_addf(&b, "%s%s=", b.len ? "; " : "", k->cols[i].name);
            sbuf_add(&b, p, n);
        } else if (r->v[i]) {
            sbuf_addf(&b, "%s%s=%s", b.len ? "; " : "", k->cols[i].name, r->v[i]);
        }
    }
    r->raw = b.s ? b.s : xstrdup("");
    return 0;
}

static void app_free(struct app *a)
{
    free(a->id);
    free(a->county);
    free(a->name);
    free(a->status);
    free(a->reason);
    for (int i = 0; i < a->nps; i++) {
        free(a->ps[i].id);
        free(a->ps[i].name);
        free(a->ps[i].relation);
    }
    free(a->ps);
    for (int i = 0; i < a->nrecs; i++) {
        for (int j = 0; j < a->recs[i].k->ncols; j++)
            free(a->recs[i].v[j]);
        free(a->recs[i].v);
        free(a->recs[i].raw);
    }
    free(a->recs);
    for (int i = 0; i < a->nfs; i++) {
        free(a->fs[i].pid);
        free(a->fs[i].pname);
        free(a->fs[i].key);
        free(a->fs[i].declared);
        free(a->fs[i].found);
    }
    free(a->fs);
    memset(a, 0, sizeof *a);
}

/* The application's row as the run sees it, its status, its persons and their links. */
static int read_app(struct ctx *c, const char *id, struct app *a)
{
    sqlite3_stmt *st;
    int s, rc = 0;
    a->id = xstrdup(id);
    st = c->app;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        return error("application '%s' of run %lld is missing", id, c->r->id);
    a->county = text_or(st, 0, "");
    a->name = text_or(st, 1, "");
    a->income = sqlite3_column_double(st, 2);
    a->decl_vehicles = sqlite3_column_int64(st, 3);
    a->decl_properties = sqlite3_column_int64(st, 4);
    a->has_area = sqlite3_column_type(st, 5) != SQLITE_NULL;
    a->area = sqlite3_column_double(st, 5);
    a->decl_business = sqlite3_column_int64(st, 6);
    a->reason = text_or(st, 7, "");
    st = c->status;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
        return error("application '%s' has no status", id);
    a->status = text_or(st, 0, "");

    st = c->persons;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (a->nps % 8 == 0)
            a->ps = xrealloc(a->ps, (size_t)(a->nps + 8) * sizeof *a->ps);
        struct person *p = &a->ps[a->nps++];
        memset(p, 0, sizeof *p);
        p->idx = sqlite3_column_int(st, 0);
        p->relation = text_or(st, 1, "");
        p->id = text_or(st, 2, "");
        p->id_valid = sqlite3_column_int(st, 3);
        p->name = text_or(st, 4, "");
        p->income = sqlite3_column_double(st, 5);
        p->hh = -1;
    }
    if (s != SQLITE_DONE)
        return store_err(c->db, "reading persons");

    st = c->links;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        int idx = sqlite3_column_int(st, 0), person = -1;
        for (int i = 0; i < a->nps; i++)
            if (a->ps[i].idx == idx)
                person = i;
        if (person < 0)
            return error("a link of '%s' names no person", id);
        if ((rc = fetch_rec(c, a, (const char *)sqlite3_column_text(st, 1),
                            sqlite3_column_int64(st, 2),
                            person, !strcmp((const char *)sqlite3_column_text(st, 3), "possible"),
                            sqlite3_column_double(st, 4))) < 0)
            return rc;
    }
    if (s != SQLITE_DONE)
        return store_err(c->db, "reading links");
    /* each person's household record: the best-weighted link (links come best first) */
    for (int i = 0; i < a->nrecs; i++) {
        struct rec *r = &a->recs[i];
        struct person *p = &a->ps[r->person];
        if (!r->possible && !strcmp(r->k->name, "household") && p->hh < 0) {
            p->hh = i;
            p->deceased = rv_is(r, "status", "死亡");
        }
    }
    return 0;
}

/* ---- findings ------------------------------------------------------------------------ */

static void add(struct app *a, int rule, int sev, int person, const char *pid, const char *pname,
                const struct rec *ev, char *key, char *declared, char *found)
{
    if (a->nfs % 16 == 0)
        a->fs = xrealloc(a->fs, (size_t)(a->nfs + 16) * sizeof *a->fs);
    struct finding *f = &a->fs[a->nfs++];
    f->rule = rule;
    f->sev = sev;
    f->idx = person >= 0 ? a->ps[person].idx : -1;
    f->pid = xstrdup(person >= 0 ? a->ps[person].id : pid ? pid : "");
    f->pname = xstrdup(person >= 0 ? a->ps[person].name : pname ? pname : "");
    f->ev = ev ? (int)(ev - a->recs) : -1;
    f->key = key ? key : xstrdup("");
    f->declared = declared ? declared : xstrdup("");
    f->found = found ? found : xstrdup("");
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, f);
    int n = vasprintf(&s, f, ap);
    va_end(ap);
    if (n < 0)
        xv_fatal("out of memory");
    return s;
}

static int sev_of(const struct ctx *c, int r)
{
    return (int)c->pol->v[P_SEV_FIRST + r];
}

static int in_family(const struct person *p)
{
    return !p->deceased;
}

static int family_size(const struct app *a)
{
    int n = 0;
    for (int i = 0; i < a->nps; i++)
        n += in_family(&a->ps[i]);
    return n;
}

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

/* A person's social insurance in month M: the largest base and the pension (-1: none). */
static void si_month(const struct app *a, int person, const char *m, double *base, double *pension,
                     const struct rec **last)
{
    *base = -1;
    *pension = -1;
    for (int i = 0; i < a->nrecs; i++) {
        const struct rec *r = &a->recs[i];
        if (r->possible || r->person != person || strcmp(r->k->name, "social_insurance") ||
            !rv_is(r, "period", m))
            continue;
        int have;
        double b = rv_num(r, "contribution_base", &have);
        if (have && b > *base) {
            *base = b;
            if (last)
                *last = r;
        }
        double p = rv_num(r, "pension", &have);
        if (have && p > *pension) {
            *pension = p;
            if (last && *base < 0)
                *last = r;
        }
    }
}

/* A person's income over the window: the mean of the monthly largest bases (NAN: no month
 * with a base) and the latest pension (NAN: none), with the evidence records. */
struct income {
    double mean_base, pension;
    int months;
    const struct rec *base_rec, *pension_rec;
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
        const struct rec *r = NULL;
        si_month(a, person, c->months[i], &base, &pension, &r);
        if (base >= 0) {
            sum += base;
            in->months++;
            in->base_rec = r;
            sbuf_addf(&in->detail, "%s%s %.2f", in->detail.len ? ", " : "", c->months[i], base);
        }
        if (pension >= 0) {
            in->pension = pension;
            in->pension_rec = r;
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

static const char *tier(const struct ctx *c, double pc, double std)
{
    if (pc < std)
        return "低保户";
    if (pc <= c->pol->v[P_STANDARD_BAND] * std)
        return "低保边缘户";
    if (pc <= c->pol->v[P_STANDARD_BAND_ACCIDENT] * std)
        return "意外致困户";
    return "above every tier";
}

static int rules_identity(struct ctx *c, struct app *a)
{
    struct person *ap = &a->ps[0];
    for (int i = 0; i < a->nps; i++) {
        struct person *p = &a->ps[i];
        if (!p->id_valid)
            add(a, R_ID_INVALID, sev_of(c, R_ID_INVALID), i, NULL, NULL, NULL, NULL,
                xstrdup(p->id), xstrdup("not a valid ID number"));
        if (p->hh < 0)
            continue;
        const struct rec *h = &a->recs[p->hh];
        const char *hid = rv(h, "id_no"), *hname = rv(h, "name");
        if ((hid && strcmp(hid, p->id)) || (hname && strcmp(hname, p->name)))
            add(a, R_IDENTITY_MISMATCH, sev_of(c, R_IDENTITY_MISMATCH), i, NULL, NULL, h,
                rec_key(h), fmt("%s %s", p->id, p->name),
                fmt("%s %s", hid ? hid : "", hname ? hname : ""));
        if (p->deceased)
            add(a, R_DECEASED, p->idx == 0 ? sev_of(c, R_DECEASED)
                                           : sev_of(c, R_SEV_DECEASED_MEMBER),
                i, NULL, NULL, h, rec_key(h), fmt("%s", p->relation),
                fmt("死亡%s%s", rv(h, "status_date") ? " " : "",
                    rv(h, "status_date") ? rv(h, "status_date") : ""));
    }
    for (int i = 0; i < a->nrecs; i++) {
        const struct rec *r = &a->recs[i];
        if (r->possible)
            add(a, R_LINK_UNCERTAIN, sev_of(c, R_LINK_UNCERTAIN), r->person, NULL, NULL, r,
                rec_key(r), fmt("%s %s", a->ps[r->person].id, a->ps[r->person].name),
                fmt("%s %s", rv(r, "id_no") ? rv(r, "id_no") : "",
                    rv(r, "name") ? rv(r, "name") : ""));
    }
    if (ap->hh < 0) {
        add(a, R_NOT_IN_REGISTER, sev_of(c, R_NOT_IN_REGISTER), 0, NULL, NULL, NULL, NULL,
            fmt("%s %s", ap->id, ap->name), xstrdup("no household record linked"));
        return 0;
    }
    /* the applicant's household: who is registered there, who is declared */
    const struct rec *h = &a->recs[ap->hh];
    const char *hno = rv(h, "household_no");
    for (int i = 1; i < a->nps; i++) {
        struct person *p = &a->ps[i];
        const char *mine = p->hh >= 0 ? rv(&a->recs[p->hh], "household_no") : NULL;
        if (!mine || strcmp(mine, hno))
            add(a, R_MEMBER_NOT_IN_HOUSEHOLD, sev_of(c, R_MEMBER_NOT_IN_HOUSEHOLD), i, NULL,
                NULL, p->hh >= 0 ? &a->recs[p->hh] : NULL,
                p->hh >= 0 ? rec_key(&a->recs[p->hh]) : NULL, fmt("%s of %s", p->relation, hno),
                mine ? fmt("household %s", mine) : xstrdup("no household record linked"));
    }
    sqlite3_stmt *st = c->hh;
    int s;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, hno, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long long rid = sqlite3_column_int64(st, 0);
        const char *id = (const char *)sqlite3_column_text(st, 1);
        int declared = 0;
        for (int i = 0; i < a->nrecs && !declared; i++)
            declared = !a->recs[i].possible && a->recs[i].rid == rid &&
                       !strcmp(a->recs[i].k->name, "household");
        for (int i = 0; i < a->nps && !declared; i++)
            declared = id && !strcmp(a->ps[i].id, id);
        if (declared)
            continue;
        /* someone registered but not declared: the evidence is their record */
        int rc;
        if ((rc = fetch_rec(c, a, "household", rid, 0, 1, NAN)) < 0)
            return rc;
        struct rec *r = &a->recs[a->nrecs - 1];
        r->person = -1;
        add(a, R_UNDECLARED_MEMBER, sev_of(c, R_UNDECLARED_MEMBER), -1, rv(r, "id_no"),
            rv(r, "name"), r, rec_key(r), xstrdup("not declared"),
            fmt("%s %s %s", rv(r, "id_no"), rv(r, "name"),
                rv(r, "relation_to_head") ? rv(r, "relation_to_head") : ""));
    }
    if (s != SQLITE_DONE)
        return store_err(c->db, "reading the household");
    return 0;
}

static int rules_duplicates(struct ctx *c, struct app *a)
{
    for (int i = 0; i < a->nps; i++) {
        sqlite3_stmt *st = c->dup;
        int s;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, a->ps[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a->id, -1, SQLITE_STATIC);
        while ((s = sqlite3_step(st)) == SQLITE_ROW)
            add(a, R_DUPLICATE_APPLICATION, sev_of(c, R_DUPLICATE_APPLICATION), i, NULL, NULL,
                NULL, text_or(st, 0, ""), fmt("%s of %s", a->ps[i].relation, a->id),
                fmt("%s of %s (%s)", sqlite3_column_text(st, 1), sqlite3_column_text(st, 0),
                    sqlite3_column_text(st, 2)));
        if (s != SQLITE_DONE)
            return store_err(c->db, "reading other applications");
    }
    return 0;
}

static int active_property(const struct rec *r)
{
    return !r->possible && r->person >= 0 && !strcmp(r->k->name, "property") &&
           (rv_is(r, "status", "现势") || rv_is(r, "status", "查封"));
}

/* The first record of an active property with the same cert_no as R (jointly owned
 * property is listed once per owner). */
static int first_of_cert(const struct app *a, int i)
{
    for (int j = 0; j < i; j++)
        if (active_property(&a->recs[j]) &&
            !strcmp(rv(&a->recs[j], "cert_no"), rv(&a->recs[i], "cert_no")))
            return 0;
    return 1;
}

static void rules_assets(struct ctx *c, struct app *a)
{
    int size = family_size(a), nres = 0;
    double area = 0;
    struct sbuf certs = SBUF_INIT;
    const struct rec *last_res = NULL;
    for (int i = 0; i < a->nrecs; i++) {
        const struct rec *r = &a->recs[i];
        if (r->possible || r->person < 0 || !in_family(&a->ps[r->person]))
            continue;
        const char *k = r->k->name;
        if (!strcmp(k, "vehicle") && rv_is(r, "status", "正常") &&
            !policy_list_has(c->pol, P_VEHICLE_EXEMPT, rv(r, "vehicle_type"), 1))
            add(a, R_VEHICLE, sev_of(c, R_VEHICLE), r->person, NULL, NULL, r, rec_key(r),
                fmt("%ld vehicle(s)", a->decl_vehicles),
                fmt("%s %s", rv(r, "plate"), rv(r, "vehicle_type") ? rv(r, "vehicle_type")
                                                                   : "type unknown"));
        if (active_property(r) && first_of_cert(a, i)) {
            const char *usage = rv(r, "usage");
            if (usage && !strcmp(usage, "住宅")) {
                int have;
                nres++;
                area += rv_num(r, "area", &have);
                sbuf_addf(&certs, "%s%s", certs.len ? "," : "", rv(r, "cert_no"));
                last_res = r;
            } else if (policy_list_has(c->pol, P_PROPERTY_NONRESIDENTIAL, usage, 0)) {
                add(a, R_PROPERTY_NONRESIDENTIAL, sev_of(c, R_PROPERTY_NONRESIDENTIAL),
                    r->person, NULL, NULL, r, rec_key(r), fmt("%ld property(ies)",
                                                             a->decl_properties),
                    fmt("%s %s %s", usage, rv(r, "status"), rv(r, "address") ? rv(r, "address")
                                                                             : ""));
            }
        }
        if (!strcmp(k, "business") && (rv_is(r, "status", "存续") || rv_is(r, "status", "在业") ||
                                      rv_is(r, "status", "开业"))) {
            int have;
            double cap = rv_num(r, "registered_capital", &have);
            int small = rv_is(r, "entity_type", "个体工商户") && have &&
                        cap < c->pol->v[P_BUSINESS_SMALL_CAPITAL];
            add(a, R_BUSINESS, small ? sev_of(c, R_SEV_BUSINESS_SMALL) : sev_of(c, R_BUSINESS),
                r->person, NULL, NULL, r, rec_key(r),
                xstrdup(a->decl_business ? "有" : "无"),
                have ? fmt("%s %s %s, capital %.2f 万元", rv(r, "role"),
                           rv(r, "entity_type") ? rv(r, "entity_type") : "", rv(r, "status"), cap)
                     : fmt("%s %s %s, capital unknown", rv(r, "role"),
                           rv(r, "entity_type") ? rv(r, "entity_type") : "", rv(r, "status")));
        }
    }
    if (nres >= c->pol->v[P_PROPERTY_MULTIPLE])
        add(a, R_PROPERTY_MULTIPLE, sev_of(c, R_PROPERTY_MULTIPLE), 0, NULL, NULL, last_res,
            xstrdup(certs.s), fmt("%ld property(ies)", a->decl_properties),
            fmt("%d residential", nres));
    if (nres > a->decl_properties)
        add(a, R_PROPERTY_UNDECLARED, sev_of(c, R_PROPERTY_UNDECLARED), 0, NULL, NULL, last_res,
            xstrdup(certs.s), fmt("%ld", a->decl_properties), fmt("%d residential", nres));
    if (nres && size > 0 && area / size > c->pol->v[P_HOUSING_AREA])
        add(a, R_HOUSING_AREA, sev_of(c, R_HOUSING_AREA), 0, NULL, NULL, last_res,
            xstrdup(certs.s),
            a->has_area ? fmt("%.2f m² for %d", a->area, size) : fmt("for %d", size),
            fmt("%.2f m² for %d: %.2f m² a person", area, size, area / size));
    sbuf_free(&certs);
}

static int rules_income(struct ctx *c, struct app *a)
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
            in.mean_base - p->income >= c->pol->v[P_INCOME_GAP])
            add(a, R_INCOME_UNDERSTATED, sev_of(c, R_INCOME_UNDERSTATED), i, NULL, NULL,
                in.base_rec, xstrdup(window), fmt("%.2f", p->income),
                fmt("mean base %.2f over %d month(s): %s", in.mean_base, in.months,
                    in.detail.s));
        if (!isnan(in.pension) && in.pension - p->income > c->pol->v[P_PENSION_TOLERANCE])
            add(a, R_PENSION_UNDECLARED, sev_of(c, R_PENSION_UNDECLARED), i, NULL, NULL,
                in.pension_rec, xstrdup(in.pension_month), fmt("%.2f", p->income),
                fmt("pension %.2f in %s", in.pension, in.pension_month));
        /* public sector: the latest 正常参保 机关事业单位养老保险 record of the window */
        const struct rec *pub = NULL;
        for (int j = 0; j < a->nrecs; j++) {
            const struct rec *r = &a->recs[j];
            if (r->possible || r->person != i || strcmp(r->k->name, "social_insurance") ||
                !rv_is(r, "status", "正常参保") ||
                !rv_is(r, "insurance_type", "机关事业单位养老保险"))
                continue;
            for (int m = 0; m < n; m++)
                if (rv_is(r, "period", c->months[m]) &&
                    (!pub || strcmp(rv(r, "period"), rv(pub, "period")) > 0))
                    pub = r;
        }
        if (pub)
            add(a, R_PUBLIC_SECTOR, sev_of(c, R_PUBLIC_SECTOR), i, NULL, NULL, pub,
                rec_key(pub), fmt("%.2f", p->income),
                fmt("%s %s %s", rv(pub, "insurance_type"),
                    rv(pub, "employer") ? rv(pub, "employer") : "", rv(pub, "status")));
        total += verified(p, &in);
        declared += p->income;
        sbuf_free(&in.detail);
    }
    double std;
    if (!standard_at(c, a, c->months[0], &std)) {
        add(a, R_STANDARD_MISSING, sev_of(c, R_STANDARD_MISSING), 0, NULL, NULL, NULL,
            xstrdup(a->county), xstrdup(""), fmt("no standard for %s or its city", a->county));
        return 0;
    }
    if (size <= 0)
        return 0;
    double pc = total / size;
    double band = !strcmp(a->reason, "意外") ? c->pol->v[P_STANDARD_BAND_ACCIDENT]
                                             : c->pol->v[P_STANDARD_BAND];
    if (pc > band * std)
        add(a, R_INCOME_ABOVE_STANDARD, sev_of(c, R_INCOME_ABOVE_STANDARD), 0, NULL, NULL, NULL,
            xstrdup(window), fmt("%.2f a person", declared / size),
            fmt("%.2f a person = %.2f x standard %.2f; tier: %s", pc, pc / std, std,
                tier(c, pc, std)));
    return 0;
}

/* EXIT_ELIGIBLE: an archived family above the standard in each of the last N months. */
static void rules_exit(struct ctx *c, struct app *a)
{
    int n = (int)c->pol->v[P_EXIT_MONTHS], size = family_size(a);
    struct sbuf detail = SBUF_INIT;
    if (strcmp(a->status, "archived") || size <= 0)
        return;
    for (int m = n - 1; m >= 0; m--) {
        double std, total = 0;
        if (!standard_at(c, a, c->months[m], &std))
            goto done;
        for (int i = 0; i < a->nps; i++) {
            if (!in_family(&a->ps[i]))
                continue;
            double base, pension, v = a->ps[i].income;
            si_month(a, i, c->months[m], &base, &pension, NULL);
            if (base > v)
                v = base;
            if (pension > v)
                v = pension;
            total += v;
        }
        if (total / size <= std)
            goto done;
        sbuf_addf(&detail, "%s%s %.2f>%.2f", detail.len ? ", " : "", c->months[m], total / size,
                  std);
    }
    add(a, R_EXIT_ELIGIBLE, sev_of(c, R_EXIT_ELIGIBLE), 0, NULL, NULL, NULL,
        fmt("%s..%s", c->months[n - 1], c->months[0]), xstrdup("archived"),
        fmt("above the standard %d months: %s", n, detail.s));
done:
    sbuf_free(&detail);
}

/* ---- storing ------------------------------------------------------------------------- */

void rules_fingerprint(const char *rule, const char *app, const char *person, const char *key,
                       int n, char out[17])
{
    struct sbuf b = SBUF_INIT;
    char h[65];
    sbuf_addf(&b, "%s\x1f%s\x1f%s\x1f%s", rule, app, person, key);
    if (n > 0)
        sbuf_addf(&b, "\x1f%d", n);
    sha256_hex(b.s, b.len, h);
    sbuf_free(&b);
    memcpy(out, h, 16);
    out[16] = '\0';
}

static int cmp_finding(const void *x, const void *y)
{
    const struct finding *a = x, *b = y;
    int c = strcmp(rule_code(a->rule), rule_code(b->rule));
    if (c)
        return c;
    int ia = a->idx < 0 ? 1 << 30 : a->idx, ib = b->idx < 0 ? 1 << 30 : b->idx;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    if ((c = strcmp(a->pid, b->pid)))
        return c;
    if ((c = strcmp(a->key, b->key)))
        return c;
    return a->ev < b->ev ? -1 : a->ev > b->ev;
}

static int store_app(struct ctx *c, struct app *a)
{
    int n[3] = { 0, 0, 0 }, rc = 0;
    if (a->nfs > 1)
        qsort(a->fs, (size_t)a->nfs, sizeof *a->fs, cmp_finding);
    for (int i = 0; i < a->nfs; i++) {
        struct finding *f = &a->fs[i];
        const struct rec *evr = f->ev >= 0 ? &a->recs[f->ev] : NULL;
        const char *rule = rule_code(f->rule);
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup += a->fs[j].rule == f->rule && !strcmp(a->fs[j].pid, f->pid) &&
                   !strcmp(a->fs[j].key, f->key);
        char fp[17], ev[65];
        rules_fingerprint(rule, a->id, f->pid, f->key, dup, fp);
        struct sbuf e = SBUF_INIT;
        sbuf_addf(&e, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", sev_name(f->sev),
                  evr ? evr->k->name : "", f->key, f->declared, f->found,
                  evr ? evr->raw : "");
        sha256_hex(e.s, e.len, ev);
        sbuf_free(&e);
        /* the decision in force: the latest one the run can see, if the evidence is the same */
        const char *decision = "open";
        sqlite3_stmt *d = c->decision;
        sqlite3_reset(d);
        sqlite3_bind_text(d, 1, fp, -1, SQLITE_STATIC);
        sqlite3_bind_int64(d, 2, c->r->decision_seq);
        sqlite3_bind_text(d, 3, ev, -1, SQLITE_STATIC);
        if (sqlite3_step(d) != SQLITE_ROW)
            return store_err(c->db, "reading decisions");
        if (!strcmp((const char *)sqlite3_column_text(d, 0), "dismissed"))
            decision = "dismissed";
        else if (!strcmp((const char *)sqlite3_column_text(d, 0), "confirmed"))
            decision = "confirmed";
        if (strcmp(decision, "dismissed"))
            n[f->sev]++;
        sqlite3_stmt *st = c->ins;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, c->r->id);
        sqlite3_bind_text(st, 2, a->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, a->county, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, sev_name(f->sev), -1, SQLITE_STATIC);
        if (f->idx >= 0)
            sqlite3_bind_int(st, 6, f->idx);
        else
            sqlite3_bind_null(st, 6);
        sqlite3_bind_text(st, 7, f->pid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, f->pname, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, evr ? evr->k->name : "", -1, SQLITE_STATIC);
        if (evr)
            sqlite3_bind_int64(st, 10, evr->rid);
        else
            sqlite3_bind_null(st, 10);
        sqlite3_bind_text(st, 11, f->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 12, f->declared, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 13, f->found, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, evr ? evr->raw : "", -1, SQLITE_STATIC);
        if (evr)
            sqlite3_bind_int64(st, 15, evr->load);
        else
            sqlite3_bind_null(st, 15);
        if (evr && !isnan(evr->weight))
            sqlite3_bind_double(st, 16, evr->weight);
        else
            sqlite3_bind_null(st, 16);
        sqlite3_bind_text(st, 17, fp, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 18, ev, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 19, decision, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return store_err(c->db, "storing a finding");
        c->st->findings++;
        c->st->by_rule[f->rule]++;
    }
    int gate = n[SEV_BLOCK] ? SEV_BLOCK : n[SEV_REVIEW] ? SEV_REVIEW : 2;
    c->st->gates[gate]++;
    sqlite3_stmt *st = c->gate;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, c->r->id);
    sqlite3_bind_text(st, 2, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->county, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, a->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, gate_name(gate), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, n[SEV_BLOCK]);
    sqlite3_bind_int(st, 8, n[SEV_REVIEW]);
    sqlite3_bind_int(st, 9, n[SEV_INFO]);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(c->db, "storing a gate");
    return rc;
}

/* ---- the run ------------------------------------------------------------------------- */

/* Statements whose SQL is fixed text: values are bound, never written into the SQL. */
static int prepare_all(struct ctx *c)
{
    const struct run *r = c->r;
    int rc;
    struct sbuf sql = SBUF_INIT;
    for (int i = 0; i < xv_nkinds; i++) {
        const struct kind *k = &xv_kinds[i];
        if (!kind_is_feed(k))
            continue;
        sbuf_reset(&sql);
        sbuf_adds(&sql, "SELECT load_id, raw");
        for (int j = 0; j < k->ncols; j++)
            sbuf_addf(&sql, ", %s", k->cols[j].name);
        sbuf_addf(&sql, " FROM %s WHERE rid=?", k->name);
        if ((rc = store_prepare(c->db, sql.s, &c->fetch[i])) < 0)
            goto done;
    }
    struct { sqlite3_stmt **st; const char *sql; } q[] = {
        { &c->app, "SELECT county_code, name, declared_income, declared_vehicles, "
                   "declared_properties, declared_housing_area, declared_business, "
                   "hardship_reason FROM applicant WHERE applicant_id=?2 AND "
                   RUN_VISIBLE("applicant", "applicant", "?1") },
        { &c->status, "SELECT " STATUS_AS_OF("?1", "?2", "?3") },
        { &c->persons, "SELECT idx, relation, id_no, id_valid, name, ifnull(declared_income, 0)"
                       " FROM persons WHERE run_id=?1 AND applicant_id=?2 ORDER BY idx" },
        /* best first: a person's household record is the first */
        { &c->links, "SELECT idx, kind, rid, class, weight FROM links WHERE run_id=?1 AND "
                     "applicant_id=?2 ORDER BY idx, kind, class, weight DESC, rid" },
        { &c->dup, "SELECT applicant_id, relation, status FROM temp.xv_scope_people "
                   "WHERE id_no=?1 AND applicant_id<>?2 ORDER BY applicant_id, relation" },
        { &c->hh, "SELECT rid, id_no FROM temp.xv_household WHERE household_no=?1 "
                  "ORDER BY rid" },
        { &c->std, "SELECT amount FROM standard WHERE county_code=?2 AND effective_from<=?3 AND "
                   RUN_VISIBLE("standard", "standard", "?1")
                   " ORDER BY effective_from DESC, rid DESC LIMIT 1" },
        { &c->decision, "SELECT " DECISION_IN_FORCE("?1", "?3", "?2") },
        { &c->ins, "INSERT INTO findings(run_id,applicant_id,county_code,rule,severity,idx,"
                   "person_id_no,person_name,feed,rid,record_key,declared,found,raw,load_id,"
                   "link_weight,fingerprint,evidence,decision) "
                   "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" },
        { &c->gate, "INSERT INTO gates(run_id,applicant_id,county_code,name,status,gate,n_block,"
                    "n_review,n_info) VALUES(?,?,?,?,?,?,?,?,?)" },
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        if ((rc = store_prepare(c->db, q[i].sql, q[i].st)) < 0)
            goto done;
    sqlite3_bind_int64(c->app, 1, r->load_of[kind_index("applicant")]);
    sqlite3_bind_int64(c->status, 2, r->status_seq);
    sqlite3_bind_text(c->status, 3, r->as_of, -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->persons, 1, r->id);
    sqlite3_bind_int64(c->links, 1, r->id);
    sqlite3_bind_int64(c->std, 1, r->load_of[kind_index("standard")]);
done:
    sbuf_free(&sql);
    return rc;
}

/* Builds a temporary table for the run: DDL (re)creates it, FILL fills it, INDEX indexes
 * it. FILL names the run's values it needs as :applicant_load, :member_load,
 * :household_load, :status_seq, :as_of and :run. */
static int temp_table(struct ctx *c, const char *ddl, const char *fill, const char *index,
                      const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc;
    const struct run *r = c->r;
    const struct { const char *name; long long v; } ints[] = {
        { ":applicant_load", r->load_of[kind_index("applicant")] },
        { ":member_load", r->load_of[kind_index("member")] },
        { ":household_load", r->load_of[kind_index("household")] },
        { ":status_seq", r->status_seq },
        { ":run", r->id },
    };
    if ((rc = store_exec(c->db, ddl)) < 0 || (rc = store_prepare(c->db, fill, &st)) < 0)
        return rc;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        int at = sqlite3_bind_parameter_index(st, ints[i].name);
        if (at > 0)
            sqlite3_bind_int64(st, at, ints[i].v);
    }
    int at = sqlite3_bind_parameter_index(st, ":as_of");
    if (at > 0)
        sqlite3_bind_text(st, at, r->as_of, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(c->db, what);
    sqlite3_finalize(st);
    return rc < 0 ? rc : store_exec(c->db, index);
}

/* Everyone named by an application in scope as of the run (whatever the run's own scope), for
 * DUPLICATE_APPLICATION. */
static int scope_people(struct ctx *c)
{
    return temp_table(c,
        "DROP TABLE IF EXISTS temp.xv_scope_people;"
        "CREATE TEMP TABLE xv_scope_people(id_no TEXT, applicant_id TEXT, relation TEXT,"
        " status TEXT);",
        "INSERT INTO temp.xv_scope_people "
        "WITH apps AS (SELECT a.applicant_id, a.id_no, "
        STATUS_AS_OF("a.applicant_id", ":status_seq", ":as_of") " AS status FROM applicant a "
        "WHERE " RUN_VISIBLE("applicant", "a", ":applicant_load") ") "
        "SELECT id_no, applicant_id, '申请人', status FROM apps "
        "WHERE status IN ('applied', 'archived') UNION ALL "
        "SELECT m.id_no, m.applicant_id, m.relation, apps.status FROM member m "
        "JOIN apps ON apps.applicant_id = m.applicant_id "
        "WHERE apps.status IN ('applied', 'archived') AND "
        RUN_VISIBLE("member", "m", ":member_load"),
        "CREATE INDEX temp.xv_scope_people_id ON xv_scope_people(id_no)",
        "gathering applications");
}

/* The active people registered in the applicants' households: one scan of the household
 * feed, so that no index on household_no is needed (it would slow every load). */
static int households(struct ctx *c)
{
    return temp_table(c,
        "DROP TABLE IF EXISTS temp.xv_household;"
        "CREATE TEMP TABLE xv_household(household_no TEXT, rid INTEGER, id_no TEXT);",
        "INSERT INTO temp.xv_household SELECT h.household_no, h.rid, h.id_no "
        "FROM household h WHERE h.status = '正常' AND h.household_no IN "
        "(SELECT x.household_no FROM links l JOIN household x ON x.rid = l.rid "
        "WHERE l.run_id = :run AND l.kind = 'household' AND l.idx = 0 AND "
        "l.class = 'match') AND " RUN_VISIBLE("household", "h", ":household_load"),
        "CREATE INDEX temp.xv_household_no ON xv_household(household_no)",
        "reading households");
}

int rules_run(sqlite3 *db, const struct run *r, struct rules_stats *out)
{
    struct ctx c;
    sqlite3_stmt *apps = NULL;
    int rc, s;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    int tty = isatty(STDERR_FILENO);
    c.db = db;
    c.r = r;
    c.pol = &r->pol;
    c.st = out;
    /* the months a rule looks at, newest first; no clock: D is the run's as-of date */
    int y = atoi(r->as_of), m = atoi(r->as_of + 5);
    c.nmonths = (int)fmax(c.pol->v[P_WINDOW_MONTHS], c.pol->v[P_EXIT_MONTHS]);
    for (int i = 0; i < c.nmonths; i++) {
        snprintf(c.months[i], sizeof c.months[i], "%04d-%02d", y, m);
        if (--m == 0) {
            m = 12;
            y--;
        }
    }
    if ((rc = scope_people(&c)) < 0 || (rc = households(&c)) < 0 ||
        (rc = prepare_all(&c)) < 0)
        goto done;
    if ((rc = store_prepare(db, "SELECT applicant_id FROM persons WHERE run_id=? AND idx=0 "
                                "ORDER BY applicant_id", &apps)) < 0)
        goto done;
    sqlite3_bind_int64(apps, 1, r->id);
    while ((s = sqlite3_step(apps)) == SQLITE_ROW) {
        struct app a;
        memset(&a, 0, sizeof a);
        rc = read_app(&c, (const char *)sqlite3_column_text(apps, 0), &a);
        if (rc == 0)
            rc = rules_identity(&c, &a);
        if (rc == 0)
            rc = rules_duplicates(&c, &a);
        if (rc == 0) {
            rules_assets(&c, &a);
            rc = rules_income(&c, &a);
        }
        if (rc == 0) {
            rules_exit(&c, &a);
            rc = store_app(&c, &a);
        }
        app_free(&a);
        if (rc < 0)
            goto done;
        out->applications++;
        /* on a terminal, a progress line; logs (stderr not a terminal) get the summary only */
        if (tty && out->applications % 1000 == 0)
            fprintf(stderr, "\rxverify: rules: %ld applications checked, %ld findings",
                    out->applications, out->findings);
    }
    if (tty && out->applications >= 1000)
        fputc('\n', stderr);
    if (s != SQLITE_DONE)
        rc = store_err(db, "reading the run's applications");
done:
    sqlite3_finalize(apps);
    for (int i = 0; i < RUN_MAX_KINDS; i++)
        sqlite3_finalize(c.fetch[i]);
    sqlite3_stmt *all[] = { c.persons, c.links, c.app, c.status, c.dup, c.hh, c.std, c.decision,
                            c.ins, c.gate };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
    if (rc == 0)
        rc = store_exec(db, "DROP TABLE temp.xv_scope_people; DROP TABLE temp.xv_household");
    return rc;
}
