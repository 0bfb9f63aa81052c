/* link_score.c: the linker's candidates and scores: the people a record's keys meet, their
 * Fellegi-Sunter weights, and the links kept (within an application the best; the household
 * register's held until it is read whole, one record a person). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/store.h"
#include "link_int.h"

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
    if (resolve && link_other_resolved(p)) {
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
void link_hold(struct linker *l, const struct linked_link *ll, uint32_t person,
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

int link_add_confirmed(void *ctx, const char *app, int idx, long long rid)
{
    struct linker *l = ctx;
    if (l->nconf % 64 == 0)
        l->conf = xrealloc(l->conf, (size_t)(l->nconf + 64) * sizeof *l->conf);
    l->conf[l->nconf++] = (struct confirmed){ xstrdup(app), idx, rid };
    return 0;
}

int link_cmp_confirmed(const void *x, const void *y)
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
    return l->nconf && bsearch(&key, l->conf, (size_t)l->nconf, sizeof *l->conf, link_cmp_confirmed);
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
int link_release_held(struct linker *l, int kidx)
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
int link_put_link(struct linker *l, int kidx, const struct linked_link *ll)
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
int link_store_links(struct linker *l, const struct kind *k, int kidx, long long rid,
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
            /* the register's links wait until it is read whole (link_release_held) */
            link_hold(l, &ll, c[i].person, rid_id, rid_valid);
            continue;
        }
        if (l->apps[p->app].shadow)
            continue;
        int rc = link_put_link(l, kidx, &ll);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* 1 when person P is linked in the scan at hand: of the household register (HOUSEHOLD)
 * everyone, of another feed the people of the applications the run checks; in a step of a
 * narrowed run (want), those the step links. */
int link_wanted(const struct linker *l, uint32_t p, int household)
{
    if (l->want)
        return l->want[p];
    return household || !l->apps[l->ps[p].app].shadow;
}

/* The blocking keys of the record of ST's row (a link_fetch_entry row), into KK; returns how many
 * (0: the record has no usable ID or name). */
int link_record_keys(sqlite3_stmt *st, uint64_t kk[5])
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
int link_candidates(const struct linker *l, sqlite3_stmt *st, int household, struct cand *c)
{
    uint64_t kk[5];
    int nk = link_record_keys(st, kk), nc = 0;
    for (int j = 0; j < nk; j++)
        for (size_t i = kk[j] & (l->cap - 1); l->idx[i].key; i = (i + 1) & (l->cap - 1))
            if (l->idx[i].key == kk[j] && link_wanted(l, l->idx[i].person, household))
                add_cand(c, &nc, l->idx[i].person);
    return nc;
}

/* Scores the candidates C[0..NC) against the record of ST's row as the feed wrote it. */
void link_score_all(struct linker *l, sqlite3_stmt *st, int name_field, int has_birth,
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
