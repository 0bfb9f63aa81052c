/* link.c: Fellegi-Sunter linkage driven from the people: their blocking keys go into a hash
 * index, each feed is read once and every record probes it; no pair is compared twice. This
 * file gathers the people, indexes their keys and runs the stage (link_run); the scores are
 * link_score.c's, the feeds' scans link_scan.c's, a narrowed run's register link_narrow.c's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/status.h"
#include "../core/store.h"
#include "link_int.h"

static void index_free(struct linker *l)
{
    xhuge_free(l->idx, l->cap * sizeof *l->idx);
    l->idx = NULL;
}

/* Makes l->idx an empty table of CAP slots, on huge pages (xhuge_grow): the index of 156,000
 * people is 32 MB, and on the bench's machine the first touch of each 4 KiB page cost about
 * 6 us (a tenth of a walk-in run). The next build of the same size reuses the table. */
static void index_reset(struct linker *l, size_t cap)
{
    if (l->idx && cap == l->cap) {
        memset(l->idx, 0, cap * sizeof *l->idx);
        return;
    }
    index_free(l);
    l->cap = cap;
    l->idx = xhuge_grow(NULL, 0, cap * sizeof *l->idx);
}

static void index_put(struct linker *l, uint64_t key, uint32_t person)
{
    size_t i = key & (l->cap - 1);
    while (l->idx[i].key) {
        if (l->idx[i].key == key && l->idx[i].person == person)
            return;
        i = (i + 1) & (l->cap - 1);
    }
    l->idx[i].key = key;
    l->idx[i].person = person;
}

/* Column I of ST (NULL for a NULL), copied into A. */
static char *col_text(struct arena *a, sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? arena_strndup(a, t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

/* Field FIELD of the raw values in column COL of ST (NULL when there is none), copied into A. */
static char *raw_of(struct arena *a, sqlite3_stmt *st, int col, int field)
{
    const char *p;
    size_t n;
    const char *raw = (const char *)sqlite3_column_text(st, col);
    return store_raw_field(raw, field, &p, &n) ? arena_strndup(a, p, n) : NULL;
}

static int add_person(struct linker *l, int app, int idx, sqlite3_stmt *st, int c_id, int c_valid,
                      int c_name, int c_raw, int c_income, const char *relation,
                      const char *gender, const char *birth)
{
    if (l->nps == l->capps) {
        /* room for a million people first (about 130 MB of address space, of which only what
         * is filled is touched: 20 MB for 156,000), so that a city's people are not copied
         * into each larger mapping */
        int cap = l->capps ? 2 * l->capps : 1 << 20;
        l->ps = xhuge_grow(l->ps, (size_t)l->capps * sizeof *l->ps, (size_t)cap * sizeof *l->ps);
        l->capps = cap;
    }
    struct person *p = &l->ps[l->nps++];
    memset(p, 0, sizeof *p);
    p->app = app;
    p->idx = idx;
    snprintf(p->id, sizeof p->id, "%s", (const char *)sqlite3_column_text(st, c_id));
    p->id_valid = sqlite3_column_int(st, c_valid);
    p->name = col_text(&l->texts, st, c_name);
    p->raw_name = raw_of(&l->texts, st, c_raw, l->name_field);
    p->relation = arena_strdup(&l->texts, relation);
    p->income = sqlite3_column_type(st, c_income) == SQLITE_NULL ? NAN
                                                                 : sqlite3_column_double(st, c_income);
    if (birth && *birth)
        snprintf(p->birth, sizeof p->birth, "%s", birth);
    else
        bkeys_birth_of_id(p->id, p->birth);
    if (gender && *gender)
        snprintf(p->gender, sizeof p->gender, "%s", gender);
    else if (strlen(p->id) == 18)
        snprintf(p->gender, sizeof p->gender, "%s", (p->id[16] - '0') % 2 ? "男" : "女");
    return 0;
}

static int find_app(const struct linker *l, const char *id)
{
    int lo = 0, hi = l->napps;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(l->apps[mid].id, id);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The applications in scope (status applied or archived as of the run) and their people. */
static int gather(struct linker *l, char **only, int nonly)
{
    sqlite3_stmt *st = NULL;
    int rc;
    const struct run *r = l->r;
    long long app_load = r->load_of[kind_index("applicant")];
    long long mem_load = r->load_of[kind_index("member")];
    if (nonly > 1)
        qsort(only, (size_t)nonly, sizeof *only, cmp_str);
    /* SQL text is fixed; values are bound. Ordered by applicant_id with the byte order
     * strcmp uses (BINARY collation), so the binary search below agrees with it. */
    if ((rc = store_prepare(l->db,
             "SELECT a.applicant_id, a.id_no, a.id_no_valid, a.name, a.raw, a.gender, "
             "a.birth_date, a.county_code, a.declared_income FROM applicant a WHERE "
             RUN_VISIBLE("applicant", "a", "?1") " AND "
             STATUS_SCOPED("a.applicant_id", "?2", "?3", "?4") " IS NOT NULL "
             "ORDER BY a.applicant_id", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, app_load);
    sqlite3_bind_int64(st, 2, r->status_seq);
    sqlite3_bind_text(st, 3, r->status_on, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (long long)r->pol.v[P_RELAPSE_MONTHS]);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *aid = (const char *)sqlite3_column_text(st, 0);
        if (l->napps % 256 == 0)
            l->apps = xrealloc(l->apps, (size_t)(l->napps + 256) * sizeof *l->apps);
        struct app *a = &l->apps[l->napps++];
        a->shadow = nonly && !bsearch(&aid, only, (size_t)nonly, sizeof *only, cmp_str);
        a->id = xstrdup(aid);
        snprintf(a->county, sizeof a->county, "%s", sqlite3_column_text(st, 7));
        add_person(l, l->napps - 1, 0, st, 1, 2, 3, 4, 8, "申请人",
                   (const char *)sqlite3_column_text(st, 5),
                   (const char *)sqlite3_column_text(st, 6));
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(l->db, "reading applications");
    for (int i = 0; i < nonly; i++)
        if (find_app(l, only[i]) < 0 || l->apps[find_app(l, only[i])].shadow)
            return xv_fail(XV_EUSAGE, "no application '%s' in scope (status applied, notice, "
                           "archived or relieved, or exited within relapse.months) on %s",
                           only[i], r->status_on);
    if ((rc = store_prepare(l->db,
             "SELECT applicant_id, id_no, id_no_valid, name, raw, relation, declared_income FROM member "
             "WHERE " RUN_VISIBLE("member", "member", "?1") " ORDER BY applicant_id, rid",
             &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, mem_load);
    int last = -1, idx = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        int app = find_app(l, (const char *)sqlite3_column_text(st, 0));
        if (app < 0)
            continue;
        idx = app == last ? idx + 1 : 1;
        last = app;
        add_person(l, app, idx, st, 1, 2, 3, 4, 6, (const char *)sqlite3_column_text(st, 5),
                   NULL, NULL);
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(l->db, "reading members");
    for (int i = 0; i < l->napps; i++)
        l->st->applications += !l->apps[i].shadow;
    for (int i = 0; i < l->nps; i++)
        l->st->persons += !l->apps[l->ps[i].app].shadow;
    return 0;
}

static int store_persons(struct linker *l)
{
    int rc = 0;
    for (int i = 0; i < l->nps && rc == 0; i++) {
        const struct person *p = &l->ps[i];
        if (l->apps[p->app].shadow)
            continue;
        struct linked_person lp = {
            l->apps[p->app].id, p->idx, p->relation, p->id, p->id_valid, p->name, p->raw_name,
            p->birth[0] ? p->birth : NULL, p->gender[0] ? p->gender : NULL,
            l->apps[p->app].county, !isnan(p->income), isnan(p->income) ? 0 : p->income,
        };
        rc = linked_put_person(&l->w, &lp);
    }
    return rc;
}

/* A person's resolved ID when it is not the declared one, else NULL. */
const char *link_other_resolved(const struct person *p)
{
    return p->resolved[0] && strcmp(p->resolved, p->id) ? p->resolved : NULL;
}

/* 1 when person I may be a candidate in a scan to come, so belongs in the index: everyone in
 * a full run; in a narrowed run the people of the applications it checks, and those the step
 * at hand wants (l->want: in the register's last step, the people link_household_narrowed found
 * sharing a key with a register record of theirs). Nobody else is linked in a narrowed run,
 * and an index of 156,000 people (32 MB, built twice) was a tenth of a walk-in run. */
static int indexed(const struct linker *l, int i)
{
    return !l->apps[l->ps[i].app].shadow || (l->want && l->want[i]);
}

/* The index of the blocking keys of the people indexed() names: of the declared ID, and of
 * the resolved one once the household register has given it (the index is built again then).
 * Candidates are found by key, in the order of people, among those wanted (link_candidates): people
 * left out are people no scan wants. */
void link_build_index(struct linker *l)
{
    size_t keys = 0;
    for (int i = 0; i < l->nps; i++)
        if (indexed(l, i))
            keys += link_other_resolved(&l->ps[i]) ? 10 : 5;
    size_t cap = 1024;
    while (cap < keys * 2)
        cap *= 2;
    index_reset(l, cap);
    for (int i = 0; i < l->nps; i++) {
        const struct person *p = &l->ps[i];
        if (!indexed(l, i))
            continue;
        uint64_t k[5];
        int n = bkeys_of(p->id, p->name, p->birth, k);
        for (int j = 0; j < n; j++)
            index_put(l, k[j], (uint32_t)i);
        if (link_other_resolved(p)) {
            n = bkeys_of(p->resolved, p->name, p->birth, k);
            for (int j = 0; j < n; j++)
                index_put(l, k[j], (uint32_t)i);
        }
    }
}

int link_run(sqlite3 *db, const struct run *r, char **only, int nonly,
             link_confirmed_fn confirmed, struct linked_handoff *out, struct link_stats *st)
{
    struct linker l;
    long long cache_was = 0;
    int rc, cache_set = 0;
    memset(&l, 0, sizeof l);
    memset(st, 0, sizeof *st);
    l.db = db;
    l.kept = out ? out->kept : NULL;
    l.r = r;
    l.st = st;
    l.name_field = kind_col(kind_find("applicant"), "name");
    for (int i = 0; i < ID_NLEVELS; i++)
        l.w_id[i] = cmp_weight(&r->pol, F_ID, i);
    for (int i = 0; i < NAME_NLEVELS; i++)
        l.w_name[i] = cmp_weight(&r->pol, F_NAME, i);
    for (int i = 0; i < BIRTH_NLEVELS; i++)
        l.w_birth[i] = cmp_weight(&r->pol, F_BIRTH, i);
    for (int i = 0; i < GENDER_NLEVELS; i++)
        l.w_gender[i] = cmp_weight(&r->pol, F_GENDER, i);
    for (int i = 0; i < REGION_NLEVELS; i++)
        l.w_region[i] = cmp_weight(&r->pol, F_REGION, i);
    /* linking is passes over the feeds' entries and reads of records in rid order */
    if ((rc = store_cache_set(db, BKEYS_CACHE_KIB, &cache_was)) < 0)
        goto done;
    cache_set = 1;
    if ((rc = gather(&l, only, nonly)) < 0)
        goto done;
    /* a full run splits its scans where a second connection can read beside it */
    if (nonly == 0 && (l.split = store_readable_beside(db)) < 0) {
        rc = l.split;
        goto done;
    }
    if ((rc = linked_writer_open(db, r->id, &l.w)) < 0)
        goto done;
    l.w.set = out ? &out->links : NULL;
    if ((rc = store_persons(&l)) < 0)
        goto done;
    /* the household register first: it resolves identities, and the index gets the
     * resolved IDs' keys before the other feeds are read */
    link_build_index(&l);
    int hh = kind_index("household");
    if ((rc = confirmed(db, r->decision_seq, "household", link_add_confirmed, &l)) < 0)
        goto done;
    if (l.nconf > 1)
        qsort(l.conf, (size_t)l.nconf, sizeof *l.conf, link_cmp_confirmed);
    if (nonly)
        rc = link_household_narrowed(&l, &xv_kinds[hh]);
    else if ((rc = link_scan_kind(&l, &xv_kinds[hh], 1)) == 0)
        rc = link_release_held(&l, hh);
    if (rc == 0)
        link_build_index(&l);   /* the other feeds link only the people checked */
    for (int i = 0; i < xv_nkinds && rc == 0; i++)
        if (kind_is_feed(&xv_kinds[i]) && i != hh)
            rc = link_scan_kind(&l, &xv_kinds[i], 1);
    for (int i = 0; i < l.nps && rc == 0; i++)
        if (l.apps[l.ps[i].app].shadow && l.ps[i].resolved[0])
            rc = linked_put_resolved(&l.w, l.apps[l.ps[i].app].id, l.ps[i].id, l.ps[i].resolved);
    if (rc == 0)
        rc = linked_writer_flush(&l.w);
done:
    if (cache_set) {
        int restored = store_cache_restore(db, cache_was);
        if (rc == 0)
            rc = restored;
    }
    linked_writer_close(&l.w);
    arena_free(&l.texts);
    xhuge_free(l.ps, (size_t)l.capps * sizeof *l.ps);
    for (int i = 0; i < l.napps; i++)
        free(l.apps[i].id);
    free(l.apps);
    index_free(&l);
    free(l.held);
    for (int i = 0; i < l.nconf; i++)
        free(l.conf[i].app);
    free(l.conf);
    return rc;
}
