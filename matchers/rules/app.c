/* app.c: an application as the rules read it: its row, status, persons and linked records;
 * and the findings added to it. */

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

/* ---- values of a record ------------------------------------------------------------- */

const char *rec_value(const struct rec *r, const char *col)
{
    int i = kind_col(r->k, col);
    return i >= 0 ? r->v[i] : NULL;
}

int rec_is(const struct rec *r, const char *col, const char *value)
{
    const char *v = rec_value(r, col);
    return v && !strcmp(v, value);
}

double rec_num(const struct rec *r, const char *col, int *have)
{
    const char *v = rec_value(r, col);
    *have = v != NULL;
    return v ? strtod(v, NULL) : 0;
}

/* The record key of rules.md: plate, cert_no, USCC + entity, period, household_no. */
char *rec_key(const struct rec *r)
{
    struct sbuf b = SBUF_INIT;
    if (!strcmp(r->k->name, "business") && rec_value(r, "uscc"))
        sbuf_addf(&b, "%s %s", rec_value(r, "uscc"), rec_value(r, "entity_name"));
    else
        sbuf_adds(&b, rec_value(r, r->k->key) ? rec_value(r, r->k->key) : "");
    return b.s ? b.s : xstrdup("");
}

/* ---- reading an application --------------------------------------------------------- */

char *column_text_or(sqlite3_stmt *st, int i, const char *dflt)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : dflt ? xstrdup(dflt) : NULL;
}

static int cmp_rid(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The rids of the members of the applicants' households (C->hhx), sorted, each once. */
static size_t member_rids(const struct ctx *c, int64_t **out)
{
    size_t n = c->hhx ? c->hhx->n : 0, m = 0;
    int64_t *v = xmalloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = c->hhx->v[i].rid;
    qsort(v, n, sizeof *v, cmp_rid);
    for (size_t i = 0; i < n; i++)
        if (!m || v[i] != v[m - 1])
            v[m++] = v[i];
    *out = v;
    return m;
}

int app_cache(struct ctx *c, const struct kind *k, struct linked_rows *kept)
{
    int kidx = (int)(k - xv_kinds);
    struct linked_rows *rc = &c->cache[kidx];
    sqlite3_stmt *st = NULL, *fetch = c->fetch[kidx];
    int64_t *members = NULL;
    size_t nmembers = 0, next = 0;
    int s, ret;
    /* the records the rules will read, in rid order: the run's links and, of the register,
     * the linked households' members; a record the linker kept is not read again */
    if ((ret = store_prepare(c->db, "SELECT DISTINCT rid FROM links WHERE run_id = ?1 AND "
                                    "kind = ?2 ORDER BY rid", &st)) < 0)
        goto done;
    if (!strcmp(k->name, "household"))
        nmembers = member_rids(c, &members);
    sqlite3_bind_int64(st, 1, c->r->id);
    sqlite3_bind_text(st, 2, k->name, -1, SQLITE_STATIC);
    s = sqlite3_step(st);
    for (;;) {
        if (s != SQLITE_ROW && s != SQLITE_DONE)
            break;
        int linked = s == SQLITE_ROW, member = next < nmembers;
        if (!linked && !member)
            break;
        int64_t a = linked ? sqlite3_column_int64(st, 0) : 0, b = member ? members[next] : 0;
        int64_t rid = !linked ? b : !member ? a : a < b ? a : b;
        if (linked && a == rid)
            s = sqlite3_step(st);
        if (member && b == rid)
            next++;
        char *block = linked_rows_take(kept, rid);
        if (!block) {   /* not kept: read from the feed, as the linker would have */
            sqlite3_reset(fetch);
            sqlite3_bind_int64(fetch, 1, rid);
            int f = sqlite3_step(fetch);
            if (f == SQLITE_DONE)
                continue;   /* no such record: app_fetch says so if a rule needs it */
            if (f != SQLITE_ROW) {
                ret = store_err(c->db, "reading linked records");
                goto done;
            }
            linked_rows_add(rc, rid, fetch, 0, 1, 2, k->ncols);
            continue;
        }
        linked_rows_put(rc, rid, block);
    }
    ret = s == SQLITE_DONE ? 0 : store_err(c->db, "reading linked records");
done:
    free(members);
    sqlite3_reset(fetch);
    sqlite3_finalize(st);
    return ret;
}

int app_fetch(struct ctx *c, struct app *a, const char *kind, long long rid, int person,
                     int possible, double weight)
{
    const struct kind *k = kind_find(kind);
    if (!k || !kind_is_feed(k))
        return error("unknown feed '%s' in links", kind);
    /* from the cache; else from the table (the same values in the same order) */
    const char *row = linked_rows_find(&c->cache[k - xv_kinds], rid), *p = NULL;
    sqlite3_stmt *st = c->fetch[k - xv_kinds];
    if (row) {
        p = row + sizeof(int64_t);
    } else {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, rid);
        if (sqlite3_step(st) != SQLITE_ROW)
            return error("record %lld of '%s' is missing", rid, kind);
    }
    if (a->nrecs % 16 == 0)
        a->recs = xrealloc(a->recs, (size_t)(a->nrecs + 16) * sizeof *a->recs);
    struct rec *r = &a->recs[a->nrecs++];
    memset(r, 0, sizeof *r);
    r->k = k;
    r->person = person;
    r->possible = possible;
    r->rid = rid;
    r->weight = weight;
    if (row) {
        int64_t load;
        memcpy(&load, row, sizeof load);
        r->load = load;
    } else {
        r->load = sqlite3_column_int64(st, 0);
    }
    const char *raw = row ? linked_row_value(&p) : (const char *)sqlite3_column_text(st, 1);
    /* the values in one block after their pointers, freed whole (app_trim): a record's
     * twenty-odd allocations and the source text's growth were a quarter of the second
     * thread's time in a profile */
    size_t bytes = 0;
    const char *q = p;
    for (int i = 0; i < k->ncols; i++) {
        const char *v = row ? linked_row_value(&q) : (const char *)sqlite3_column_text(st, 2 + i);
        bytes += v ? strlen(v) + 1 : 0;
    }
    r->v = xmalloc((size_t)k->ncols * sizeof *r->v + bytes + 1);
    char *at = (char *)(r->v + k->ncols);
    /* the record as the source wrote it: "column=value; ..." (no printf: 480,000 records) */
    struct sbuf b = SBUF_INIT;
    sbuf_reserve(&b, bytes + 16 * (size_t)k->ncols + 64);
    for (int i = 0; i < k->ncols; i++) {
        const char *v = row ? linked_row_value(&p) : (const char *)sqlite3_column_text(st, 2 + i);
        r->v[i] = NULL;
        if (v) {
            size_t len = strlen(v) + 1;
            r->v[i] = memcpy(at, v, len);
            at += len;
        }
        const char *f = r->v[i];
        size_t n = f ? strlen(f) : 0;
        if (!store_raw_field(raw, i, &f, &n) && !f)
            continue;
        if (b.len)
            sbuf_adds(&b, "; ");
        sbuf_adds(&b, k->cols[i].name);
        sbuf_addc(&b, '=');
        sbuf_add(&b, f, n);
    }
    r->raw = b.s ? b.s : xstrdup("");
    return 0;
}

void app_trim(struct app *a)
{
    for (int i = 0; i < a->nps; i++) {
        free(a->ps[i].id);
        free(a->ps[i].name);
        free(a->ps[i].relation);
    }
    free(a->ps);
    a->ps = NULL;
    a->nps = 0;
    for (int i = 0; i < a->nrecs; i++) {
        free(a->recs[i].v);   /* the values with it (app_fetch) */
        a->recs[i].v = NULL;
    }
}

void app_free(struct app *a)
{
    app_trim(a);
    free(a->id);
    free(a->county);
    free(a->name);
    free(a->status);
    free(a->reason);
    for (int i = 0; i < a->nrecs; i++)
        free(a->recs[i].raw);
    free(a->recs);
    for (int i = 0; i < a->nfs; i++) {
        free(a->fs[i].pid);
        free(a->fs[i].pname);
        free(a->fs[i].key);
        free(a->fs[i].declared);
        free(a->fs[i].found);
        free(a->fs[i].shown_declared);
        free(a->fs[i].shown_found);
        free(a->fs[i].records);
        free(a->fs[i].fpkey);
    }
    free(a->fs);
    memset(a, 0, sizeof *a);
}

struct reading {
    struct ctx *c;
    struct app *a;
};

static int add_person(void *ctx, const struct linked_person *lp)
{
    struct app *a = ((struct reading *)ctx)->a;
    if (a->nps % 8 == 0)
        a->ps = xrealloc(a->ps, (size_t)(a->nps + 8) * sizeof *a->ps);
    struct person *p = &a->ps[a->nps++];
    memset(p, 0, sizeof *p);
    p->idx = lp->idx;
    p->relation = xstrdup(lp->relation);
    p->id = xstrdup(lp->id_no);
    p->id_valid = lp->id_valid;
    p->name = xstrdup(lp->name);
    p->income = lp->has_income ? lp->income : 0;
    p->hh = -1;
    return 0;
}

static int add_link(void *ctx, const struct linked_link *l)
{
    struct reading *rd = ctx;
    struct app *a = rd->a;
    int person = -1;
    for (int i = 0; i < a->nps; i++)
        if (a->ps[i].idx == l->idx)
            person = i;
    if (person < 0)
        return error("a link of '%s' names no person", a->id);
    int rc = app_fetch(rd->c, a, l->kind, l->rid, person, !l->match, l->weight);
    if (rc == 0)
        a->recs[a->nrecs - 1].decided = l->decided;
    return rc;
}

/* The application's row as the run sees it, its status, its persons and their links. */
int app_read(struct ctx *c, const char *id, struct app *a)
{
    sqlite3_stmt *st;
    int rc = 0;
    a->id = xstrdup(id);
    st = c->app;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        return error("application '%s' of run %lld is missing", id, c->r->id);
    a->county = column_text_or(st, 0, "");
    a->name = column_text_or(st, 1, "");
    a->income = sqlite3_column_double(st, 2);
    a->decl_vehicles = sqlite3_column_int64(st, 3);
    a->decl_properties = sqlite3_column_int64(st, 4);
    a->has_area = sqlite3_column_type(st, 5) != SQLITE_NULL;
    a->area = sqlite3_column_double(st, 5);
    a->decl_business = sqlite3_column_int64(st, 6);
    a->reason = column_text_or(st, 7, "");
    st = c->status;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
        return error("application '%s' has no status", id);
    a->status = column_text_or(st, 0, "");

    struct reading rd = { c, a };
    if ((rc = linked_persons(&c->linked, id, add_person, &rd)) < 0 ||
        (rc = linked_links(&c->linked, id, -1, LINKED_BEST_FIRST, add_link, &rd)) < 0)
        return rc;
    /* each person's household record: the best-weighted link (links come best first) */
    for (int i = 0; i < a->nrecs; i++) {
        struct rec *r = &a->recs[i];
        struct person *p = &a->ps[r->person];
        if (!r->possible && !strcmp(r->k->name, "household") && p->hh < 0) {
            p->hh = i;
            p->deceased = rec_is(r, "status", "死亡");
        }
    }
    return 0;
}

/* ---- findings ------------------------------------------------------------------------ */

void finding_add(struct app *a, int rule, int sev, int person, const char *pid, const char *pname,
                const struct rec *ev, char *key, struct said declared, struct said found)
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
    f->declared = declared.canon ? declared.canon : xstrdup("");
    f->found = found.canon ? found.canon : xstrdup("");
    /* a shown text is kept only where it differs from the canonical one */
    struct said *said[2] = { &declared, &found };
    for (int k = 0; k < 2; k++)
        if (said[k]->shown && !strcmp(said[k]->shown, k ? f->found : f->declared)) {
            free(said[k]->shown);
            said[k]->shown = NULL;
        }
    f->shown_declared = declared.shown;
    f->shown_found = found.shown;
    f->records = NULL;
    f->fpkey = NULL;
    f->amount = NAN;
    f->fp[0] = f->evh[0] = '\0';
    f->decision = "open";
}

void finding_income(struct app *a, const char *fpkey, double amount)
{
    struct finding *f = &a->fs[a->nfs - 1];
    f->fpkey = xstrdup(fpkey);
    f->amount = amount;
}

void finding_record(struct app *a, const struct rec *r)
{
    struct finding *f = &a->fs[a->nfs - 1];
    struct sbuf b = SBUF_INIT;
    char *key = rec_key(r);
    if (f->records)
        sbuf_addf(&b, "%s\n", f->records);
    sbuf_addf(&b, "%s %s", msg_t(r->k->name), key);
    sbuf_addf(&b, msg_t("（第 %lld 次加载）"), r->load);
    sbuf_addf(&b, "%s%s", msg_t("："), r->raw ? r->raw : "");
    free(key);
    free(f->records);
    f->records = b.s;
}

struct said said_word(const char *word)
{
    return said2(xstrdup(word), xstrdup(msg_t(word)));
}

struct said rules_say(const char *key, ...)
{
    va_list ap, again;
    struct said s = { NULL, NULL };
    va_start(ap, key);
    va_copy(again, ap);
    int n = vasprintf(&s.canon, msg_en(key), ap);
    if (n >= 0 && msg_lang() != MSG_EN)
        n = vasprintf(&s.shown, msg_t(key), again);
    va_end(again);
    va_end(ap);
    if (n < 0)
        xv_fatal("out of memory");
    return s;
}

char *rules_fmt(const char *f, ...)
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
