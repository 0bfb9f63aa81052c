/* match.c: one run of the matching stage: link, evaluate the rules, record and commit it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/hooks.h"
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/policy.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../ingest/norm.h"
#include "link.h"
#include "match.h"
#include "rules/rules.h"

/* The as-of date of the newest load: a run's default, so that no clock decides. */
static int newest_as_of(sqlite3 *db, char out[11])
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT max(as_of) FROM loads", &st);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        snprintf(out, 11, "%s", sqlite3_column_text(st, 0));
    else
        rc = xv_fail(XV_EUSAGE, "nothing is loaded yet: load the feeds first");
    sqlite3_finalize(st);
    return rc;
}

/* Records the run's counts and timings in its row of runs. */
static int record_counts(sqlite3 *db, const struct run *r, const struct match_result *m)
{
    sqlite3_stmt *up = NULL;
    int rc = store_prepare(db, "UPDATE runs SET applications=?, persons=?, links=?, possible=?, "
                               "seconds=?, link_seconds=?, rules_seconds=?, findings=? "
                               "WHERE id=?", &up);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(up, 1, m->link.applications);
    sqlite3_bind_int64(up, 2, m->link.persons);
    sqlite3_bind_int64(up, 3, m->links);
    sqlite3_bind_int64(up, 4, m->possible);
    sqlite3_bind_double(up, 5, m->seconds);
    /* recorded to the 1/100 s that summary.txt shows, so that it can be written again */
    sqlite3_bind_double(up, 6, (double)llround(m->link_seconds * 100) / 100);
    sqlite3_bind_double(up, 7, (double)llround(m->rules_seconds * 100) / 100);
    sqlite3_bind_int64(up, 8, m->rules.findings);
    sqlite3_bind_int64(up, 9, r->id);
    if (sqlite3_step(up) != SQLITE_DONE)
        rc = store_err(db, "recording the run");
    sqlite3_finalize(up);
    return rc;
}

static int audit_run(sqlite3 *db, const struct run *r, const struct rules_stats *rs)
{
    char subject[32];
    struct sbuf detail = SBUF_INIT;
    snprintf(subject, sizeof subject, "%lld", r->id);
    sbuf_addf(&detail, "as of %s, policy %s, %ld applications, %ld findings "
                       "(BLOCK %ld, REVIEW %ld, CLEAR %ld)", r->as_of, r->pol.sha256,
              rs->applications, rs->findings, rs->gates[0], rs->gates[1], rs->gates[2]);
    int rc = audit_append(db, "run", subject, sbuf_str(&detail));
    sbuf_free(&detail);
    return rc;
}

/* Links and evaluates run R, then records it; inside the caller's transaction. */
static int link_and_check(sqlite3 *db, const struct run *r, const struct match_opts *o,
                          struct match_result *m)
{
    double t0 = now_seconds();
    int rc = link_run(db, r, o->only, o->nonly, &m->link);
    if (rc < 0)
        return rc;
    m->link_seconds = now_seconds() - t0;
    if ((rc = rules_run(db, r, &m->rules)) < 0)
        return rc;
    m->rules_seconds = now_seconds() - t0 - m->link_seconds;
    hook_crash_point("run-linked");
    for (int i = 0; i < RUN_MAX_KINDS; i++) {
        m->links += m->link.links[i];
        m->possible += m->link.possible[i];
    }
    m->seconds = now_seconds() - t0;
    if ((rc = record_counts(db, r, m)) < 0)
        return rc;
    return audit_run(db, r, &m->rules);
}

int match_run(sqlite3 *db, const struct match_opts *o, struct run *r, struct match_result *m)
{
    const char *as_of = o->as_of;
    char date[11];
    int rc, in_tx = 0;
    struct policy pol = { 0 };
    struct sbuf scope = SBUF_INIT;
    memset(m, 0, sizeof *m);
    memset(r, 0, sizeof *r);
    if ((rc = policy_load(o->policy_path, &pol)) < 0)
        goto done;
    for (int i = 0; i < o->nonly; i++)
        sbuf_addf(&scope, "%s%s", i ? "," : "", o->only[i]);
    if ((rc = store_begin(db)) < 0)
        goto done;
    in_tx = 1;
    if (!as_of) {
        if ((rc = newest_as_of(db, date)) < 0)
            goto done;
        as_of = date;
    }
    if ((rc = run_create(db, as_of, sbuf_str(&scope), &pol, r)) < 0 ||
        (rc = link_and_check(db, r, o, m)) < 0 || (rc = store_commit(db)) < 0)
        goto done;
    in_tx = 0;
    hook_crash_point("run-committed");
done:
    if (in_tx)
        store_rollback(db);
    if (rc < 0)
        run_free(r);
    policy_free(&pol);
    sbuf_free(&scope);
    return rc;
}

int match_redo(sqlite3 *db, const struct run *r, const char *scope)
{
    static const char *const tables[] = { "persons", "links", "findings", "gates" };
    struct link_stats st;
    struct rules_stats rs;
    char *copy = xstrdup(scope ? scope : ""), **only = NULL;
    int nonly = 0, rc = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && rc == 0; i++) {
        struct sbuf sql = SBUF_INIT;
        sqlite3_stmt *del = NULL;
        sbuf_addf(&sql, "DELETE FROM %s WHERE run_id=?", tables[i]);
        if ((rc = store_prepare(db, sql.s, &del)) == 0) {
            sqlite3_bind_int64(del, 1, r->id);
            if (sqlite3_step(del) != SQLITE_DONE)
                rc = store_err(db, "clearing the run");
        }
        sqlite3_finalize(del);
        sbuf_free(&sql);
    }
    /* the scope is the run's --applicant list, comma-separated, empty for all */
    for (char *p = copy; rc == 0 && *p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        only = xrealloc(only, (size_t)(nonly + 1) * sizeof *only);
        only[nonly++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (rc == 0)
        rc = link_run(db, r, only, nonly, &st);
    if (rc == 0)
        rc = rules_run(db, r, &rs);
    free(only);
    free(copy);
    return rc;
}
