/* link.c: Fellegi-Sunter linkage driven from the people: their blocking keys go into a hash
 * index, each feed is read once and every record probes it; no pair is compared twice. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/bkeys.h"
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/loads.h"
#include "../core/status.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../ingest/norm.h"
#include "compare.h"
#include "link.h"
#include "linked.h"

struct person {
    int app;               /* index in the application table */
    int idx;               /* 0: the applicant */
    char id[19];
    int id_valid;
    char *name, *raw_name; /* raw_name: NULL when written as normalised */
    char birth[11];        /* "" when unknown */
    char gender[4];        /* "男", "女" or "" */
    char *relation;
    double income;         /* declared monthly income, yuan; NAN when not given */
    /* the resolved identity: the ID of the household record of the person's best certain
     * household link so far ("" while none), whether it is valid, and the link's weight */
    char resolved[19];
    int resolved_valid;
    double resolved_w;
    int own;               /* the held household link of that record */
};

/* A person-record pair of the household register that a reviewer confirmed. */
struct confirmed {
    char *app;
    int idx;
    long long rid;
};

/* A household link held back until the register is read whole, with the record's ID. */
struct held {
    struct linked_link ll;
    uint32_t person;
    char id[19];
    int id_valid;
};

struct app {
    char *id;
    char county[7];
    /* not in the run's scope (a run narrowed by --applicant) but in scope as of the run: its
     * people are linked to the household register only, for their resolved identity (the
     * duplicate check), and nothing of them is stored with the run */
    int shadow;
};

/* Blocking keys -> persons: an open-addressing table of (64-bit key hash, person). */
struct kslot {
    uint64_t key;          /* 0: empty */
    uint32_t person;
};

struct linker {
    sqlite3 *db;
    const struct run *r;
    struct app *apps;
    int napps;
    struct person *ps;     /* on huge pages (xhuge_grow), CAPPS of them */
    int nps, capps;
    struct arena texts;    /* the people's names, raw names and relations */
    struct kslot *idx;
    size_t cap;
    double w_id[ID_NLEVELS], w_name[NAME_NLEVELS], w_birth[BIRTH_NLEVELS],
        w_gender[GENDER_NLEVELS], w_region[REGION_NLEVELS];
    struct linked_writer w;  /* the run's persons and links */
    struct link_stats *st;
    int name_field;        /* the name's place in applicant and member raw records */
    struct held *held;     /* the household register's links, held back until the register
                            * is read whole (one record per person) */
    int nheld, capheld;
    struct confirmed *conf; /* the household pairs reviewers confirmed, by app, idx, rid */
    int nconf;
    /* a run narrowed by --applicant links the household register in steps: want[i] says
     * person i is linked in this one (NULL: everyone the kind's scan links); a household
     * record read whose ID is one of ids (NULL: none) marks the people of other applications
     * it shares a key with */
    char *want;
    struct ids_scan *ids;
    struct linked_rows *kept;  /* the records read that someone may be linked to, for the
                                * rules stage, by kind (NULL: not kept) */
    /* a full run scans each feed in two halves, the second in a thread (struct part), whose
     * linker (buffered) keeps its links here, put into the run once the first is done */
    int split;
    int buffered;
    struct linked_link *buf;
    size_t nbuf, capbuf;
};

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
static const char *other_resolved(const struct person *p)
{
    return p->resolved[0] && strcmp(p->resolved, p->id) ? p->resolved : NULL;
}

/* 1 when person I may be a candidate in a scan to come, so belongs in the index: everyone in
 * a full run; in a narrowed run the people of the applications it checks, and those the step
 * at hand wants (l->want: in the register's last step, the people household_narrowed found
 * sharing a key with a register record of theirs). Nobody else is linked in a narrowed run,
 * and an index of 156,000 people (32 MB, built twice) was a tenth of a walk-in run. */
static int indexed(const struct linker *l, int i)
{
    return !l->apps[l->ps[i].app].shadow || (l->want && l->want[i]);
}

/* The index of the blocking keys of the people indexed() names: of the declared ID, and of
 * the resolved one once the household register has given it (the index is built again then).
 * Candidates are found by key, in the order of people, among those wanted (candidates): people
 * left out are people no scan wants. */
static void build_index(struct linker *l)
{
    size_t keys = 0;
    for (int i = 0; i < l->nps; i++)
        if (indexed(l, i))
            keys += other_resolved(&l->ps[i]) ? 10 : 5;
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
        if (other_resolved(p)) {
            n = bkeys_of(p->resolved, p->name, p->birth, k);
            for (int j = 0; j < n; j++)
                index_put(l, k[j], (uint32_t)i);
        }
    }
}

struct cand {
    uint32_t person;
    double weight;
    int lv[F_NFIELDS];
    int via_resolved;      /* the ID level is the resolved ID's, which scored better */
};

#define MAX_CANDS 64

static void add_cand(struct cand *c, int *n, uint32_t person)
{
    for (int i = 0; i < *n; i++)
        if (c[i].person == person)
            return;
    if (*n < MAX_CANDS)
        c[(*n)++].person = person;
}

/* Scores candidate C against the record's fields; outside the household register (RESOLVE),
 * the person's ID is the declared or the resolved one, whichever scores better. */
static void score(const struct linker *l, struct cand *c, int resolve, const char *id,
                  int id_valid, const char *name, const char *raw_name, const char *birth,
                  const char *gender, const char *region)
{
    const struct person *p = &l->ps[c->person];
    c->lv[F_ID] = cmp_id(p->id, p->id_valid, id, id_valid);
    c->via_resolved = 0;
    if (resolve && other_resolved(p)) {
        int lv = cmp_id(p->resolved, p->resolved_valid, id, id_valid);
        if (l->w_id[lv] > l->w_id[c->lv[F_ID]]) {
            c->lv[F_ID] = lv;
            c->via_resolved = 1;
        }
    }
    c->lv[F_NAME] = cmp_name(p->name, p->raw_name, name, raw_name);
    c->lv[F_BIRTH] = cmp_birth(p->birth[0] ? p->birth : NULL, birth);
    c->lv[F_GENDER] = cmp_gender(p->gender[0] ? p->gender : NULL, gender);
    c->lv[F_REGION] = cmp_region(l->apps[p->app].county, region);
    c->weight = l->w_id[c->lv[F_ID]] + l->w_name[c->lv[F_NAME]] + l->w_birth[c->lv[F_BIRTH]] +
                l->w_gender[c->lv[F_GENDER]] + l->w_region[c->lv[F_REGION]];
}

/* Holds back household link LL of person PERSON to a record with ID RID_ID. */
static void hold(struct linker *l, const struct linked_link *ll, uint32_t person,
                 const char *rid_id, int rid_valid)
{
    if (l->nheld == l->capheld) {
        l->capheld = l->capheld ? 2 * l->capheld : 1024;
        l->held = xrealloc(l->held, (size_t)l->capheld * sizeof *l->held);
    }
    struct held *h = &l->held[l->nheld++];
    h->ll = *ll;      /* its strings are the linker's own, which outlive the scan */
    h->person = person;
    snprintf(h->id, sizeof h->id, "%s", rid_id ? rid_id : "");
    h->id_valid = rid_valid;
}

static int add_confirmed(void *ctx, const char *app, int idx, long long rid)
{
    struct linker *l = ctx;
    if (l->nconf % 64 == 0)
        l->conf = xrealloc(l->conf, (size_t)(l->nconf + 64) * sizeof *l->conf);
    l->conf[l->nconf++] = (struct confirmed){ xstrdup(app), idx, rid };
    return 0;
}

static int cmp_confirmed(const void *x, const void *y)
{
    const struct confirmed *a = x, *b = y;
    int c = strcmp(a->app, b->app);
    if (c)
        return c;
    if (a->idx != b->idx)
        return a->idx < b->idx ? -1 : 1;
    return a->rid < b->rid ? -1 : a->rid > b->rid;
}

/* 1 when a reviewer confirmed held link H (as the run can see the decisions). */
static int is_confirmed(const struct linker *l, const struct held *h)
{
    const struct person *p = &l->ps[h->person];
    struct confirmed key = { l->apps[p->app].id, p->idx, h->ll.rid };
    return l->nconf && bsearch(&key, l->conf, (size_t)l->nconf, sizeof *l->conf, cmp_confirmed);
}

/* 1 when held link H cannot be a second registration of its person P, who is certainly
 * linked to their own household record: the register holds one record per person, so another
 * record is in doubt only when it could be the same person registered twice, its ID within
 * one edit of the person's record's (two valid IDs that differ are two people; an ID further
 * off is a typo of someone else's) and its name not a different one. */
static int someone_else(const struct person *p, const struct held *h)
{
    if (h->ll.lv[F_NAME] == NAME_DIFF)
        return 1;
    if (!p->resolved_valid)
        return 0;
    int lv = cmp_id(p->resolved, 1, h->id, h->id_valid);
    return lv == ID_OTHER || lv == ID_DIFF;
}

/* Stores the held household links: each person's own record (the best certain link) as a
 * link; any other, a possible link when it could be a second registration, else ruled out
 * (someone_else). A pair a reviewer confirmed is kept, and resolves the identity of a person
 * with no certain link. */
static int release_held(struct linker *l, int kidx)
{
    int rc = 0;
    /* each person's own record: the best certain link (the first, in rid order, of the best
     * weight); its ID is the resolved one. A record under another name whose ID is not the
     * person's exactly is no certain link, whatever the weight: a typo in a birth date makes
     * the ID of someone else born that day (a name change keeps the ID) */
    for (int i = 0; i < l->nheld; i++) {
        struct held *h = &l->held[i];
        struct person *p = &l->ps[h->person];
        if (h->ll.match && h->ll.lv[F_NAME] == NAME_DIFF && h->ll.lv[F_ID] != ID_EXACT)
            h->ll.match = 0;
        if (h->ll.match && h->ll.weight > p->resolved_w) {
            snprintf(p->resolved, sizeof p->resolved, "%s", h->id);
            p->resolved_valid = h->id_valid;
            p->resolved_w = h->ll.weight;
            p->own = i;
        }
    }
    for (int i = 0; i < l->nheld && rc == 0; i++) {
        struct held *h = &l->held[i];
        struct person *p = &l->ps[h->person];
        int confirmed = is_confirmed(l, h);
        if (confirmed && !p->resolved[0]) {
            snprintf(p->resolved, sizeof p->resolved, "%s", h->id);
            p->resolved_valid = h->id_valid;
        }
        if (l->apps[p->app].shadow)
            continue;   /* only its resolved identity */
        if (p->resolved_w > 0 && p->own != i && !confirmed) {
            /* one record per person: another is someone else's, or a second registration
             * of this person that a reviewer decides */
            if (someone_else(p, h)) {
                l->st->ruled_out++;
                continue;
            }
            h->ll.match = 0;
        }
        /* and the record's ID for the rules (a candidate has an 18-character one; any
         * other would be read again there, as it is stored) */
        rc = linked_put_link(&l->w, &h->ll);
        if (rc == 0 && strlen(h->id) == 18)
            rc = linked_put_record_id(&l->w, h->ll.rid, h->id);
        if (rc == 0) {
            if (h->ll.match)
                l->st->links[kidx]++;
            else
                l->st->possible[kidx]++;
        }
    }
    free(l->held);
    l->held = NULL;
    l->nheld = l->capheld = 0;
    return rc;
}

/* Link LL of kind KIDX: stored with the run, and counted; a part's (l->buffered), kept. */
static int put_link(struct linker *l, int kidx, const struct linked_link *ll)
{
    if (l->buffered) {
        if (l->nbuf == l->capbuf) {
            l->capbuf = l->capbuf ? 2 * l->capbuf : 1024;
            l->buf = xrealloc(l->buf, l->capbuf * sizeof *l->buf);
        }
        l->buf[l->nbuf++] = *ll;   /* its strings are the linker's own */
        return 0;
    }
    int rc = linked_put_link(&l->w, ll);
    if (rc == 0 && ll->match)
        l->st->links[kidx]++;
    else if (rc == 0)
        l->st->possible[kidx]++;
    return rc;
}

/* Stores the links of feed record RID of kind K (index KIDX) to the candidates C[0..NC) that
 * scored at least link.lower: one record belongs to one person, so within an application
 * only the best candidate stays. */
static int store_links(struct linker *l, const struct kind *k, int kidx, long long rid,
                       const char *rid_id, int rid_valid, const struct cand *c, int nc)
{
    int household = !strcmp(k->name, "household");
    double upper = l->r->pol.v[P_LINK_UPPER], lower = l->r->pol.v[P_LINK_LOWER];
    for (int i = 0; i < nc; i++) {
        if (c[i].weight < lower)
            continue;
        int best = 1;
        for (int j = 0; j < nc && best; j++)
            if (j != i && l->ps[c[j].person].app == l->ps[c[i].person].app &&
                c[j].weight > c[i].weight)
                best = 0;
        if (!best)
            continue;
        struct person *p = &l->ps[c[i].person];
        int match = c[i].weight >= upper;
        struct linked_link ll = { l->apps[p->app].id, p->idx, k->name, rid, match,
                                  c[i].weight, { 0 }, 0, c[i].via_resolved };
        memcpy(ll.lv, c[i].lv, sizeof ll.lv);
        if (household) {
            /* the register's links wait until it is read whole (release_held) */
            hold(l, &ll, c[i].person, rid_id, rid_valid);
            continue;
        }
        if (l->apps[p->app].shadow)
            continue;
        int rc = put_link(l, kidx, &ll);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* 1 when person P is linked in the scan at hand: of the household register (HOUSEHOLD)
 * everyone, of another feed the people of the applications the run checks; in a step of a
 * narrowed run (want), those the step links. */
static int wanted(const struct linker *l, uint32_t p, int household)
{
    if (l->want)
        return l->want[p];
    return household || !l->apps[l->ps[p].app].shadow;
}

/* The blocking keys of the record of ST's row (a fetch_entry row), into KK; returns how many
 * (0: the record has no usable ID or name). */
static int record_keys(sqlite3_stmt *st, uint64_t kk[5])
{
    const char *id = (const char *)sqlite3_column_text(st, 1);
    const char *name = (const char *)sqlite3_column_text(st, 3);
    if (!id || !name || strlen(id) != 18)
        return 0;
    const char *birth = (const char *)sqlite3_column_text(st, 5);
    char idbirth[11];
    if (!birth) {
        bkeys_birth_of_id(id, idbirth);
        birth = idbirth;
    }
    return bkeys_of(id, name, birth, kk);
}

/* The people whose blocking keys the record of ST's row shares, into C; returns how many.
 * People of shadow applications are candidates for household records only (HOUSEHOLD). */
static int candidates(const struct linker *l, sqlite3_stmt *st, int household, struct cand *c)
{
    uint64_t kk[5];
    int nk = record_keys(st, kk), nc = 0;
    for (int j = 0; j < nk; j++)
        for (size_t i = kk[j] & (l->cap - 1); l->idx[i].key; i = (i + 1) & (l->cap - 1))
            if (l->idx[i].key == kk[j] && wanted(l, l->idx[i].person, household))
                add_cand(c, &nc, l->idx[i].person);
    return nc;
}

/* Scores the candidates C[0..NC) against the record of ST's row as the feed wrote it. */
static void score_all(struct linker *l, sqlite3_stmt *st, int name_field, int has_birth,
                      int resolve, struct cand *c, int nc)
{
    const char *rawp;
    size_t rawn;
    char *raw_name = store_raw_field((const char *)sqlite3_column_text(st, 4), name_field,
                                     &rawp, &rawn) ? xstrndup(rawp, rawn) : NULL;
    for (int i = 0; i < nc; i++)
        score(l, &c[i], resolve, (const char *)sqlite3_column_text(st, 1),
              sqlite3_column_int(st, 2),
              (const char *)sqlite3_column_text(st, 3), raw_name,
              has_birth ? (const char *)sqlite3_column_text(st, 5) : NULL,
              (const char *)sqlite3_column_text(st, 6), (const char *)sqlite3_column_text(st, 7));
    free(raw_name);
}

/* The filter of the people a record of the kind may be linked to: for the household
 * register (HOUSEHOLD) everyone's, else the people of the applications the run checks. */
static void filter_build(const struct linker *l, int household, struct bkeys_set *f)
{
    size_t keys = 0;
    for (int i = 0; i < l->nps; i++)
        if (wanted(l, (uint32_t)i, household))
            keys += other_resolved(&l->ps[i]) ? 10 : 5;
    bkeys_set_init(f, keys);   /* a bit array in the cache for the few people of a narrowed run */
    for (int i = 0; i < l->nps; i++) {
        const struct person *p = &l->ps[i];
        if (!wanted(l, (uint32_t)i, household))
            continue;
        uint64_t k[5];
        int n = bkeys_of(p->id, p->name, p->birth, k);
        for (int j = 1; j < n; j++)   /* not the full ID: its first 17 characters meet */
            bkeys_set_add(f, bkeys_short(k[j]));
        if (other_resolved(p)) {
            n = bkeys_of(p->resolved, p->name, p->birth, k);
            for (int j = 1; j < n; j++)
                bkeys_set_add(f, bkeys_short(k[j]));
        }
    }
}

/* The latest period (YYYYMM) kind KIDX has by the run's as-of month, as text. */
static void put_period(struct linker *l, int kidx, uint32_t ym)
{
    if (ym)
        snprintf(l->st->last_period[kidx], sizeof l->st->last_period[kidx], "%04u-%02u",
                 ym / 100 % 10000, ym % 100);
}

static void mark_sharing(struct ids_scan *s, sqlite3_stmt *st);

/* The columns of prepare_fetch's rows: the raw values, the load, the kind's first column. */
enum { FETCH_RAW = 4, FETCH_LOAD = 9, FETCH_COLS = 10 };

/* Reads the version of kind K at RID (entry E) with ST (prepare_fetch); XV_ELOCKED when the
 * table has no version there from the entry's load. */
static int fetch_entry(sqlite3_stmt *st, const struct kind *k, int64_t rid,
                       const struct bkeys_entry *e)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rid);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int64(st, FETCH_LOAD) != e->load)
        return xv_fail(XV_ELOCKED, "'%s_keys' does not agree with '%s' at record %lld: the "
                       "database was changed outside xverify ('xverify check' tells more)",
                       k->name, k->name, (long long)rid);
    return 0;
}

/* One version the run sees whose keys may meet someone's: read, and compared as stored. */
static int scan_entry(struct linker *l, const struct kind *k, sqlite3_stmt *st, int64_t rid,
                      const struct bkeys_entry *e)
{
    int kidx = (int)(k - xv_kinds), household = !strcmp(k->name, "household");
    struct cand c[MAX_CANDS];
    l->st->read++;
    int rc = fetch_entry(st, k, rid, e);
    if (rc < 0)
        return rc;
    if (household && l->ids)
        mark_sharing(l->ids, st);
    int nc = candidates(l, st, household, c);
    if (!nc)
        return 0;
    score_all(l, st, kind_col(k, "name"), kind_col(k, "birth_date") >= 0, !household, c, nc);
    if (l->kept) {
        double lower = l->r->pol.v[P_LINK_LOWER];
        for (int i = 0; i < nc; i++)   /* a narrowed run's other applications are not checked */
            if (c[i].weight >= lower && !l->apps[l->ps[c[i].person].app].shadow) {
                linked_rows_add(&l->kept[kidx], rid, st, FETCH_LOAD, FETCH_RAW, FETCH_COLS,
                                k->ncols);
                break;
            }
    }
    return store_links(l, k, kidx, rid, (const char *)sqlite3_column_text(st, 1),
                       sqlite3_column_int(st, 2), c, nc);
}

/* A record of kind K by rid, with the columns the linker compares (candidates, score_all),
 * its load, then every column of the kind in order (what the rules stage reads: the row is
 * in the page read anyway). */
static int prepare_fetch(sqlite3 *db, const struct kind *k, sqlite3_stmt **st)
{
    struct sbuf sql = SBUF_INIT;
    sbuf_addf(&sql, "SELECT rid, id_no, id_no_valid, name, raw, %s, %s, %s, %s, load_id",
              kind_col(k, "birth_date") >= 0 ? "birth_date" : "NULL",
              kind_col(k, "gender") >= 0 ? "gender" : "NULL",
              kind_col(k, "region_code") >= 0 ? "region_code" : "NULL",
              kind_col(k, "period") >= 0 ? "period" : "NULL");
    for (int j = 0; j < k->ncols; j++)
        sbuf_addf(&sql, ", %s", k->cols[j].name);
    sbuf_addf(&sql, " FROM %s WHERE rid=?1", k->name);
    int rc = store_prepare(db, sql.s, st);
    sbuf_free(&sql);
    return rc;
}

/* Reads kind K's entries of rids FROM to TO - 1 in <kind>_keys; a version the run can see
 * whose keys may meet someone's (the filter F) is read from the kind's table and compared as
 * it is stored. PERIODS: *LAST gets the latest period of a version the run sees, where the
 * kind has periods, up to the as-of month. TTY: progress is shown. */
static int scan_range(struct linker *l, const struct kind *k, const struct bkeys_set *f,
                      int periods, int64_t from, int64_t to, uint32_t *lastp, int tty)
{
    int kidx = (int)(k - xv_kinds), rc;
    uint32_t as_of_ym = (uint32_t)(atoi(l->r->as_of) * 100 + atoi(l->r->as_of + 5)), last = 0;
    sqlite3_stmt *st = NULL;
    struct bkeys_cursor cur = { 0 };
    if ((rc = prepare_fetch(l->db, k, &st)) < 0 ||
        (rc = bkeys_open(l->db, k, l->r->load_of[kidx], from, to, &cur)) < 0)
        goto done;
    while ((rc = bkeys_next(&cur)) > 0) {
        if (tty && cur.no % 400 == 0)
            fprintf(stderr, "\rxverify: linking: %s, %lld records' keys read", k->name,
                    (long long)cur.no * BKEYS_RIDS);
        for (int j = cur.j0; j < cur.j1; j++) {
            /* most entries fail the filter at once; only the others are looked at whole */
            int meets = 0;
            for (int q = 0; q < 4 && !meets; q++) {
                uint32_t key = bkeys_key(cur.row, j, q);
                meets = key && bkeys_set_has(f, key);
            }
            uint32_t ym = periods ? bkeys_key(cur.row, j, 5) : 0;
            int later = ym > last && ym <= as_of_ym;
            if (!meets && !later)
                continue;
            struct bkeys_entry e;
            int64_t rid = cur.no * BKEYS_RIDS + j;
            bkeys_get(cur.row + (size_t)j * BKEYS_SIZE, &e);
            int sees = bkeys_sees(&cur, rid, &e);
            if (sees < 0) {
                rc = sees;
                goto done;
            }
            if (!sees)
                continue;
            if (later)
                last = ym;
            if (meets && (rc = scan_entry(l, k, st, rid, &e)) < 0)
                goto done;
        }
    }
    *lastp = last;
done:
    bkeys_close(&cur);
    sqlite3_finalize(st);
    return rc;
}

/* The second half of a kind's scan in a full run, in a thread of its own beside the first,
 * on a read-only connection of its own: the feed's tables are committed, and a reader does
 * not wait for the run's transaction (write-ahead log). Its linker is a copy of the run's
 * that keeps what it finds (links, held household links, kept records, the read count);
 * part_finish puts that into the run after the first half's, so the run gets everything in
 * rid order, as from one scan. A run narrowed by --applicant is not split: its scans are
 * mostly the keys copied out of the page cache, which two threads did no faster here (1.07 x
 * the wall time of one), and each part opens a connection. */
struct part {
    pthread_t thread;
    char *path;
    struct linker l;
    struct link_stats st;
    struct linked_rows kept[RUN_MAX_KINDS];
    const struct kind *k;
    const struct bkeys_set *f;
    int periods;
    int64_t from;
    uint32_t last;
    int rc;                 /* 0, or the XV_* code of MSG (the thread's error context) */
    char msg[1024];
};

static void *part_thread(void *arg)
{
    struct part *p = arg;
    sqlite3 *db = NULL;
    long long was;
    xv_error_hold(1);
    if (store_open_beside(p->path, "linking", &db) == 0) {
        p->l.db = db;
        if (store_cache_set(db, BKEYS_CACHE_KIB, &was) == 0)
            scan_range(&p->l, p->k, p->f, p->periods, p->from, INT64_MAX, &p->last, 0);
    }
    xv_error_take(&p->rc, p->msg, sizeof p->msg);
    xv_error_hold(0);
    sqlite3_close(db);
    return NULL;
}

/* Where kind K's scan is cut in two: *MID, the first rid of the second half (0: it is not,
 * for a kind of fewer than two versions). The rids run from 1 to the largest: the halves'
 * sizes differ by 0 or 1. */
static int part_mid(struct linker *l, const struct kind *k, int64_t *mid)
{
    char sql[96];
    long long top = 0;
    *mid = 0;
    snprintf(sql, sizeof sql, "SELECT coalesce(max(rid), 0) FROM %s", k->name);
    int rc = store_int(l->db, sql, NULL, NULL, &top);
    if (rc < 0)
        return rc;
    *mid = top >= 2 ? (top + 1) / 2 + 1 : 0;
    return 0;
}

/* Starts the scan of kind K's rids from MID on (part_thread); *OUT gets NULL when no thread
 * could be started, and the first half then goes on to the end. */
static void part_start(struct linker *l, const struct kind *k, const struct bkeys_set *f,
                       int periods, int64_t mid, struct part **out)
{
    struct part *p = xcalloc(1, sizeof *p);
    p->path = xstrdup(sqlite3_db_filename(l->db, "main"));
    p->l = *l;
    p->l.st = &p->st;
    p->l.held = NULL;
    p->l.nheld = p->l.capheld = 0;
    p->l.kept = l->kept ? p->kept : NULL;
    p->l.buffered = 1;
    p->l.buf = NULL;
    p->l.nbuf = p->l.capbuf = 0;
    memset(&p->l.w, 0, sizeof p->l.w);
    p->k = k;
    p->f = f;
    p->periods = periods;
    p->from = mid;
    if (pthread_create(&p->thread, NULL, part_thread, p) != 0) {
        free(p->path);
        free(p);
        p = NULL;
    }
    *out = p;
}

/* Joins part P (NULL: none) and, when the first half went well (RC 0), puts what the part
 * found into the run after the first half's, in rid order; *LAST becomes the latest period
 * of both. Returns the first error in rid order. Frees P. */
static int part_finish(struct linker *l, struct part *p, int kidx, int rc, uint32_t *last)
{
    if (!p)
        return rc;
    pthread_join(p->thread, NULL);
    if (rc == 0 && p->rc < 0) {
        xv_error_adopt(p->rc, p->msg);
        rc = xv_error_raise();
    }
    for (size_t i = 0; i < p->l.nbuf && rc == 0; i++)
        rc = put_link(l, kidx, &p->l.buf[i]);
    for (int i = 0; i < p->l.nheld && rc == 0; i++) {
        const struct held *h = &p->l.held[i];
        hold(l, &h->ll, h->person, h->id, h->id_valid);
    }
    for (int i = 0; i < RUN_MAX_KINDS; i++) {
        for (size_t j = 0; j < p->kept[i].n && rc == 0 && l->kept; j++) {
            linked_rows_put(&l->kept[i], p->kept[i].rid[j], p->kept[i].row[j]);
            p->kept[i].row[j] = NULL;   /* the run's now */
        }
        linked_rows_free(&p->kept[i]);
    }
    l->st->read += p->st.read;
    if (p->last > *last)
        *last = p->last;
    free(p->l.held);
    free(p->l.buf);
    free(p->path);
    free(p);
    return rc;
}

/* Reads kind K's entries of <kind>_keys; a version the run can see whose keys may meet
 * someone's is read from the kind's table and compared as it is stored: the first half of
 * the rids here, the second in a thread beside it (struct part). COUNT: the first scan of the
 * kind, which counts the versions the run sees (by the loads' counts) and finds the latest
 * period, where the kind has periods. */
static int scan_kind(struct linker *l, const struct kind *k, int count)
{
    int kidx = (int)(k - xv_kinds), rc, tty = isatty(STDERR_FILENO);
    int periods = count && kind_col(k, "period") >= 0;
    long long load = l->r->load_of[kidx], seen = 0;
    uint32_t last = 0;
    int64_t mid = 0;
    struct bkeys_set f = { 0 };
    struct part *p = NULL;
    if (!load)
        return 0;
    if (count && (rc = loads_open_as_of(l->db, k->name, load, &seen)) < 0)
        return rc;
    l->st->records += seen;
    filter_build(l, !strcmp(k->name, "household"), &f);
    if (l->split > 0 && (rc = part_mid(l, k, &mid)) < 0)
        goto done;
    if (mid > 0)
        part_start(l, k, &f, periods, mid, &p);
    rc = scan_range(l, k, &f, periods, 0, p ? mid : INT64_MAX, &last, tty);
    if ((rc = part_finish(l, p, kidx, rc, &last)) == 0 && periods)
        put_period(l, kidx, last);
done:
    if (tty)
        fputs("\r\033[K", stderr);   /* the progress line goes */
    bkeys_set_free(&f);
    return rc;
}

struct ids_scan {
    struct linker *l;
    sqlite3_stmt *fetch;
    struct bkeys_set f;    /* the short first-17 keys of IDS */
    char (*ids)[19];
    int nids;
    uint64_t *keys;        /* the blocking keys of the register records read whose ID is one of
                            * IDS (mark_sharing), sorted by mark_people */
    size_t nkeys, capkeys;
};

/* When the household record of ST's row has one of S's IDs, keeps its blocking keys: the
 * people of other applications who share one are linked too (mark_people). */
static void mark_sharing(struct ids_scan *s, sqlite3_stmt *st)
{
    const char *id = (const char *)sqlite3_column_text(st, 1);
    int one = 0;
    for (int i = 0; id && i < s->nids && !one; i++)
        one = !strcmp(id, s->ids[i]);
    uint64_t kk[5];
    int nk = one ? record_keys(st, kk) : 0;
    for (int j = 0; j < nk; j++) {
        if (s->nkeys == s->capkeys) {
            s->capkeys = s->capkeys ? 2 * s->capkeys : 64;
            s->keys = xrealloc(s->keys, s->capkeys * sizeof *s->keys);
        }
        s->keys[s->nkeys++] = kk[j];
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Marks in MARK (zeroed) the people of other applications who share a blocking key (of their
 * declared ID: they are not linked yet) with a record mark_sharing kept; returns 1 when there
 * is one. */
static int mark_people(struct ids_scan *s, char *mark)
{
    const struct linker *l = s->l;
    int any = 0;
    if (!s->nkeys)
        return 0;
    qsort(s->keys, s->nkeys, sizeof *s->keys, cmp_u64);
    for (int i = 0; i < l->nps; i++) {
        const struct person *p = &l->ps[i];
        if (!l->apps[p->app].shadow)
            continue;
        uint64_t k[5];
        int n = bkeys_of(p->id, p->name, p->birth, k);
        for (int j = 0; j < n && !mark[i]; j++)
            mark[i] = bsearch(&k[j], s->keys, s->nkeys, sizeof *s->keys, cmp_u64) != NULL;
        any |= mark[i];
    }
    return any;
}

/* A household version the run sees whose first 17 characters may be one of the IDs: read,
 * and its keys kept by mark_sharing. */
static int ids_entry(void *ctx, int64_t rid, const struct bkeys_entry *e)
{
    struct ids_scan *s = ctx;
    int rc = fetch_entry(s->fetch, kind_find("household"), rid, e);
    if (rc == 0)
        mark_sharing(s, s->fetch);
    return rc;
}

/* The household register for a run narrowed by --applicant. Of the applications it does not
 * check, a person's resolved identity matters only where it is the declared or resolved ID
 * of someone it checks (DUPLICATE_APPLICATION), and then it is the ID of a register record
 * that person shares a key with. So: the people of the applications checked are linked; the
 * register's records whose ID is one of theirs, declared or resolved, are read; the people
 * of other applications who share a key with one of those are linked and resolved; nobody
 * else is. Each step reads only the register's keys and the records that may meet. The index
 * holds the people checked, then (built again) those too. */
static int household_narrowed(struct linker *l, const struct kind *k)
{
    struct ids_scan s = { l, NULL, { 0 }, NULL, 0, NULL, 0, 0 };
    int kidx = (int)(k - xv_kinds), rc;
    l->want = xcalloc((size_t)l->nps + 1, 1);
    s.ids = xcalloc((size_t)l->nps + 1, sizeof *s.ids);
    /* the people checked, and the records of their declared IDs, which they all meet */
    for (int i = 0; i < l->nps; i++) {
        l->want[i] = !l->apps[l->ps[i].app].shadow;
        if (l->want[i] && strlen(l->ps[i].id) == 18)
            memcpy(s.ids[s.nids++], l->ps[i].id, 19);
    }
    l->ids = &s;
    rc = scan_kind(l, k, 1);
    l->ids = NULL;
    if (rc < 0 || (rc = release_held(l, kidx)) < 0)
        goto done;
    /* the records of the IDs they resolved to, where those are others */
    s.nids = 0;
    for (int i = 0; i < l->nps; i++) {
        const struct person *p = &l->ps[i];
        if (l->want[i] && p->resolved[0] && strcmp(p->resolved, p->id))
            memcpy(s.ids[s.nids++], p->resolved, 19);
    }
    if (s.nids) {
        bkeys_set_init(&s.f, (size_t)s.nids);
        for (int i = 0; i < s.nids; i++) {
            uint64_t kk[5];
            bkeys_of(s.ids[i], "", "", kk);
            bkeys_set_add(&s.f, bkeys_short(kk[1]));
        }
        if ((rc = prepare_fetch(l->db, k, &s.fetch)) < 0 ||
            (rc = bkeys_each_in(l->db, k, l->r->load_of[kidx], 0, &s.f, ids_entry, &s)) < 0)
            goto done;
    }
    /* the people of other applications who share a key with one of those records: the last
     * step wants them alone */
    memset(l->want, 0, (size_t)l->nps);
    if (mark_people(&s, l->want)) {
        build_index(l);
        if ((rc = scan_kind(l, k, 0)) == 0)
            rc = release_held(l, kidx);
    }
done:
    sqlite3_finalize(s.fetch);
    bkeys_set_free(&s.f);
    free(s.ids);
    free(s.keys);
    free(l->want);
    l->want = NULL;
    return rc;
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
    build_index(&l);
    int hh = kind_index("household");
    if ((rc = confirmed(db, r->decision_seq, "household", add_confirmed, &l)) < 0)
        goto done;
    if (l.nconf > 1)
        qsort(l.conf, (size_t)l.nconf, sizeof *l.conf, cmp_confirmed);
    if (nonly)
        rc = household_narrowed(&l, &xv_kinds[hh]);
    else if ((rc = scan_kind(&l, &xv_kinds[hh], 1)) == 0)
        rc = release_held(&l, hh);
    if (rc == 0)
        build_index(&l);   /* the other feeds link only the people checked */
    for (int i = 0; i < xv_nkinds && rc == 0; i++)
        if (kind_is_feed(&xv_kinds[i]) && i != hh)
            rc = scan_kind(&l, &xv_kinds[i], 1);
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
