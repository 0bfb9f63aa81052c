/* data.c: what a run's reports show, read from the store once: findings, gates, counties. */

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
#include "../core/mask.h"
#include "../core/run.h"
#include "../core/hooks.h"
#include "../core/policy.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/catalogue.h"
#include "../matchers/rules/findings.h"
#include "rpt_int.h"

/* ---- reading the run ------------------------------------------------------------------ */

/* A finding as the reports show it: ID numbers masked unless asked for. */
static int add_finding(void *ctx, const struct finding_row *r)
{
    struct data *d = ctx;
    if (d->nf == d->fcap) {   /* doubling: 141,000 rows grown by 256 were copied 550 times */
        d->fcap = d->fcap ? 2 * d->fcap : 256;
        d->f = xrealloc(d->f, (size_t)d->fcap * sizeof *d->f);
    }
    struct frow *f = &d->f[d->nf++];
    f->gate = NULL;
    f->followup = 0;
    char run[24];
    snprintf(run, sizeof run, "%lld", r->run);
    const char *c[NCOLS] = {
        [C_RUN] = run, [C_APP] = r->app, [C_COUNTY] = r->county, [C_RULE] = r->rule,
        [C_SEV] = r->severity, [C_PID] = r->pid, [C_PNAME] = r->pname, [C_FEED] = r->feed,
        [C_KEY] = r->key, [C_DECLARED] = r->declared, [C_FOUND] = r->found,
        [C_LOAD] = r->load, [C_WEIGHT] = r->weight, [C_FP] = r->fingerprint,
        [C_DECISION] = r->decision, [C_DECIDED_BY] = r->decided.by,
        [C_DECIDED_LEVEL] = r->decided.level, [C_DECIDED_AT] = r->decided.at,
        [C_DECISION_REASON] = r->decided.reason, [C_RAW] = r->raw,
        [C_SAID_DECLARED] = r->shown_declared, [C_SAID_FOUND] = r->shown_found,
        [C_RECORDS] = r->records,
    };
    /* the columns one after the other, each ended by its NUL, then copied into the arena */
    struct sbuf *b = &d->row;
    size_t at[NCOLS];
    sbuf_reset(b);
    for (int i = 0; i < NCOLS; i++) {
        at[i] = b->len;
        if (i == C_PID) {
            char m[64];
            mask_id(c[i], d->unmasked, m, sizeof m);
            sbuf_adds(b, m);
        } else if (i == C_KEY || i == C_DECLARED || i == C_FOUND || i == C_RAW ||
                   i == C_DECISION_REASON || i == C_SAID_DECLARED || i == C_SAID_FOUND ||
                   i == C_RECORDS) {
            mask_text(c[i], d->unmasked, b);
        } else {
            sbuf_adds(b, c[i]);
        }
        sbuf_addc(b, '\0');
    }
    char *block = arena_take(&d->arena, b->len);
    memcpy(block, b->s, b->len);
    for (int i = 0; i < NCOLS; i++)
        f->c[i] = block + at[i];
    return 0;
}

static int add_gate(void *ctx, const struct gate_row *r)
{
    struct data *d = ctx;
    if (d->ng == d->gcap) {
        d->gcap = d->gcap ? 2 * d->gcap : 256;
        d->g = xrealloc(d->g, (size_t)d->gcap * sizeof *d->g);
    }
    struct grow *g = &d->g[d->ng++];
    g->app = xstrdup(r->app);
    g->county = xstrdup(r->county);
    g->name = xstrdup(r->name);
    g->gate = xstrdup(r->gate);
    g->status = xstrdup(r->status);
    g->size = xstrdup(r->size);
    g->per_capita = xstrdup(r->per_capita);
    g->standard = xstrdup(r->standard);
    g->tier = xstrdup(r->tier);
    for (int i = 0; i < 3; i++)
        g->n[i] = (int)r->n[i];
    if (!d->ncounties || strcmp(d->counties[d->ncounties - 1], g->county)) {
        int seen = 0;
        for (int i = 0; i < d->ncounties && !seen; i++)
            seen = !strcmp(d->counties[i], g->county);
        if (!seen) {
            d->counties = xrealloc(d->counties, (size_t)(d->ncounties + 1) * sizeof(char *));
            d->counties[d->ncounties++] = g->county;
        }
    }
    return 0;
}

/* The names of the divisions in the run's region load, sorted by code. */
static int read_regions(sqlite3 *db, struct data *d)
{
    long long load = d->r->load_of[kind_index("region")];
    sqlite3_stmt *st = NULL;
    int rc, s;
    if (!load)
        return 0;
    if ((rc = store_prepare(db, "SELECT t.code, t.name FROM region t WHERE "
                                RUN_VISIBLE("region", "t", "?1") " ORDER BY t.code, t.rid",
                            &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, load);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        /* one name a code: the first version */
        if (d->nregions && !strcmp(d->regions[2 * (d->nregions - 1)], code))
            continue;
        if (d->nregions % 64 == 0)
            d->regions = xrealloc(d->regions, (size_t)(d->nregions + 64) * 2 * sizeof(char *));
        d->regions[2 * d->nregions] = xstrdup(code);
        d->regions[2 * d->nregions + 1] = xstrdup((const char *)sqlite3_column_text(st, 1));
        d->nregions++;
    }
    rc = s == SQLITE_DONE ? 0 : store_err(db, "reading the divisions");
    sqlite3_finalize(st);
    return rc;
}

const struct grow *rpt_gate_of(const struct data *d, const char *app)
{
    long lo = 0, hi = d->ng;
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        int c = strcmp(d->g[mid].app, app);
        if (!c)
            return &d->g[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *rpt_region_name(const struct data *d, const char *code)
{
    long lo = 0, hi = d->nregions;
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        int c = strcmp(d->regions[2 * mid], code);
        if (!c)
            return d->regions[2 * mid + 1];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void rpt_county_esc(FILE *f, const struct data *d, const char *code)
{
    const char *name = rpt_region_name(d, code);
    if (name) {
        rpt_esc(f, name);
        fputs("（", f);
    }
    rpt_esc(f, code);
    if (name)
        fputs("）", f);
}

static void by_county(struct data *d);

/* The findings of the applications from FROM on, read in a thread beside this one on a
 * connection of its own, into a data of their own (PART: masked as the whole). */
struct half {
    struct store_beside job;
    char *from;
    struct data part;
};

static int half_read(sqlite3 *db, void *arg)
{
    struct half *h = arg;
    return findings_each_between(db, h->part.r->id, h->from, NULL, add_finding, &h->part);
}

/* Starts H reading the findings of the second half of D's applications (D's gates are
 * read); 0 when it was not started: a store that cannot be read beside, a transaction open,
 * too few gates. */
static int half_start(sqlite3 *db, struct data *d, struct half *h)
{
    memset(h, 0, sizeof *h);
    /* inside a transaction (a rerun's, rolled back after) the run's rows are this
     * connection's alone: another would read what was committed */
    if (d->ng < 2 || !sqlite3_get_autocommit(db) || store_readable_beside(db) <= 0)
        return 0;
    h->from = xstrdup(d->g[d->ng / 2].app);
    h->part.r = d->r;
    h->part.unmasked = d->unmasked;
    if (store_beside_start(&h->job, sqlite3_db_filename(db, "main"), "reading the findings",
                           half_read, NULL, h))
        return 1;
    free(h->from);
    return 0;
}

/* Joins H and puts its findings after D's; RC, or when RC is 0 the thread's code. */
static int half_finish(struct data *d, struct half *h, int rc)
{
    rc = store_beside_finish(&h->job, rc);
    if (rc == 0 && h->part.nf) {
        if (d->nf + h->part.nf > d->fcap) {
            d->fcap = d->nf + h->part.nf;
            d->f = xrealloc(d->f, (size_t)d->fcap * sizeof *d->f);
        }
        memcpy(d->f + d->nf, h->part.f, (size_t)h->part.nf * sizeof *d->f);
        d->nf += h->part.nf;
    }
    arena_adopt(&d->arena, &h->part.arena);   /* the columns stay where they are */
    sbuf_free(&h->part.row);
    free(h->part.f);
    free(h->from);
    return rc;
}

int rpt_read_data(sqlite3 *db, struct data *d)
{
    int rc, split;
    struct half h;
    /* the gates first: the findings are read in two halves of the applications at once,
     * the second from the middle gate's application on */
    if ((rc = gates_each(db, d->r->id, NULL, add_gate, d)) < 0)
        return rc;
    split = half_start(db, d, &h);
    rc = findings_each_between(db, d->r->id, NULL, split ? h.from : NULL, add_finding, d);
    if (split)
        rc = half_finish(d, &h, rc);
    if (rc < 0 || (rc = read_regions(db, d)) < 0)
        return rc;
    /* the follow-up list, and each finding's place on it (both tables are in application
     * order) */
    long fi = 0;
    for (long gi = 0; gi < d->ng; gi++) {
        struct grow *g = &d->g[gi];
        g->followup = rpt_gate_index(g->gate) == GATE_BLOCK &&
                      (!strcmp(g->status, "archived") || !strcmp(g->status, "notice"));
        d->nfollowup += g->followup;
        while (fi < d->nf && strcmp(d->f[fi].c[C_APP], g->app) < 0)
            fi++;
        g->ff = fi;
        for (; fi < d->nf && !strcmp(d->f[fi].c[C_APP], g->app); fi++) {
            d->f[fi].followup = g->followup;
            d->f[fi].gate = g;
        }
    }
    /* counties in code order, so that the files are written in the same order every time */
    for (int i = 1; i < d->ncounties; i++)
        for (int j = i; j > 0 && strcmp(d->counties[j - 1], d->counties[j]) > 0; j--) {
            char *t = d->counties[j];
            d->counties[j] = d->counties[j - 1];
            d->counties[j - 1] = t;
        }
    by_county(d);
    return 0;
}

static int cmp_county(const void *key, const void *county)
{
    return strcmp(key, *(char *const *)county);
}

int rpt_county_index(const struct data *d, const char *county)
{
    char **at = d->ncounties ? bsearch(county, d->counties, (size_t)d->ncounties,
                                       sizeof *d->counties, cmp_county) : NULL;
    return at ? (int)(at - d->counties) : -1;
}

/* Each county's N items (their counties in COUNTY_OF[0..N)), grouped by county in counties'
 * order, each county's in their order, into *IDX; *AT[i] is county i's first. An item of a
 * county the run has no gate of is in no group. */
static void group(const struct data *d, long n, const char *(*county_of)(const struct data *,
                  long), long **idx, long **at)
{
    int nc = d->ncounties;
    int *of = xcalloc((size_t)(n ? n : 1), sizeof *of);
    long *count = xcalloc((size_t)nc + 1, sizeof *count);
    int last = -1;
    for (long i = 0; i < n; i++) {
        const char *c = county_of(d, i);
        /* an application's items come together: ask again only when the county changes */
        if (last < 0 || strcmp(d->counties[last], c))
            last = rpt_county_index(d, c);
        of[i] = last;
        if (last >= 0)
            count[last + 1]++;
    }
    for (int i = 0; i < nc; i++)
        count[i + 1] += count[i];
    *at = xcalloc((size_t)nc + 1, sizeof **at);
    memcpy(*at, count, ((size_t)nc + 1) * sizeof *count);
    *idx = xcalloc((size_t)(count[nc] ? count[nc] : 1), sizeof **idx);
    for (long i = 0; i < n; i++)
        if (of[i] >= 0)
            (*idx)[count[of[i]]++] = i;
    free(count);
    free(of);
}

static const char *finding_county(const struct data *d, long i)
{
    return d->f[i].c[C_COUNTY];
}

static const char *gate_county(const struct data *d, long i)
{
    return d->g[i].county;
}

/* The findings and gates of each county (struct data's cf and cg). */
static void by_county(struct data *d)
{
    group(d, d->nf, finding_county, &d->cf, &d->cf_at);
    group(d, d->ng, gate_county, &d->cg, &d->cg_at);
}

const long *rpt_county_findings(const struct data *d, const char *county, long *n)
{
    int i = rpt_county_index(d, county);
    *n = i < 0 ? 0 : d->cf_at[i + 1] - d->cf_at[i];
    return i < 0 ? NULL : d->cf + d->cf_at[i];
}

const long *rpt_county_gates(const struct data *d, const char *county, long *n)
{
    int i = rpt_county_index(d, county);
    *n = i < 0 ? 0 : d->cg_at[i + 1] - d->cg_at[i];
    return i < 0 ? NULL : d->cg + d->cg_at[i];
}

void rpt_data_free(struct data *d)
{
    arena_free(&d->arena);
    sbuf_free(&d->row);
    free(d->f);
    for (long i = 0; i < d->ng; i++) {
        free(d->g[i].app);
        free(d->g[i].county);
        free(d->g[i].name);
        free(d->g[i].gate);
        free(d->g[i].status);
        free(d->g[i].size);
        free(d->g[i].per_capita);
        free(d->g[i].standard);
        free(d->g[i].tier);
    }
    free(d->g);
    free(d->counties);
    free(d->cf);
    free(d->cf_at);
    free(d->cg);
    free(d->cg_at);
    rpt_perf_free(d->perf);
    rpt_notices_free(d);
    for (long i = 0; i < 2 * d->nregions; i++)
        free(d->regions[i]);
    free(d->regions);
}

/* The gate named GATE; CLEAR for a name this program does not know. */
int rpt_gate_index(const char *gate)
{
    int g = gate_parse(gate);
    return g < 0 ? GATE_CLEAR : g;
}
