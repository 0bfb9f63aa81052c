/* link_scan.c: the linker's scans of a feed's entries (<kind>_keys): the versions whose keys
 * may meet someone's are read and scored; a full run's scan in two halves, the second in a
 * thread on a connection of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/loads.h"
#include "../core/store.h"
#include "link_int.h"

/* The filter of the people a record of the kind may be linked to: for the household
 * register (HOUSEHOLD) everyone's, else the people of the applications the run checks. */
static void filter_build(const struct linker *l, int household, struct bkeys_set *f)
{
    size_t keys = 0;
    for (int i = 0; i < l->nps; i++)
        if (link_wanted(l, (uint32_t)i, household))
            keys += link_other_resolved(&l->ps[i]) ? 10 : 5;
    bkeys_set_init(f, keys);   /* a bit array in the cache for the few people of a narrowed run */
    for (int i = 0; i < l->nps; i++) {
        const struct person *p = &l->ps[i];
        if (!link_wanted(l, (uint32_t)i, household))
            continue;
        uint64_t k[5];
        int n = bkeys_of(p->id, p->name, p->birth, k);
        for (int j = 1; j < n; j++)   /* not the full ID: its first 17 characters meet */
            bkeys_set_add(f, bkeys_short(k[j]));
        if (link_other_resolved(p)) {
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


/* Reads the version of kind K at RID (entry E) with ST (link_prepare_fetch); XV_ELOCKED when the
 * table has no version there from the entry's load. */
int link_fetch_entry(sqlite3_stmt *st, const struct kind *k, int64_t rid,
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
    int rc = link_fetch_entry(st, k, rid, e);
    if (rc < 0)
        return rc;
    if (household && l->ids)
        link_mark_sharing(l->ids, st);
    int nc = link_candidates(l, st, household, c);
    if (!nc)
        return 0;
    link_score_all(l, st, kind_col(k, "name"), kind_col(k, "birth_date") >= 0, !household, c, nc);
    if (l->kept) {
        double lower = l->r->pol.v[P_LINK_LOWER];
        for (int i = 0; i < nc; i++)   /* a narrowed run's other applications are not checked */
            if (c[i].weight >= lower && !l->apps[l->ps[c[i].person].app].shadow) {
                linked_rows_add(&l->kept[kidx], rid, st, FETCH_LOAD, FETCH_RAW, FETCH_COLS,
                                k->ncols);
                break;
            }
    }
    return link_store_links(l, k, kidx, rid, (const char *)sqlite3_column_text(st, 1),
                       sqlite3_column_int(st, 2), c, nc);
}

/* A record of kind K by rid, with the columns the linker compares (candidates, link_score_all),
 * its load, then every column of the kind in order (what the rules stage reads: the row is
 * in the page read anyway). */
int link_prepare_fetch(sqlite3 *db, const struct kind *k, sqlite3_stmt **st)
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
    if ((rc = link_prepare_fetch(l->db, k, &st)) < 0 ||
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
    struct store_beside job;
    struct linker l;
    struct link_stats st;
    struct linked_rows kept[RUN_MAX_KINDS];
    const struct kind *k;
    const struct bkeys_set *f;
    int periods;
    int64_t from;
    uint32_t last;
};

static int part_scan(sqlite3 *db, void *arg)
{
    struct part *p = arg;
    long long was;
    int rc;
    p->l.db = db;
    if ((rc = store_cache_set(db, BKEYS_CACHE_KIB, &was)) < 0)
        return rc;
    return scan_range(&p->l, p->k, p->f, p->periods, p->from, INT64_MAX, &p->last, 0);
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
    if (!store_beside_start(&p->job, sqlite3_db_filename(l->db, "main"), "linking", part_scan,
                            NULL, p)) {
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
    rc = store_beside_finish(&p->job, rc);
    for (size_t i = 0; i < p->l.nbuf && rc == 0; i++)
        rc = link_put_link(l, kidx, &p->l.buf[i]);
    for (int i = 0; i < p->l.nheld && rc == 0; i++) {
        const struct held *h = &p->l.held[i];
        link_hold(l, &h->ll, h->person, h->id, h->id_valid);
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
    free(p);
    return rc;
}

/* Reads kind K's entries of <kind>_keys; a version the run can see whose keys may meet
 * someone's is read from the kind's table and compared as it is stored: the first half of
 * the rids here, the second in a thread beside it (struct part). COUNT: the first scan of the
 * kind, which counts the versions the run sees (by the loads' counts) and finds the latest
 * period, where the kind has periods. */
int link_scan_kind(struct linker *l, const struct kind *k, int count)
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
