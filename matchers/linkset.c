/* linkset.c: a run's links as the linker stores them, mirrored in memory so that the rules
 * stage reads an application's links without a query (struct linked_set, linked.h). */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "../core/util.h"
#include "linked.h"

/* The classes in the order of LINK_RANK (linked.c): match, confirmed, possible, dismissed. */
enum { CLS_MATCH, CLS_CONFIRMED, CLS_POSSIBLE, CLS_DISMISSED };

struct linked_set_link {
    uint32_t app;          /* index in the set's applications */
    int idx;
    const char *kind;      /* the caller's (a kind's name), not copied */
    long long rid;
    int cls;
    double weight;         /* as stored: rounded to 1/1000 */
    int lv[F_NFIELDS];
    int via_resolved;
};

/* A person of an application, its strings in the set's arena. */
struct linked_set_person {
    uint32_t app;
    struct linked_person p;
};

/* The index of application ID in S, added when ADD; -1 when absent. */
static long app_of(struct linked_set *s, const char *id, int add)
{
    if (add && 2 * (s->napps + 1) > s->nslot) {
        size_t n = s->nslot ? 2 * s->nslot : 1024;
        uint32_t *slot = xcalloc(n, sizeof *slot);
        for (size_t a = 0; a < s->napps; a++) {
            size_t i = XXH3_64bits(s->apps[a], strlen(s->apps[a])) & (n - 1);
            while (slot[i])
                i = (i + 1) & (n - 1);
            slot[i] = (uint32_t)a + 1;
        }
        free(s->slot);
        s->slot = slot;
        s->nslot = n;
    }
    if (!s->nslot)
        return -1;
    size_t i = XXH3_64bits(id, strlen(id)) & (s->nslot - 1);
    for (; s->slot[i]; i = (i + 1) & (s->nslot - 1))
        if (!strcmp(s->apps[s->slot[i] - 1], id))
            return (long)s->slot[i] - 1;
    if (!add)
        return -1;
    if (s->napps % 1024 == 0)
        s->apps = xrealloc(s->apps, (s->napps + 1024) * sizeof *s->apps);
    s->apps[s->napps] = xstrdup(id);
    s->slot[i] = (uint32_t)s->napps + 1;
    return (long)s->napps++;
}

void linked_set_add(struct linked_set *s, const struct linked_link *l)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    struct linked_set_link *k = &s->v[s->n++];
    k->app = (uint32_t)app_of(s, l->app, 1);
    k->idx = l->idx;
    k->kind = l->kind;
    k->rid = l->rid;
    k->cls = l->match ? CLS_MATCH : CLS_POSSIBLE;
    k->weight = linked_weight(l->weight);
    memcpy(k->lv, l->lv, sizeof k->lv);
    k->via_resolved = l->via_resolved;
    s->grouped = 0;
}

void linked_set_add_person(struct linked_set *s, const struct linked_person *p)
{
    if (s->nps == s->capps) {
        s->capps = s->capps ? 2 * s->capps : 4096;
        s->ps = xrealloc(s->ps, s->capps * sizeof *s->ps);
    }
    struct linked_set_person *k = &s->ps[s->nps++];
    k->app = (uint32_t)app_of(s, p->app, 1);
    /* as the persons table gives it back (linked_put_person, linked_persons) */
    k->p = *p;
    k->p.app = s->apps[k->app];
    k->p.raw_name = p->raw_name ? p->raw_name : p->name;
    k->p.income = p->has_income ? p->income : 0;
    const char **text[] = { &k->p.relation, &k->p.id_no, &k->p.name, &k->p.raw_name,
                            &k->p.birth, &k->p.gender, &k->p.county };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        int never_null = i < 3 || i == 6;
        *text[i] = *text[i] ? arena_strdup(&s->texts, *text[i]) : never_null ? "" : NULL;
    }
    s->grouped = 0;
}

/* Sorts the N elements of SIZE bytes at *V by the application index each holds at byte AT
 * (counting sort: in the order they were added, within one); *FIRST (freed first) gets where
 * each of the NAPPS applications' elements start, and one past the last. */
static void by_app(void **v, size_t n, size_t size, size_t at, size_t napps, size_t **first)
{
    const char *from = *v;
    uint32_t app;
    free(*first);
    size_t *f = xcalloc(napps + 1, sizeof *f);
    for (size_t i = 0; i < n; i++) {
        memcpy(&app, from + i * size + at, sizeof app);
        f[app + 1]++;
    }
    for (size_t a = 0; a < napps; a++)
        f[a + 1] += f[a];
    size_t *next = xmalloc((napps + 1) * sizeof *next);
    memcpy(next, f, (napps + 1) * sizeof *next);
    char *to = xmalloc((n ? n : 1) * size);
    for (size_t i = 0; i < n; i++) {
        memcpy(&app, from + i * size + at, sizeof app);
        memcpy(to + next[app]++ * size, from + i * size, size);
    }
    free(next);
    free(*v);
    *v = to;
    *first = f;
}

/* Groups the links and the persons by application. */
static void group(struct linked_set *s)
{
    void *v = s->v, *ps = s->ps;
    by_app(&v, s->n, sizeof *s->v, offsetof(struct linked_set_link, app), s->napps, &s->first);
    by_app(&ps, s->nps, sizeof *s->ps, offsetof(struct linked_set_person, app), s->napps,
           &s->pfirst);
    s->v = v;
    s->cap = s->n;
    s->ps = ps;
    s->capps = s->nps;
    s->grouped = 1;
}

/* The orders links are read in, each a list of keys as in an ORDER BY: linked.c's queries
 * ("idx, kind, LINK_RANK, weight DESC, rid" and "idx, LINK_RANK DESC, kind, rid") and, within
 * an application, the links table's index ("idx, kind, rid"). */
enum key { K_END, K_IDX, K_KIND, K_RANK, K_RANK_DESC, K_WEIGHT_DESC, K_RID };
enum { ORDER_STORED = 2 };   /* after LINKED_BEST_FIRST and LINKED_BY_CLASS */
static const enum key orders[3][6] = {
    [LINKED_BEST_FIRST] = { K_IDX, K_KIND, K_RANK, K_WEIGHT_DESC, K_RID },
    [LINKED_BY_CLASS] = { K_IDX, K_RANK_DESC, K_KIND, K_RID },
    [ORDER_STORED] = { K_IDX, K_KIND, K_RID },
};

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* Compares two links (pointers to them) by the keys of ORDER, an array of enum key. */
static int cmp_links(const void *x, const void *y, void *order)
{
    const struct linked_set_link *a = *(const struct linked_set_link *const *)x,
                                 *b = *(const struct linked_set_link *const *)y;
    int c = 0;
    for (const enum key *k = order; *k != K_END && !c; k++)
        switch (*k) {
        case K_IDX: c = CMP(a->idx, b->idx); break;
        case K_KIND: c = strcmp(a->kind, b->kind); break;
        case K_RANK: c = CMP(a->cls, b->cls); break;
        case K_RANK_DESC: c = CMP(b->cls, a->cls); break;
        case K_WEIGHT_DESC: c = CMP(b->weight, a->weight); break;
        case K_RID: c = CMP(a->rid, b->rid); break;
        case K_END: break;
        }
    return c;
}

/* By ID, the applications of the set S. */
static int cmp_app(const void *x, const void *y, void *s)
{
    char **apps = ((struct linked_set *)s)->apps;
    return strcmp(apps[*(const uint32_t *)x], apps[*(const uint32_t *)y]);
}

/* Calls FN with L, its class as the linker gave it. */
static int give(const struct linked_set *s, const struct linked_set_link *k, linked_link_fn fn,
                void *ctx)
{
    struct linked_link l = {
        s->apps[k->app], k->idx, k->kind, k->rid,
        k->cls == CLS_MATCH || k->cls == CLS_CONFIRMED, k->weight, { 0 },
        k->cls == CLS_CONFIRMED ? LINKED_CONFIRMED
                                : k->cls == CLS_DISMISSED ? LINKED_DISMISSED : 0,
        k->via_resolved,
    };
    memcpy(l.lv, k->lv, sizeof l.lv);
    return fn(ctx, &l);
}

int linked_set_each_certain(struct linked_set *s, int idx, const char *kind, linked_link_fn fn,
                            void *ctx)
{
    int rc = 0;
    if (!s->grouped)
        group(s);
    for (size_t i = 0; i < s->n && rc >= 0; i++) {
        const struct linked_set_link *k = &s->v[i];
        if (k->idx == idx && (k->cls == CLS_MATCH || k->cls == CLS_CONFIRMED) &&
            !strcmp(k->kind, kind))
            rc = give(s, k, fn, ctx);
    }
    return rc < 0 ? rc : 0;
}

int linked_set_each_stored(struct linked_set *s, linked_link_fn fn, void *ctx)
{
    if (!s->grouped)
        group(s);
    uint32_t *apps = xmalloc((s->napps ? s->napps : 1) * sizeof *apps);
    const struct linked_set_link **t = xmalloc((s->n ? s->n : 1) * sizeof *t);
    int rc = 0;
    for (size_t a = 0; a < s->napps; a++)
        apps[a] = (uint32_t)a;
    qsort_r(apps, s->napps, sizeof *apps, cmp_app, s);
    for (size_t i = 0; i < s->napps && rc >= 0; i++) {
        size_t from = s->first[apps[i]], n = s->first[apps[i] + 1] - from;
        for (size_t j = 0; j < n; j++)
            t[j] = &s->v[from + j];
        qsort_r(t, n, sizeof *t, cmp_links, (void *)orders[ORDER_STORED]);
        for (size_t j = 0; j < n && rc >= 0; j++)
            rc = give(s, t[j], fn, ctx);
    }
    free(apps);
    free(t);
    return rc < 0 ? rc : 0;
}

/* APP's links in S: *FROM and the count; 0 when it has none. */
static size_t app_links(struct linked_set *s, const char *app, size_t *from)
{
    long a = app_of(s, app, 0);
    if (a < 0)
        return 0;
    if (!s->grouped)
        group(s);
    *from = s->first[a];
    return s->first[a + 1] - s->first[a];
}

int linked_set_links(struct linked_set *s, const char *app, int idx, enum linked_order order,
                     linked_link_fn fn, void *ctx)
{
    size_t from = 0, n = app_links(s, app, &from), m = 0;
    const struct linked_set_link *few[64], **t = n <= 64 ? few : xmalloc(n * sizeof *t);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (idx < 0 || s->v[from + i].idx == idx)
            t[m++] = &s->v[from + i];
    qsort_r(t, m, sizeof *t, cmp_links, (void *)orders[order]);
    for (size_t i = 0; i < m && rc >= 0; i++)
        rc = give(s, t[i], fn, ctx);
    if (t != few)
        free(t);
    return rc < 0 ? rc : 0;
}

static int cmp_person(const void *x, const void *y)
{
    const struct linked_set_person *a = *(const struct linked_set_person *const *)x,
                                   *b = *(const struct linked_set_person *const *)y;
    return CMP(a->p.idx, b->p.idx);
}

int linked_set_persons(struct linked_set *s, const char *app, linked_person_fn fn, void *ctx)
{
    long a = app_of(s, app, 0);
    if (a < 0)
        return 0;
    if (!s->grouped)
        group(s);
    size_t from = s->pfirst[a], n = s->pfirst[a + 1] - from;
    const struct linked_set_person *few[16], **t = n <= 16 ? few : xmalloc(n * sizeof *t);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        t[i] = &s->ps[from + i];
    qsort(t, n, sizeof *t, cmp_person);   /* by index, as the table is read */
    for (size_t i = 0; i < n && rc >= 0; i++)
        rc = fn(ctx, &t[i]->p);
    if (t != few)
        free(t);
    return rc < 0 ? rc : 0;
}

void linked_set_ready(struct linked_set *s)
{
    if (!s->grouped)
        group(s);
}

void linked_set_decide(struct linked_set *s, const char *app, int idx, const char *kind,
                       long long rid, int decided)
{
    size_t from = 0, n = app_links(s, app, &from);
    for (size_t i = from; i < from + n; i++) {
        struct linked_set_link *k = &s->v[i];
        if (k->idx == idx && k->rid == rid && k->cls == CLS_POSSIBLE && !strcmp(k->kind, kind))
            k->cls = decided == LINKED_CONFIRMED ? CLS_CONFIRMED : CLS_DISMISSED;
    }
}

int linked_set_best(struct linked_set *s, const char *app, int idx, const char *kind,
                    long long *rid)
{
    size_t from = 0, n = app_links(s, app, &from);
    const struct linked_set_link *best = NULL;
    for (size_t i = from; i < from + n; i++) {
        const struct linked_set_link *k = &s->v[i];
        if (k->idx != idx || (k->cls != CLS_MATCH && k->cls != CLS_CONFIRMED) ||
            strcmp(k->kind, kind))
            continue;
        if (!best || cmp_links(&k, &best, (void *)orders[LINKED_BEST_FIRST]) < 0)
            best = k;
    }
    if (best)
        *rid = best->rid;
    return best != NULL;
}

void linked_set_free(struct linked_set *s)
{
    for (size_t a = 0; a < s->napps; a++)
        free(s->apps[a]);
    free(s->apps);
    free(s->slot);
    free(s->v);
    free(s->first);
    free(s->ps);
    free(s->pfirst);
    arena_free(&s->texts);
    memset(s, 0, sizeof *s);
}
