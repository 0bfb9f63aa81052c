/* link_narrow.c: the household register for a run narrowed by --applicant: the people it
 * checks, and of the other applications only those who share a key with a register record
 * of theirs, for the duplicate check. */
#include <stdlib.h>
#include <string.h>
#include "../core/store.h"
#include "link_int.h"

struct ids_scan {
    struct linker *l;
    sqlite3_stmt *fetch;
    struct bkeys_set f;    /* the short first-17 keys of IDS */
    char (*ids)[19];
    int nids;
    uint64_t *keys;        /* the blocking keys of the register records read whose ID is one of
                            * IDS (link_mark_sharing), sorted by mark_people */
    size_t nkeys, capkeys;
};

/* When the household record of ST's row has one of S's IDs, keeps its blocking keys: the
 * people of other applications who share one are linked too (mark_people). */
void link_mark_sharing(struct ids_scan *s, sqlite3_stmt *st)
{
    const char *id = (const char *)sqlite3_column_text(st, 1);
    int one = 0;
    for (int i = 0; id && i < s->nids && !one; i++)
        one = !strcmp(id, s->ids[i]);
    uint64_t kk[5];
    int nk = one ? link_record_keys(st, kk) : 0;
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
 * declared ID: they are not linked yet) with a record link_mark_sharing kept; returns 1 when there
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
 * and its keys kept by link_mark_sharing. */
static int ids_entry(void *ctx, int64_t rid, const struct bkeys_entry *e)
{
    struct ids_scan *s = ctx;
    int rc = link_fetch_entry(s->fetch, kind_find("household"), rid, e);
    if (rc == 0)
        link_mark_sharing(s, s->fetch);
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
int link_household_narrowed(struct linker *l, const struct kind *k)
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
    rc = link_scan_kind(l, k, 1);
    l->ids = NULL;
    if (rc < 0 || (rc = link_release_held(l, kidx)) < 0)
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
        if ((rc = link_prepare_fetch(l->db, k, &s.fetch)) < 0 ||
            (rc = bkeys_each_in(l->db, k, l->r->load_of[kidx], 0, &s.f, ids_entry, &s)) < 0)
            goto done;
    }
    /* the people of other applications who share a key with one of those records: the last
     * step wants them alone */
    memset(l->want, 0, (size_t)l->nps);
    if (mark_people(&s, l->want)) {
        link_build_index(l);
        if ((rc = link_scan_kind(l, k, 0)) == 0)
            rc = link_release_held(l, kidx);
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
