/* findings.c: an application's findings stored with their fingerprints, evidence hashes and
 * the decisions in force, and its gate. */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/audit.h"
#include "../../core/err.h"
#include "../../core/run.h"
#include "../../core/schema.h"
#include "../../core/status.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "../../core/verdict.h"
#include "../../ingest/norm.h"
#include "findings.h"
#include "rules_int.h"

/* ---- storing ------------------------------------------------------------------------- */

void rules_fingerprint(const char *rule, const char *app, const char *person, const char *key,
                       int n, char out[17])
{
    struct sbuf b = SBUF_INIT;
    char h[65];
    sbuf_addf(&b, "%s\x1f%s\x1f%s\x1f%s", rule, app, person, key);
    if (n > 0)
        sbuf_addf(&b, "\x1f%d", n);
    sha256_hex(b.s, b.len, h);
    sbuf_free(&b);
    memcpy(out, h, 16);
    out[16] = '\0';
}

static int cmp_finding(const void *x, const void *y)
{
    const struct finding *a = x, *b = y;
    int c = strcmp(rule_code(a->rule), rule_code(b->rule));
    if (c)
        return c;
    int ia = a->idx < 0 ? 1 << 30 : a->idx, ib = b->idx < 0 ? 1 << 30 : b->idx;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    if ((c = strcmp(a->pid, b->pid)))
        return c;
    if ((c = strcmp(a->key, b->key)))
        return c;
    return a->ev < b->ev ? -1 : a->ev > b->ev;
}

int findings_prepare(struct ctx *c)
{
    struct { sqlite3_stmt **st; const char *sql; } q[] = {
        { &c->decision, "SELECT " DECISION_IN_FORCE("?1", "?3", "?4", "?5", "?2") },
        { &c->ins, "INSERT INTO findings(run_id,applicant_id,county_code,rule,severity,idx,"
                   "person_id_no,person_name,feed,rid,record_key,declared,found,raw,load_id,"
                   "link_weight,fingerprint,evidence,decision,amount,shown_declared,shown_found,"
                   "records) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" },
        { &c->gate, "INSERT INTO gates(run_id,applicant_id,county_code,name,status,gate,n_block,"
                    "n_review,n_info,family_size,per_capita,standard,tier) "
                    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)" },
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof q / sizeof q[0] && rc == 0; i++)
        rc = store_prepare(c->db, q[i].sql, q[i].st);
    return rc;
}

/* The decision in force on the finding FP with evidence EV, among those the run can see. */
static int decision_of(struct ctx *c, const char *fp, const char *ev, double amount,
                       const char **decision)
{
    sqlite3_stmt *d = c->decision;
    sqlite3_reset(d);
    sqlite3_bind_text(d, 1, fp, -1, SQLITE_STATIC);
    sqlite3_bind_int64(d, 2, c->r->decision_seq);
    sqlite3_bind_text(d, 3, ev, -1, SQLITE_STATIC);
    if (isnan(amount))
        sqlite3_bind_null(d, 4);
    else
        sqlite3_bind_double(d, 4, amount);
    sqlite3_bind_double(d, 5, c->pol->v[P_DECISION_TOLERANCE]);
    if (sqlite3_step(d) != SQLITE_ROW)
        return store_err(c->db, "reading decisions");
    const char *got = (const char *)sqlite3_column_text(d, 0);
    *decision = !strcmp(got, "dismissed") ? "dismissed" : !strcmp(got, "confirmed") ? "confirmed"
                                                                                  : "open";
    return 0;
}

/* Binds an integer, or NULL when HAVE is 0. */
static void bind_int_or_null(sqlite3_stmt *st, int i, int have, long long v)
{
    if (have)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Binds a real, or NULL when HAVE is 0. */
static void bind_double_or_null(sqlite3_stmt *st, int i, int have, double v)
{
    if (have)
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Binds S (kept by the caller until the step), or NULL when S is. */
static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Stores finding I of A (settled). */
static int store_finding(struct ctx *c, const struct app *a, int i)
{
    const struct finding *f = &a->fs[i];
    const struct rec *evr = f->ev >= 0 ? &a->recs[f->ev] : NULL;
    sqlite3_stmt *st = c->ins;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, c->r->id);
    const char *text[] = { a->id, a->county, rule_code(f->rule), sev_name(f->sev) };
    for (int k = 0; k < 4; k++)
        sqlite3_bind_text(st, 2 + k, text[k], -1, SQLITE_STATIC);
    bind_int_or_null(st, 6, f->idx >= 0, f->idx);
    sqlite3_bind_text(st, 7, f->pid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, f->pname, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, evr ? evr->k->name : "", -1, SQLITE_STATIC);
    bind_int_or_null(st, 10, evr != NULL, evr ? evr->rid : 0);
    sqlite3_bind_text(st, 11, f->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, f->declared, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, f->found, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, evr ? evr->raw : "", -1, SQLITE_STATIC);
    bind_int_or_null(st, 15, evr != NULL, evr ? evr->load : 0);
    bind_double_or_null(st, 16, evr && !isnan(evr->weight), evr ? evr->weight : 0);
    sqlite3_bind_text(st, 17, f->fp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 18, f->evh, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 19, f->decision, -1, SQLITE_STATIC);
    bind_double_or_null(st, 20, !isnan(f->amount), f->amount);
    /* what people read: NULL where it is the canonical text, or the one record */
    bind_text_or_null(st, 21, f->shown_declared);
    bind_text_or_null(st, 22, f->shown_found);
    bind_text_or_null(st, 23, f->records);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_err(c->db, "storing a finding");
    c->st->findings++;
    c->st->by_rule[f->rule]++;
    return 0;
}

/* Stores A's gate from N, its findings in force counted by severity. */
static int store_gate(struct ctx *c, const struct app *a, const long n[SEV_COUNT])
{
    int gate = gate_of(n);
    c->st->gates[gate]++;
    sqlite3_stmt *st = c->gate;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, c->r->id);
    const char *text[] = { a->id, a->county, a->name, a->status, gate_name(gate) };
    for (int k = 0; k < 5; k++)
        sqlite3_bind_text(st, 2 + k, text[k], -1, SQLITE_STATIC);
    for (int k = 0; k < SEV_COUNT; k++)
        sqlite3_bind_int64(st, 7 + k, n[k]);
    /* the figures, NULL where the rules did not reach them (an exited household's) */
    bind_int_or_null(st, 10, a->size > 0, a->size);
    bind_double_or_null(st, 11, a->has_pc, a->pc);
    bind_double_or_null(st, 12, a->has_std, a->std);
    bind_text_or_null(st, 13, a->tier);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_err(c->db, "storing a gate");
    return 0;
}

int findings_settle(struct ctx *c, struct app *a)
{
    int rc;
    if (a->nfs > 1)
        qsort(a->fs, (size_t)a->nfs, sizeof *a->fs, cmp_finding);
    for (int i = 0; i < a->nfs; i++) {
        struct finding *f = &a->fs[i];
        const struct rec *evr = f->ev >= 0 ? &a->recs[f->ev] : NULL;
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup += a->fs[j].rule == f->rule && !strcmp(a->fs[j].pid, f->pid) &&
                   !strcmp(a->fs[j].key, f->key);
        rules_fingerprint(rule_code(f->rule), a->id, f->pid, f->fpkey ? f->fpkey : f->key, dup,
                          f->fp);
        struct sbuf e = SBUF_INIT;
        sbuf_addf(&e, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", sev_name(f->sev),
                  evr ? evr->k->name : "", f->key, f->declared, f->found,
                  evr ? evr->raw : "");
        sha256_hex(e.s, e.len, f->evh);
        sbuf_free(&e);
        if ((rc = decision_of(c, f->fp, f->evh, f->amount, &f->decision)) < 0)
            return rc;
    }
    return 0;
}

int app_write(struct ctx *c, const struct app *a)
{
    long n[SEV_COUNT] = { 0, 0, 0 };
    int rc;
    for (int i = 0; i < a->nfs; i++) {
        if ((rc = store_finding(c, a, i)) < 0)
            return rc;
        if (strcmp(a->fs[i].decision, "dismissed"))
            n[a->fs[i].sev]++;
    }
    return store_gate(c, a, n);
}

/* ---- reading ------------------------------------------------------------------------- */

static const char *text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* ST bound to a run (?1) and, when APP is not NULL, an application (?2). */
static void bind_run_app(sqlite3_stmt *st, long long run, const char *app)
{
    sqlite3_bind_int64(st, 1, run);
    if (app)
        sqlite3_bind_text(st, 2, app, -1, SQLITE_STATIC);
}

#define FINDING_COLS                                                                       \
    "f.run_id, f.applicant_id, f.county_code, f.rule, f.severity, f.person_id_no, "          \
    "f.person_name, f.feed, f.record_key, f.declared, f.found, ifnull(f.load_id, ''), CASE "  \
    "WHEN f.link_weight IS NULL THEN '' ELSE printf('%.3f', f.link_weight) END, "           \
    "f.fingerprint, f.evidence, f.decision, f.raw, f.amount, ifnull(d.by, ''), "            \
    "ifnull(d.level, ''), ifnull(d.at, ''), ifnull(d.reason, ''), "                      \
    "ifnull(f.shown_declared, f.declared), ifnull(f.shown_found, f.found), "              \
    "ifnull(f.records, '')"
/* The findings F with the decision in force D as the finding's run saw it. */
#define FINDING_FROM                                                                       \
    " FROM findings f JOIN runs r ON r.id = f.run_id"                                        \
    DECISION_JOIN("d", "f.fingerprint", "f.decision", "r.decision_seq")

/* Calls FN with the finding of ST's row, a query of FINDING_COLS. */
static int row_to(sqlite3_stmt *st, finding_fn fn, void *ctx)
{
    struct finding_row f = {
        sqlite3_column_int64(st, 0), text(st, 1), text(st, 2), text(st, 3), text(st, 4),
        text(st, 5), text(st, 6), text(st, 7), text(st, 8), text(st, 9), text(st, 10),
        text(st, 11), text(st, 12), text(st, 13), text(st, 14), text(st, 15), text(st, 16),
        sqlite3_column_type(st, 17) != SQLITE_NULL, sqlite3_column_double(st, 17),
        { text(st, 18), text(st, 19), text(st, 20), text(st, 21) },
        text(st, 22), text(st, 23), text(st, 24),
    };
    return fn(ctx, &f);
}

/* The reports' order of a run's findings. */
#define FINDING_ORDER                                                                      \
    " ORDER BY f.applicant_id, f.rule, f.idx IS NULL, f.idx, f.person_id_no, f.record_key, " \
    "f.fingerprint"

/* Calls FN with each row of ST (a query of FINDING_COLS, bound), then finalizes ST. */
static int rows_to(sqlite3 *db, sqlite3_stmt *st, finding_fn fn, void *ctx)
{
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = row_to(st, fn, ctx)) < 0)
            goto done;
    rc = s == SQLITE_DONE ? 0 : store_err(db, "reading findings");
done:
    sqlite3_finalize(st);
    return rc;
}

int findings_each(sqlite3 *db, long long run, const char *app, finding_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT " FINDING_COLS FINDING_FROM " WHERE f.run_id=?1 AND "
                               "(?2 IS NULL OR f.applicant_id=?2)" FINDING_ORDER, &st);
    if (rc < 0)
        return rc;
    bind_run_app(st, run, app);
    return rows_to(db, st, fn, ctx);
}

int findings_each_between(sqlite3 *db, long long run, const char *from, const char *to,
                          finding_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT " FINDING_COLS FINDING_FROM " WHERE f.run_id=?1 AND "
                               "f.applicant_id>=?2 AND (?3 IS NULL OR f.applicant_id<?3)"
                               FINDING_ORDER, &st);
    if (rc < 0)
        return rc;
    if ((rc = store_bind(st, "itt", run, from ? from : "", to)) < 0) {
        sqlite3_finalize(st);
        return rc;
    }
    return rows_to(db, st, fn, ctx);
}

int findings_latest(sqlite3 *db, const char *fp, finding_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT " FINDING_COLS " FROM finding_runs x JOIN findings f ON "
                               "f.run_id = x.last_run AND f.applicant_id = x.applicant_id AND "
                               "f.fingerprint = x.fingerprint JOIN runs r ON r.id = f.run_id"
                               DECISION_JOIN("d", "f.fingerprint", "f.decision",
                                             "r.decision_seq") " WHERE x.fingerprint=?", &st),
        s;
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, fp);
    if ((s = sqlite3_step(st)) == SQLITE_ROW)
        rc = (rc = row_to(st, fn, ctx)) < 0 ? rc : 1;
    else if (s != SQLITE_DONE)
        rc = store_err(db, "reading findings");
    sqlite3_finalize(st);
    return rc;
}

int gates_each(sqlite3 *db, long long run, const char *app, gate_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    if ((rc = store_prepare(db, "SELECT applicant_id, county_code, name, status, gate, n_block, "
                                "n_review, n_info, ifnull(family_size, ''), CASE WHEN per_capita "
                                "IS NULL THEN '' ELSE printf('%.2f', per_capita) END, CASE WHEN "
                                "standard IS NULL THEN '' ELSE printf('%.2f', standard) END, "
                                "ifnull(tier, '') FROM gates WHERE run_id=?1 AND "
                                "(?2 IS NULL OR applicant_id=?2) ORDER BY applicant_id",
                            &st)) < 0)
        return rc;
    bind_run_app(st, run, app);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct gate_row g = { text(st, 0), text(st, 1), text(st, 2), text(st, 3), text(st, 4),
                              { sqlite3_column_int(st, 5), sqlite3_column_int(st, 6),
                                sqlite3_column_int(st, 7) },
                              text(st, 8), text(st, 9), text(st, 10), text(st, 11) };
        if ((rc = fn(ctx, &g)) < 0)
            goto done;
    }
    rc = s == SQLITE_DONE ? 0 : store_err(db, "reading gates");
done:
    sqlite3_finalize(st);
    return rc;
}

/* gates_runs_of's walk: run RUN, when it has a gate of the application. */
struct runs_of {
    sqlite3 *db;
    sqlite3_stmt *has;      /* the gate of (run, the application), bound but for the run */
    int (*fn)(void *ctx, long long run);
    void *ctx;
};

static int run_of(void *ctx, long long run)
{
    struct runs_of *w = ctx;
    sqlite3_reset(w->has);
    sqlite3_bind_int64(w->has, 1, run);
    int s = sqlite3_step(w->has);
    if (s == SQLITE_DONE)
        return 0;
    return s == SQLITE_ROW ? w->fn(w->ctx, run) : store_err(w->db, "reading gates");
}

/* Each run is looked up by the gates' key (run, application), newest first: an index of the
 * gates by application took each run's 50,000 rows at places all over it (schema version 11
 * dropped it), and the walk stops at the newest runs for an application checked of late. */
int gates_runs_of(sqlite3 *db, const char *app, int (*fn)(void *ctx, long long run),
                  void *ctx)
{
    struct runs_of w = { db, NULL, fn, ctx };
    int rc = store_prepare(db, "SELECT 1 FROM gates WHERE run_id=?1 AND applicant_id=?2",
                           &w.has);
    if (rc < 0)
        return rc;
    store_bind_text(w.has, 2, app);
    rc = run_ids_each(db, run_of, &w);
    sqlite3_finalize(w.has);
    return rc;
}

int findings_confirmed_links(sqlite3 *db, long long seq, const char *kind,
                             int (*fn)(void *ctx, const char *app, int idx, long long rid),
                             void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
        "SELECT DISTINCT f.applicant_id, f.idx, f.rid FROM findings f JOIN decisions d ON "
        "d.run_id = f.run_id AND d.applicant_id = f.applicant_id AND "
        "d.fingerprint = f.fingerprint AND d.evidence = f.evidence "
        "WHERE d.rule = 'LINK_UNCERTAIN' AND d.decision = 'confirmed' AND f.feed = ?2 AND "
        "f.idx IS NOT NULL AND f.rid IS NOT NULL AND d.seq = (SELECT max(x.seq) FROM "
        "decisions x WHERE x.fingerprint = d.fingerprint AND x.seq <= ?1) "
        "ORDER BY f.applicant_id, f.idx, f.rid", &st), s;
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, seq);
    store_bind_text(st, 2, kind);
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, text(st, 0), sqlite3_column_int(st, 1),
                     sqlite3_column_int64(st, 2))) < 0)
            break;
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, "reading confirmed links");
}

int findings_in_force(sqlite3 *db, long long run, const char *app, double tol,
                      long n[SEV_COUNT], struct sbuf *first)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
        "SELECT f.severity, f.rule, f.fingerprint FROM findings f WHERE f.run_id=?1 AND "
        "f.applicant_id=?2 AND " DECISION_IN_FORCE("f.fingerprint", "f.evidence", "f.amount",
        "?3", "(SELECT ifnull(max(seq), 0) FROM decisions)") " <> 'dismissed' "
        "ORDER BY f.severity, f.rule, f.fingerprint", &st);
    if (rc < 0)
        return rc;
    bind_run_app(st, run, app);
    sqlite3_bind_double(st, 3, tol);
    int s;
    n[0] = n[1] = n[2] = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        int i = sev_parse(text(st, 0));
        i = i < 0 ? SEV_BLOCK : i;   /* a severity this program does not know holds it up */
        n[i]++;
        if (i < 2 && !first->len)
            sbuf_addf(first, "%s %s", text(st, 1), text(st, 2));
    }
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? 0 : store_err(db, "reading findings");
}

int findings_rule_in_force(sqlite3 *db, long long run, const char *app, const char *rule,
                           double tol)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
        "SELECT count(*) FROM findings f WHERE f.run_id=?1 AND f.applicant_id=?2 AND "
        "f.rule=?4 AND " DECISION_IN_FORCE("f.fingerprint", "f.evidence", "f.amount", "?3",
        "(SELECT ifnull(max(seq), 0) FROM decisions)") " <> 'dismissed'", &st);
    if (rc < 0)
        return rc;
    bind_run_app(st, run, app);
    sqlite3_bind_double(st, 3, tol);
    store_bind_text(st, 4, rule);
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = sqlite3_column_int64(st, 0) > 0;
    else
        rc = store_err(db, "reading findings");
    sqlite3_finalize(st);
    return rc;
}

long findings_diff(sqlite3 *db, long long a, long long b, enum findings_change what,
                   change_fn fn, void *ctx)
{
    /* a finding is the same when its fingerprint is; it changed when its evidence, severity
     * or decision did */
    static const char *const sql[] = {
        [FCHANGE_GONE] =
        "SELECT x.applicant_id, x.rule, x.severity, x.person_id_no, x.record_key, x.fingerprint "
        "FROM findings x WHERE x.run_id=?1 AND NOT EXISTS (SELECT 1 FROM findings y WHERE "
        "y.run_id=?2 AND y.applicant_id=x.applicant_id AND y.fingerprint=x.fingerprint) "
        "ORDER BY 1, 2, 6",
        [FCHANGE_CHANGED] =
        "SELECT y.applicant_id, y.rule, x.severity || '->' || y.severity, x.decision || '->' || "
        "y.decision, 'found: ' || x.found || ' -> ' || y.found, y.fingerprint FROM findings x "
        "JOIN findings y ON y.run_id=?2 AND y.applicant_id=x.applicant_id AND "
        "y.fingerprint=x.fingerprint WHERE x.run_id=?1 AND (x.evidence<>y.evidence OR "
        "x.severity<>y.severity OR x.decision<>y.decision) ORDER BY 1, 2, 6",
        [FCHANGE_GATE] =
        "SELECT ifnull(x.applicant_id, y.applicant_id), ifnull(x.gate, '(none)') || ' -> ' || "
        "ifnull(y.gate, '(none)') FROM (SELECT * FROM gates WHERE run_id=?1) x FULL JOIN "
        "(SELECT * FROM gates WHERE run_id=?2) y ON y.applicant_id=x.applicant_id "
        "WHERE x.gate IS NOT y.gate ORDER BY 1",
    };
    sqlite3_stmt *st = NULL;
    long n = 0;
    int rc = store_prepare(db, sql[what], &st), s;
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *field[8];
        int nf = sqlite3_column_count(st);
        for (int i = 0; i < nf && i < 8; i++)
            field[i] = text(st, i);
        if ((rc = fn(ctx, field, nf < 8 ? nf : 8)) < 0)
            break;
        n++;
    }
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? n : store_err(db, "comparing runs");
}

int findings_record_runs(sqlite3 *db, long long run)
{
    sqlite3_stmt *st = NULL;
    /* in fingerprint order: each page of the table is written once */
    int rc = store_prepare(db, "INSERT INTO finding_runs(fingerprint, applicant_id, first_run, "
                               "last_run) SELECT fingerprint, applicant_id, run_id, run_id FROM "
                               "findings WHERE run_id=?1 ORDER BY fingerprint ON CONFLICT"
                               "(fingerprint) DO UPDATE SET first_run=min(first_run, "
                               "excluded.first_run), last_run=max(last_run, excluded.last_run)",
                           &st);
    if (rc == 0 && (rc = store_bind(st, "i", run)) == 0 && sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording the findings' runs");
    sqlite3_finalize(st);
    return rc;
}

int findings_check_runs(sqlite3 *db, const char *what)
{
    long long bad = 0;
    int rc = store_int(db, "SELECT count(*) FROM (" SCHEMA_FINDING_RUNS ") g FULL JOIN "
                           "finding_runs x ON x.fingerprint = g.fingerprint WHERE "
                           "g.fingerprint IS NULL OR x.fingerprint IS NULL OR "
                           "x.first_run <> g.first_run OR x.last_run <> g.last_run OR "
                           "x.applicant_id <> g.applicant_id", NULL, NULL, &bad);
    if (rc < 0)
        return rc;
    if (bad)
        return xv_fail(XV_ELOCKED, "%s: the first and last runs of %lld fingerprint%s "
                       "(finding_runs) are not the findings': they were changed beside the runs",
                       what, bad, bad == 1 ? "" : "s");
    return 0;
}

int findings_clear(sqlite3 *db, long long run)
{
    static const char *const sql[] = { "DELETE FROM findings WHERE run_id=?",
                                        "DELETE FROM gates WHERE run_id=?" };
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        sqlite3_stmt *st = NULL;
        if ((rc = store_prepare(db, sql[i], &st)) == 0 && (rc = store_bind(st, "i", run)) == 0 &&
            sqlite3_step(st) != SQLITE_DONE)
            rc = store_err(db, "clearing the run");
        sqlite3_finalize(st);
    }
    return rc;
}

/* ---- the run's digest --------------------------------------------------------------------- */

/* Appends the row hashes of SQL (run RUN's rows, in key order), NCOLS columns each (0: all),
 * to B; *NCOLS is set to the count used. */
static int digest_rows(sqlite3 *db, const char *sql, long long run, int *ncols, struct sbuf *b)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, sql, &st), s;
    if (rc < 0)
        return rc;
    int have = sqlite3_column_count(st);
    if (*ncols <= 0 || *ncols > have)
        *ncols = *ncols > have ? -1 : have;
    if (*ncols < 0) {
        sqlite3_finalize(st);
        return xv_fail(XV_ELOCKED, "run %lld: its findings digest names more columns than the "
                       "store has", run);
    }
    sqlite3_bind_int64(st, 1, run);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        char h[65];
        audit_row_hash(st, 0, *ncols, h);
        sbuf_add(b, h, 64);
    }
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? 0 : store_err(db, "reading the run's findings");
}

int findings_digest(sqlite3 *db, long long run, const char *like, char out[FINDINGS_DIGEST_MAX])
{
    struct sbuf b = SBUF_INIT;
    int nf = 0, ng = 0, rc;
    if (like && sscanf(like, "F%dG%d:", &nf, &ng) != 2)
        return xv_fail(XV_ELOCKED, "run %lld: its findings digest is not readable", run);
    if ((rc = digest_rows(db, "SELECT * FROM findings WHERE run_id=? ORDER BY applicant_id, "
                              "fingerprint", run, &nf, &b)) == 0 &&
        (rc = digest_rows(db, "SELECT * FROM gates WHERE run_id=? ORDER BY applicant_id", run,
                          &ng, &b)) == 0) {
        char h[65];
        sha256_hex(b.s ? b.s : "", b.len, h);
        snprintf(out, FINDINGS_DIGEST_MAX, "F%dG%d:%s", nf, ng, h);
    }
    sbuf_free(&b);
    return rc;
}

int findings_check_digest(sqlite3 *db, const struct run *r, const char *what)
{
    char now[FINDINGS_DIGEST_MAX];
    int rc;
    if (!*r->findings_sha256)
        return xv_fail(XV_ENEEDS, "%s: run %lld was made before runs recorded the digest of "
                       "their findings: run 'xverify match' first", what, r->id);
    if ((rc = findings_digest(db, r->id, r->findings_sha256, now)) < 0)
        return rc;
    if (strcmp(now, r->findings_sha256))
        return xv_fail(XV_ELOCKED, "%s: the findings or gates of run %lld are not the ones it "
                       "recorded: they were changed beside the run", what, r->id);
    return 0;
}

int findings_open_first_runs(sqlite3 *db, long long run,
                             int (*fn)(void *ctx, const char *fp, long long first), void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    if ((rc = store_prepare(db, "SELECT f.fingerprint, ifnull((SELECT x.first_run FROM "
                                "finding_runs x WHERE x.fingerprint = f.fingerprint AND "
                                "x.first_run <= ?1), 0) FROM findings f WHERE f.run_id = ?1 AND "
                                "f.decision = 'open' AND f.severity <> 'info' "
                                "ORDER BY f.fingerprint", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, run);
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, text(st, 0), sqlite3_column_int64(st, 1))) < 0)
            goto done;
    rc = s == SQLITE_DONE ? 0 : store_err(db, "reading findings");
done:
    sqlite3_finalize(st);
    return rc;
}

int findings_first_run(sqlite3 *db, sqlite3_stmt **st, const char *fp, long long run,
                       long long *first)
{
    int rc = 0;
    if (!*st && (rc = store_prepare(db, "SELECT ifnull((SELECT first_run FROM finding_runs "
                                        "WHERE fingerprint=?1 AND first_run<=?2), 0)", st)) < 0)
        return rc;
    sqlite3_reset(*st);
    store_bind_text(*st, 1, fp);
    sqlite3_bind_int64(*st, 2, run);
    if (sqlite3_step(*st) == SQLITE_ROW)
        *first = sqlite3_column_int64(*st, 0);
    else
        rc = store_err(db, "reading findings");
    return rc;
}
