/* linked.c: the persons and links tables: a run's people and the feed records linked to them. */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"
#include "linked.h"

#define LINK_COLS "applicant_id, idx, kind, rid, class, weight, lv_id, lv_name, lv_birth, " \
                  "lv_gender, lv_region, via_resolved"
/* The classes of a link: the linker's 'match' and 'possible', and what a reviewer's decision
 * made of a possible one, 'confirmed' (a link) or 'dismissed' (a non-link). */
#define LINK_RANK "CASE class WHEN 'match' THEN 0 WHEN 'confirmed' THEN 1 WHEN 'possible' " \
                  "THEN 2 ELSE 3 END"

int linked_writer_open(sqlite3 *db, long long run, struct linked_writer *w)
{
    int rc;
    memset(w, 0, sizeof *w);
    w->db = db;
    w->run = run;
    /* the resolved identities of a narrowed run's other applications: this connection's */
    if ((rc = store_exec(db, "DROP TABLE IF EXISTS temp.linked_resolved; CREATE TEMP TABLE "
                             "linked_resolved(applicant_id TEXT, id_no TEXT, resolved TEXT);"
                             "DROP TABLE IF EXISTS temp.linked_ids; CREATE TEMP TABLE "
                             "linked_ids(rid INTEGER PRIMARY KEY, id_no TEXT)")) < 0 ||
        (rc = store_prepare(db, "INSERT INTO temp.linked_resolved VALUES(?,?,?)",
                            &w->resolved)) < 0 ||
        (rc = store_prepare(db, "INSERT OR IGNORE INTO temp.linked_ids VALUES(?,?)",
                            &w->record_id)) < 0)
        return rc;
    if ((rc = store_prepare(db, "INSERT INTO persons(run_id,applicant_id,idx,relation,id_no,"
                                "id_valid,name,raw_name,birth_date,gender,county_code,"
                                "declared_income) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                            &w->person)) < 0)
        return rc;
    return store_prepare(db, "INSERT INTO links(run_id," LINK_COLS ") "
                             "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", &w->link);
}

int linked_put_person(struct linked_writer *w, const struct linked_person *p)
{
    sqlite3_stmt *st = w->person;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, w->run);
    sqlite3_bind_text(st, 2, p->app, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, p->idx);
    sqlite3_bind_text(st, 4, p->relation, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->id_no, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, p->id_valid);
    sqlite3_bind_text(st, 7, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, p->raw_name ? p->raw_name : p->name, -1, SQLITE_STATIC);
    store_bind_text(st, 9, p->birth);
    store_bind_text(st, 10, p->gender);
    sqlite3_bind_text(st, 11, p->county, -1, SQLITE_STATIC);
    if (p->has_income)
        sqlite3_bind_double(st, 12, p->income);
    else
        sqlite3_bind_null(st, 12);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_err(w->db, "storing persons");
    if (w->set)
        linked_set_add_person(w->set, p);
    return 0;
}

double linked_weight(double w)
{
    return (double)llround(w * 1000) / 1000;
}

/* Inserts L into the links table. */
static int put_row(struct linked_writer *w, const struct linked_link *l)
{
    sqlite3_stmt *st = w->link;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, w->run);
    sqlite3_bind_text(st, 2, l->app, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, l->idx);
    sqlite3_bind_text(st, 4, l->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, l->rid);
    sqlite3_bind_text(st, 6, l->match ? "match" : "possible", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 7, linked_weight(l->weight));
    for (int f = 0; f < F_NFIELDS; f++)
        sqlite3_bind_int(st, 8 + f, l->lv[f]);
    sqlite3_bind_int(st, 8 + F_NFIELDS, l->via_resolved);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : store_err(w->db, "storing a link");
}

int linked_put_link(struct linked_writer *w, const struct linked_link *l)
{
    if (!w->set)
        return put_row(w, l);
    linked_set_add(w->set, l);
    return 0;
}

static int flush_one(void *ctx, const struct linked_link *l)
{
    return put_row(ctx, l);
}

int linked_writer_flush(struct linked_writer *w)
{
    return w->set ? linked_set_each_stored(w->set, flush_one, w) : 0;
}

int linked_put_resolved(struct linked_writer *w, const char *app, const char *declared,
                        const char *resolved)
{
    sqlite3_stmt *st = w->resolved;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, declared, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, resolved, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : store_err(w->db, "keeping a resolved identity");
}

int linked_put_record_id(struct linked_writer *w, long long rid, const char *id)
{
    sqlite3_stmt *st = w->record_id;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rid);
    store_bind_text(st, 2, id);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : store_err(w->db, "keeping a record's ID");
}

void linked_writer_close(struct linked_writer *w)
{
    sqlite3_finalize(w->person);
    sqlite3_finalize(w->link);
    sqlite3_finalize(w->resolved);
    sqlite3_finalize(w->record_id);
    w->person = w->link = w->resolved = w->record_id = NULL;
}

/* ---- reading ------------------------------------------------------------------------- */

static const char *text_or(sqlite3_stmt *st, int i, const char *dflt)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : dflt;
}

int linked_reader_open(sqlite3 *db, long long run, struct linked_reader *r)
{
    int rc;
    memset(r, 0, sizeof *r);
    r->db = db;
    r->run = run;
    if ((rc = store_prepare(db, "SELECT applicant_id, idx, relation, id_no, id_valid, name, "
                                "raw_name, birth_date, gender, county_code, declared_income "
                                "FROM persons WHERE run_id=?1 AND applicant_id=?2 ORDER BY idx",
                            &r->persons)) < 0 ||
        (rc = store_prepare(db, "SELECT " LINK_COLS " FROM links WHERE run_id=?1 AND "
                                "applicant_id=?2 AND (?3 < 0 OR idx=?3) "
                                "ORDER BY idx, kind, " LINK_RANK ", weight DESC, rid", &r->best)) < 0 ||
        (rc = store_prepare(db, "UPDATE links SET class=?6 WHERE run_id=?1 AND applicant_id=?2 "
                                "AND idx=?3 AND kind=?4 AND rid=?5 AND class='possible'",
                            &r->decide)) < 0)
        return rc;
    return store_prepare(db, "SELECT " LINK_COLS " FROM links WHERE run_id=?1 AND "
                             "applicant_id=?2 AND (?3 < 0 OR idx=?3) "
                             "ORDER BY idx, " LINK_RANK " DESC, kind, rid", &r->by_class);
}

int linked_persons(struct linked_reader *r, const char *app, linked_person_fn fn, void *ctx)
{
    if (r->set)
        return linked_set_persons(r->set, app, fn, ctx);
    sqlite3_stmt *st = r->persons;
    int rc = 0, s;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, r->run);
    sqlite3_bind_text(st, 2, app, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct linked_person p = {
            text_or(st, 0, ""), sqlite3_column_int(st, 1), text_or(st, 2, ""),
            text_or(st, 3, ""), sqlite3_column_int(st, 4), text_or(st, 5, ""),
            text_or(st, 6, NULL), text_or(st, 7, NULL), text_or(st, 8, NULL),
            text_or(st, 9, ""), sqlite3_column_type(st, 10) != SQLITE_NULL,
            sqlite3_column_double(st, 10),
        };
        if ((rc = fn(ctx, &p)) < 0)
            break;
    }
    sqlite3_reset(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(r->db, "reading persons");
}

/* Calls FN for each row of ST, a query of LINK_COLS. */
static int each_link(sqlite3 *db, sqlite3_stmt *st, linked_link_fn fn, void *ctx)
{
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cls = text_or(st, 4, "");
        struct linked_link l = {
            text_or(st, 0, ""), sqlite3_column_int(st, 1), text_or(st, 2, ""),
            sqlite3_column_int64(st, 3), !strcmp(cls, "match") || !strcmp(cls, "confirmed"),
            sqlite3_column_double(st, 5), { 0 },
            !strcmp(cls, "confirmed") ? LINKED_CONFIRMED
                                      : !strcmp(cls, "dismissed") ? LINKED_DISMISSED : 0,
        };
        for (int f = 0; f < F_NFIELDS; f++)
            l.lv[f] = sqlite3_column_int(st, 6 + f);
        l.via_resolved = sqlite3_column_int(st, 6 + F_NFIELDS);
        if ((rc = fn(ctx, &l)) < 0)
            break;
    }
    sqlite3_reset(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, "reading links");
}

int linked_links(struct linked_reader *r, const char *app, int idx, enum linked_order order,
                 linked_link_fn fn, void *ctx)
{
    if (r->set)
        return linked_set_links(r->set, app, idx, order, fn, ctx);
    sqlite3_stmt *st = order == LINKED_BEST_FIRST ? r->best : r->by_class;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, r->run);
    sqlite3_bind_text(st, 2, app, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, idx);
    return each_link(r->db, st, fn, ctx);
}

int linked_decide(struct linked_reader *r, const char *app, int idx, const char *kind,
                  long long rid, int decided)
{
    sqlite3_stmt *st = r->decide;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, r->run);
    sqlite3_bind_text(st, 2, app, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, idx);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, rid);
    sqlite3_bind_text(st, 6, decided == LINKED_CONFIRMED ? "confirmed" : "dismissed", -1,
                      SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    if (s != SQLITE_DONE)
        return store_err(r->db, "recording a decided link");
    if (r->set)
        linked_set_decide(r->set, app, idx, kind, rid, decided);
    return 0;
}

void linked_reader_close(struct linked_reader *r)
{
    sqlite3_finalize(r->persons);
    sqlite3_finalize(r->best);
    sqlite3_finalize(r->by_class);
    sqlite3_finalize(r->decide);
    r->persons = r->best = r->by_class = r->decide = NULL;
}

/* Calls FN with each application ID of SQL's rows (a query with the run as its parameter). */
static int each_app(sqlite3 *db, const char *sql, long long run,
                    int (*fn)(void *ctx, const char *app), void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    if ((rc = store_prepare(db, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, run);
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, text_or(st, 0, ""))) < 0)
            break;
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, "reading the run's applications");
}

int linked_applications(sqlite3 *db, long long run, int (*fn)(void *ctx, const char *app),
                        void *ctx)
{
    return each_app(db, "SELECT applicant_id FROM persons WHERE run_id=? AND idx=0 "
                        "ORDER BY applicant_id", run, fn, ctx);
}

int linked_doubtful_applications(sqlite3 *db, long long run,
                                 int (*fn)(void *ctx, const char *app), void *ctx)
{
    return each_app(db, "SELECT DISTINCT applicant_id FROM links WHERE run_id=? AND "
                        "class='possible' ORDER BY applicant_id", run, fn, ctx);
}

/* The ID of household record RID as linked_put_record_id kept it (IDS), or as the register
 * holds it (HH); *OUT NULL for none. OUT's text holds until the statements' next use. */
static int record_id(sqlite3_stmt *ids, sqlite3_stmt *hh, long long rid, const char **out)
{
    sqlite3_stmt *st = ids;
    int s;
    for (int pass = 0; pass < 2; pass++, st = hh) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, rid);
        if ((s = sqlite3_step(st)) == SQLITE_ROW) {
            *out = text_or(st, 0, NULL);
            return 0;
        }
        if (s != SQLITE_DONE)
            return XV_ERR;
    }
    *out = NULL;
    return 0;
}

/* linked_resolved_each with the run's links in SET. */
static int resolved_from_set(sqlite3 *db, long long run, struct linked_set *set,
                             int (*fn)(void *ctx, const char *app, const char *declared,
                                       const char *resolved),
                             void *ctx)
{
    sqlite3_stmt *st = NULL, *ids = NULL, *hh = NULL;
    int rc, s = SQLITE_DONE, failed = 0;   /* FAILED: a statement here, not FN */
    if ((rc = store_prepare(db, "SELECT applicant_id, idx, id_no, NULL FROM persons WHERE run_id=?1 "
                                "UNION ALL SELECT applicant_id, -1, id_no, resolved FROM "
                                "temp.linked_resolved", &st)) < 0 ||
        (rc = store_prepare(db, "SELECT id_no FROM temp.linked_ids WHERE rid=?1", &ids)) < 0 ||
        (rc = store_prepare(db, "SELECT id_no FROM household WHERE rid=?1", &hh)) < 0)
        goto done;
    sqlite3_bind_int64(st, 1, run);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *app = text_or(st, 0, ""), *resolved = NULL;
        int idx = sqlite3_column_int(st, 1);
        long long rid;
        if (idx < 0)
            resolved = text_or(st, 3, NULL);
        else if (linked_set_best(set, app, idx, "household", &rid) &&
                 (failed = record_id(ids, hh, rid, &resolved) < 0))
            break;
        if ((rc = fn(ctx, app, text_or(st, 2, ""), resolved)) < 0)
            break;
    }
    if (failed || (rc == 0 && s != SQLITE_DONE))
        rc = store_err(db, "reading the run's resolved identities");
done:
    sqlite3_finalize(st);
    sqlite3_finalize(ids);
    sqlite3_finalize(hh);
    return rc;
}

int linked_resolved_each(sqlite3 *db, long long run, struct linked_set *set,
                         int (*fn)(void *ctx, const char *app, const char *declared,
                                   const char *resolved),
                         void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    if (set)
        return resolved_from_set(db, run, set, fn, ctx);
    /* each person's best household link first, then the records' IDs in rid order: the
     * linker kept them (temp.linked_ids); a record it did not is read from the register, in
     * rid order (read at random, every record costs a page of the register) */
    if ((rc = store_prepare(db,
             "WITH best AS MATERIALIZED (SELECT p.applicant_id, p.id_no, "
             "(SELECT l.rid FROM links l WHERE l.run_id = p.run_id AND l.applicant_id = p.applicant_id AND "
             "l.idx = p.idx AND l.kind = 'household' AND l.class IN ('match', 'confirmed') "
             "ORDER BY " LINK_RANK ", l.weight DESC, l.rid LIMIT 1) AS rid FROM persons p "
             "WHERE p.run_id = ?1 ORDER BY rid) "
             "SELECT b.applicant_id, b.id_no, CASE WHEN t.rid IS NULL THEN (SELECT h.id_no FROM "
             "household h WHERE h.rid = b.rid) ELSE t.id_no END FROM best b LEFT JOIN "
             "temp.linked_ids t ON t.rid = b.rid UNION ALL SELECT applicant_id, id_no, resolved FROM "
             "temp.linked_resolved", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, run);
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, text_or(st, 0, ""), text_or(st, 1, ""), text_or(st, 2, NULL))) < 0)
            break;
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, "reading the run's resolved identities");
}

int linked_applicant_links(sqlite3 *db, long long run, struct linked_set *set, const char *kind,
                           linked_link_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (set)
        return linked_set_each_certain(set, 0, kind, fn, ctx);
    if ((rc = store_prepare(db, "SELECT " LINK_COLS " FROM links WHERE run_id=? AND idx=0 AND "
                                "kind=? AND class IN ('match','confirmed') ORDER BY applicant_id, rid", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    rc = each_link(db, st, fn, ctx);
    sqlite3_finalize(st);
    return rc;
}

/* Runs SQL, a statement with the run as its one parameter. */
static int exec_run(sqlite3 *db, const char *sql, long long run)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, sql, &st);
    if (rc == 0 && (rc = store_bind(st, "i", run)) == 0 && sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "clearing the run");
    sqlite3_finalize(st);
    return rc;
}

int linked_clear(sqlite3 *db, long long run)
{
    int rc = exec_run(db, "DELETE FROM persons WHERE run_id=?", run);
    return rc < 0 ? rc : exec_run(db, "DELETE FROM links WHERE run_id=?", run);
}

/* ---- records kept from the linker for the rules stage ---- */

static void encode_value(struct sbuf *b, const unsigned char *t)
{
    sbuf_addc(b, t ? 1 : 0);
    if (t)
        sbuf_add(b, t, strlen((const char *)t) + 1);
}

static void row_encode(struct sbuf *b, sqlite3_stmt *st, int load, int raw, int first, int ncols)
{
    int64_t l = sqlite3_column_int64(st, load);
    sbuf_add(b, &l, sizeof l);
    encode_value(b, sqlite3_column_text(st, raw));
    for (int j = 0; j < ncols; j++)
        encode_value(b, sqlite3_column_text(st, first + j));
}

const char *linked_row_value(const char **p)
{
    const char *v = **p ? *p + 1 : NULL;
    *p = v ? v + strlen(v) + 1 : *p + 1;
    return v;
}

void linked_rows_add(struct linked_rows *r, int64_t rid, sqlite3_stmt *st, int load, int raw,
                     int first, int ncols)
{
    struct sbuf b = SBUF_INIT;
    row_encode(&b, st, load, raw, first, ncols);
    linked_rows_put(r, rid, b.s);
}

void linked_rows_put(struct linked_rows *r, int64_t rid, char *row)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 1024;
        r->rid = xrealloc(r->rid, r->cap * sizeof *r->rid);
        r->row = xrealloc(r->row, r->cap * sizeof *r->row);
    }
    if (r->n && rid <= r->rid[r->n - 1])
        r->sorted = 0;
    else if (!r->n)
        r->sorted = 1;
    r->rid[r->n] = rid;
    r->row[r->n++] = row;
}

struct rid_row {
    int64_t rid;
    char *row;
    size_t at;   /* the order it was added in: of two rows of one rid, the first stays */
};

static int cmp_rid_row(const void *a, const void *b)
{
    const struct rid_row *x = a, *y = b;
    if (x->rid != y->rid)
        return x->rid < y->rid ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Sorts R by rid, one row a rid (a record read twice by a narrowed run's steps is one). */
static void rows_sort(struct linked_rows *r)
{
    struct rid_row *t = xmalloc((r->n ? r->n : 1) * sizeof *t);
    for (size_t i = 0; i < r->n; i++)
        t[i] = (struct rid_row){ r->rid[i], r->row[i], i };
    qsort(t, r->n, sizeof *t, cmp_rid_row);
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (m && t[i].rid == r->rid[m - 1]) {
            free(t[i].row);
            continue;
        }
        r->rid[m] = t[i].rid;
        r->row[m++] = t[i].row;
    }
    r->n = m;
    r->sorted = 1;
    free(t);
}

/* The place of RID in R (sorted first), or -1. */
static long rows_at(struct linked_rows *r, int64_t rid)
{
    if (!r || !r->n)
        return -1;
    if (!r->sorted)
        rows_sort(r);
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->rid[mid] == rid)
            return (long)mid;
        if (r->rid[mid] < rid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

void linked_rows_ready(struct linked_rows *r)
{
    if (r->n && !r->sorted)
        rows_sort(r);
}

const char *linked_rows_find(struct linked_rows *r, int64_t rid)
{
    long at = rows_at(r, rid);
    return at < 0 ? NULL : r->row[at];
}

char *linked_rows_take(struct linked_rows *r, int64_t rid)
{
    long at = rows_at(r, rid);
    if (at < 0)
        return NULL;
    char *row = r->row[at];
    r->row[at] = NULL;   /* taken: stays in place for the search */
    return row;
}

void linked_rows_free(struct linked_rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->row[i]);
    free(r->rid);
    free(r->row);
    memset(r, 0, sizeof *r);
}

void linked_handoff_free(struct linked_handoff *h)
{
    for (int i = 0; i < RUN_MAX_KINDS; i++)
        linked_rows_free(&h->kept[i]);
    linked_set_free(&h->links);
}
