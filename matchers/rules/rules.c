/* rules.c: a run's rules stage: the statements and scope tables, then every application. */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/bkeys.h"
#include "../../core/err.h"
#include "../../core/msg.h"
#include "../../core/status.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "../../core/verdict.h"
#include "../../ingest/norm.h"
#include "findings.h"
#include "rules_int.h"

/* ---- the run ------------------------------------------------------------------------- */

int rules_prepare(struct ctx *c)
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
        { &c->std, "SELECT amount FROM standard WHERE county_code=?2 AND effective_from<=?3 AND "
                   RUN_VISIBLE("standard", "standard", "?1")
                   " ORDER BY effective_from DESC, rid DESC LIMIT 1" },
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        if ((rc = store_prepare(c->db, q[i].sql, q[i].st)) < 0)
            goto done;
    if ((rc = linked_reader_open(c->db, r->id, &c->linked)) < 0 || (rc = findings_prepare(c)) < 0)
        goto done;
    sqlite3_bind_int64(c->app, 1, r->load_of[kind_index("applicant")]);
    sqlite3_bind_int64(c->status, 2, r->status_seq);
    sqlite3_bind_text(c->status, 3, r->status_on, -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->std, 1, r->load_of[kind_index("standard")]);
done:
    sbuf_free(&sql);
    return rc;
}

void rules_finalize(struct ctx *c)
{
    linked_reader_close(&c->linked);
    for (int i = 0; i < RUN_MAX_KINDS; i++)
        sqlite3_finalize(c->fetch[i]);
    sqlite3_stmt *all[] = { c->app, c->status, c->std, c->decision, c->contact, c->visits,
                            c->spot, c->ins, c->gate };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
}

/* Builds a temporary table for the run: DDL (re)creates it, FILL fills it, INDEX indexes
 * it. FILL names the run's values it needs as :applicant_load, :member_load,
 * :household_load, :status_seq, :as_of, :status_on, :relapse_months and :run. */
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
        { ":narrowed", r->scope && *r->scope },
        { ":relapse_months", (long long)r->pol.v[P_RELAPSE_MONTHS] },
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
    if ((at = sqlite3_bind_parameter_index(st, ":status_on")) > 0)
        sqlite3_bind_text(st, at, r->status_on, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(c->db, what);
    sqlite3_finalize(st);
    return rc < 0 ? rc : store_exec(c->db, index);
}

/* Everyone named by an application in scope as of the run (whatever the run's own scope), for
 * DUPLICATE_APPLICATION: the declared ID, and the resolved one once known (resolve_people).
 * A run narrowed by --applicant asks only for the IDs of the people it checks, declared or
 * resolved: it keeps the applications naming someone whose declared ID is one of theirs or
 * of the household records linked to them (a resolved ID is one of those; the applications it
 * checks are among them), and those with someone the linker resolved (temp.linked_resolved,
 * the only others with a resolved ID); nobody else could answer, and the others' statuses are
 * not looked up. */
static int scope_people(struct ctx *c)
{
    int rc = temp_table(c,
        "DROP TABLE IF EXISTS temp.xv_ids;"
        "CREATE TEMP TABLE xv_ids(id TEXT PRIMARY KEY) WITHOUT ROWID;",
        "INSERT OR IGNORE INTO temp.xv_ids SELECT id_no FROM persons "
        "WHERE :narrowed AND run_id = :run UNION "
        "SELECT h.id_no FROM links l JOIN household h ON h.rid = l.rid "
        "WHERE :narrowed AND l.run_id = :run AND l.kind = 'household'",
        "", "gathering applications");
    if (rc < 0)
        return rc;
    return temp_table(c,
        "DROP TABLE IF EXISTS temp.xv_scope_people;"
        "CREATE TEMP TABLE xv_scope_people(id_no TEXT, applicant_id TEXT, relation TEXT,"
        " status TEXT, resolved TEXT);",
        "INSERT INTO temp.xv_scope_people "
        "WITH apps AS (SELECT a.applicant_id, a.id_no, "
        STATUS_SCOPED("a.applicant_id", ":status_seq", ":status_on", ":relapse_months")
        " AS status FROM applicant a "
        "WHERE " RUN_VISIBLE("applicant", "a", ":applicant_load") " AND (NOT :narrowed OR "
        "a.applicant_id IN (SELECT applicant_id FROM temp.linked_resolved) OR "
        "a.id_no IN (SELECT id FROM temp.xv_ids) OR a.applicant_id IN (SELECT "
        "m.applicant_id FROM member m WHERE m.id_no IN (SELECT id FROM temp.xv_ids)))) "
        "SELECT id_no, applicant_id, '申请人', status, NULL FROM apps "
        "WHERE status IS NOT NULL UNION ALL "
        "SELECT m.id_no, m.applicant_id, m.relation, apps.status, NULL FROM member m "
        "JOIN apps ON apps.applicant_id = m.applicant_id "
        "WHERE apps.status IS NOT NULL AND "
        RUN_VISIBLE("member", "m", ":member_load"),
        "CREATE INDEX temp.xv_scope_people_id ON xv_scope_people(id_no)",
        "gathering applications");
}

/* A person's resolved identity, as linked_resolved_each gives it, in the order given. */
struct resolved {
    const char *app, *declared, *resolved;
    size_t seq;
};
struct resolving {
    struct resolved *v;
    size_t n, cap;
    struct arena text;
};

static int add_resolved(void *ctx, const char *app, const char *declared, const char *resolved)
{
    struct resolving *rs = ctx;
    if (!resolved)
        return 0;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 4096;
        rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
    }
    rs->v[rs->n] = (struct resolved){ arena_strdup(&rs->text, app),
                                      arena_strdup(&rs->text, declared),
                                      arena_strdup(&rs->text, resolved), rs->n };
    rs->n++;
    return 0;
}

static int cmp_resolved(const void *a, const void *b)
{
    const struct resolved *x = a, *y = b;
    int d = strcmp(x->app, y->app);
    if (!d)
        d = strcmp(x->declared, y->declared);
    return d ? d : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The resolved identity of everyone the run linked to a household record (after the
 * reviewers' decisions on possible links): their record's ID beside the declared one. A
 * person the run did not check (a run narrowed by --applicant) keeps the declared ID only.
 * The rows of an application's declared ID take the last resolved ID given for it, as one
 * update a person would leave them; only those whose resolved ID differs from the declared
 * one are written: a resolved ID equal to the row's own ID finds no other row
 * (rules_dups_build takes either), and most people's are (156,000 updates, 0.7 s at city
 * size, where a few hundred differ). */
static int resolve_people(struct ctx *c)
{
    sqlite3_stmt *up = NULL;
    struct resolving rs = { NULL, 0, 0, { 0 } };
    int rc = store_prepare(c->db, "UPDATE temp.xv_scope_people SET resolved=?1 WHERE "
                                  "applicant_id=?2 AND id_no=?3", &up);
    if (rc == 0)
        rc = linked_resolved_each(c->db, c->r->id, c->linked.set, add_resolved, &rs);
    if (rc == 0 && rs.n)
        qsort(rs.v, rs.n, sizeof *rs.v, cmp_resolved);
    for (size_t i = 0; rc == 0 && i < rs.n; i++) {
        const struct resolved *x = &rs.v[i];
        if ((i + 1 < rs.n && !strcmp(x->app, x[1].app) && !strcmp(x->declared, x[1].declared)) ||
            !strcmp(x->resolved, x->declared))
            continue;   /* a later one of the same rows, or the ID the rows have */
        sqlite3_reset(up);
        sqlite3_bind_text(up, 1, x->resolved, -1, SQLITE_STATIC);
        sqlite3_bind_text(up, 2, x->app, -1, SQLITE_STATIC);
        sqlite3_bind_text(up, 3, x->declared, -1, SQLITE_STATIC);
        if (sqlite3_step(up) != SQLITE_DONE)
            rc = store_err(c->db, "resolving identities");
    }
    sqlite3_finalize(up);
    free(rs.v);
    arena_free(&rs.text);
    return rc < 0 ? rc
                  : store_exec(c->db, "CREATE INDEX temp.xv_scope_people_resolved ON "
                                      "xv_scope_people(resolved)");
}

static int add_applicant_hh(void *ctx, const struct linked_link *l)
{
    sqlite3_stmt *st = ctx;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, l->rid);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : XV_ERR;
}

struct hh_scan {
    struct bkeys_set nos;  /* bkeys_text of the applicants' household numbers */
    sqlite3_stmt *ins;     /* INSERT INTO temp.xv_hh_rids */
};

/* Keeps a household version whose number may be an applicant's (in temp.xv_hh_rids). */
static int hh_rid(void *ctx, int64_t rid, const struct bkeys_entry *e)
{
    sqlite3_stmt *ins = ctx;
    (void)e;
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, rid);
    return sqlite3_step(ins) == SQLITE_DONE ? 0 : store_err(sqlite3_db_handle(ins),
                                                            "reading households");
}

/* The active people registered in the applicants' households, into C->hhx: the applicants'
 * household records and their numbers; then the register's entries of <kind>_keys, whose
 * extra is the household number's hash, give the versions that may share one, and only those
 * are read (no index on household_no is needed, which would slow every load). The links come
 * from the run's set: in a full run this is done beside the run (households_beside), on a
 * connection that cannot see the run's tables; the temporary tables are its own. */
static int households(struct ctx *c)
{
    sqlite3_stmt *ins = NULL, *nos = NULL;
    struct hh_scan h = { { 0 }, NULL };
    long long n = 0;
    int rc, s;
    if ((rc = store_exec(c->db, "DROP TABLE IF EXISTS temp.xv_applicant_hh; CREATE TEMP TABLE "
                                "xv_applicant_hh(rid INTEGER PRIMARY KEY);"
                                "DROP TABLE IF EXISTS temp.xv_hh_rids; CREATE TEMP TABLE "
                                "xv_hh_rids(rid INTEGER PRIMARY KEY);"
                                "DROP TABLE IF EXISTS temp.xv_hh_nos; CREATE TEMP TABLE "
                                "xv_hh_nos(household_no TEXT PRIMARY KEY)")) < 0 ||
        (rc = store_prepare(c->db, "INSERT OR IGNORE INTO temp.xv_applicant_hh VALUES(?)",
                            &ins)) < 0)
        goto done;
    if ((rc = linked_applicant_links(c->db, c->r->id, c->linked.set, "household",
                                     add_applicant_hh, ins)) < 0) {
        if (rc == XV_ERR)
            rc = store_err(c->db, "reading households");
        goto done;
    }
    if ((rc = store_exec(c->db, "INSERT OR IGNORE INTO temp.xv_hh_nos SELECT x.household_no "
                                "FROM temp.xv_applicant_hh a CROSS JOIN household x "
                                "ON x.rid = a.rid WHERE x.household_no IS NOT NULL")) < 0 ||
        (rc = store_int(c->db, "SELECT count(*) FROM temp.xv_hh_nos", NULL, NULL, &n)) < 0 ||
        (rc = store_prepare(c->db, "SELECT household_no FROM temp.xv_hh_nos", &nos)) < 0 ||
        (rc = store_prepare(c->db, "INSERT OR IGNORE INTO temp.xv_hh_rids VALUES(?)",
                            &h.ins)) < 0)
        goto done;
    bkeys_set_init(&h.nos, (size_t)n);
    while ((s = sqlite3_step(nos)) == SQLITE_ROW)
        bkeys_set_add(&h.nos, bkeys_text((const char *)sqlite3_column_text(nos, 0)));
    if (s != SQLITE_DONE) {
        rc = store_err(c->db, "reading households");
        goto done;
    }
    if (n) {
        long long was = 0;
        if ((rc = store_cache_set(c->db, BKEYS_CACHE_KIB, &was)) < 0)
            goto done;
        rc = bkeys_each_in(c->db, kind_find("household"), c->r->load_of[kind_index("household")],
                           5, &h.nos, hh_rid, h.ins);
        int restored = store_cache_restore(c->db, was);
        if ((rc = rc < 0 ? rc : restored) < 0)
            goto done;
    }
    rc = temp_table(c,
        "DROP TABLE IF EXISTS temp.xv_household;"
        "CREATE TEMP TABLE xv_household(household_no TEXT, rid INTEGER, id_no TEXT);",
        /* CROSS JOIN: from the few rids to the register, never the other way */
        "INSERT INTO temp.xv_household SELECT h.household_no, h.rid, h.id_no "
        "FROM temp.xv_hh_rids r CROSS JOIN household h ON h.rid = r.rid "
        "WHERE h.status = '正常' AND h.household_no IN temp.xv_hh_nos "
        "AND " RUN_VISIBLE("household", "h", ":household_load"),
        "", "reading households");
    if (rc == 0)
        rc = rules_hh_build(c);
done:
    sqlite3_finalize(ins);
    sqlite3_finalize(nos);
    sqlite3_finalize(h.ins);
    bkeys_set_free(&h.nos);
    if (rc == 0)
        rc = store_exec(c->db, "DROP TABLE temp.xv_household; DROP TABLE temp.xv_applicant_hh; "
                               "DROP TABLE temp.xv_hh_rids; DROP TABLE temp.xv_hh_nos");
    return rc;
}

static int households_beside(struct beside *b)
{
    return households(&b->c);
}

/* Records the decisions reviewers took on application ID's possible links. */
static int decide_links(void *ctx, const char *id)
{
    struct ctx *c = ctx;
    struct app a;
    memset(&a, 0, sizeof a);
    int rc = app_read(c, id, &a);
    if (rc == 0)
        rc = rules_link_decisions(c, &a);
    app_free(&a);
    return rc;
}

int rules_run(sqlite3 *db, const struct run *r, struct linked_handoff *from,
              struct rules_stats *out)
{
    struct ctx c;
    int rc;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    c.tty = isatty(STDERR_FILENO);
    c.db = db;
    c.r = r;
    c.pol = &r->pol;
    c.st = out;
    /* the texts people read, in the run's language */
    msg_set_lang(r->lang);
    /* the months a rule looks at, newest first, from the coverage month (the as-of month for
     * a run without one); no clock: D is the run's as-of date */
    const char *last = r->coverage[0] ? r->coverage : r->as_of;
    int y = atoi(last), m = atoi(last + 5);
    c.nmonths = (int)fmax(c.pol->v[P_WINDOW_MONTHS], c.pol->v[P_EXIT_MONTHS]);
    for (int i = 0; i < c.nmonths; i++) {
        snprintf(c.months[i], sizeof c.months[i], "%04d-%02d", y, m);
        if (--m == 0) {
            m = 12;
            y--;
        }
    }
    /* reviewers' decisions on possible links first: a confirmed household record is the
     * applicant's household */
    if ((rc = scope_people(&c)) < 0 || (rc = rules_prepare(&c)) < 0)
        goto done;
    c.linked.set = from ? &from->links : NULL;
    if ((rc = linked_doubtful_applications(db, r->id, decide_links, &c)) < 0)
        goto done;
    /* a full run works in two threads where a second connection can read beside it
     * (check.c): the households there while the run resolves identities and reads the other
     * feeds' records, then the applications in two parts */
    int split = 0, hh = kind_index("household");
    struct beside b;
    if (!(r->scope && *r->scope) && c.linked.set && (split = store_readable_beside(db)) < 0) {
        rc = split;
        goto done;
    }
    if (split)
        linked_set_ready(c.linked.set);
    int beside = split && rules_beside_start(&c, &b, "reading households",
                                                 households_beside, NULL, NULL);
    if (!beside)
        rc = households(&c);
    if (rc == 0)
        rc = resolve_people(&c);
    if (rc == 0)
        rc = rules_dups_build(&c);
    for (int i = 0; i < xv_nkinds && rc == 0; i++)
        if (kind_is_feed(&xv_kinds[i]) && i != hh)
            rc = app_cache(&c, &xv_kinds[i], from ? &from->kept[i] : NULL);
    if (beside) {
        rc = rules_beside_finish(&b, rc);
        c.hhx = b.c.hhx;   /* the run's now, freed with it */
    }
    if (rc == 0)
        rc = app_cache(&c, &xv_kinds[hh], from ? &from->kept[hh] : NULL);
    if (rc < 0 || (rc = rules_check_all(&c, split)) < 0 ||
        (rc = findings_record_runs(db, r->id)) < 0)
        goto done;
    if (c.tty && out->applications >= 1000)
        fputc('\n', stderr);
done:
    rules_finalize(&c);
    rules_dups_free(&c);
    rules_hh_free(&c);
    for (int i = 0; i < RUN_MAX_KINDS; i++)
        linked_rows_free(&c.cache[i]);
    if (rc == 0)
        rc = store_exec(db, "DROP TABLE temp.xv_scope_people; DROP TABLE temp.xv_ids");
    return rc;
}
