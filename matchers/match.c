/* match.c: one run from start to end: link, evaluate the rules, commit, write the reports. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/policy.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../ingest/norm.h"
#include "../core/audit.h"
#include "../reports/rpt.h"
#include "link.h"
#include "match.h"
#include "rules.h"

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

int match_run(sqlite3 *db, const struct match_opts *o, long long *run_id)
{
    const char *as_of = o->as_of, *out = o->out ? o->out : "reports";
    char **only = o->only, date[11];
    int nonly = o->nonly, rc, in_tx = 0;
    struct policy pol = { 0 };
    struct run r = { 0 };
    struct link_stats st;
    struct rules_stats rs;
    struct sbuf scope = SBUF_INIT, summary = SBUF_INIT;
    double t0 = now_seconds();
    *run_id = 0;
    if ((rc = policy_load(o->policy_path, &pol)) < 0)
        goto done;
    for (int i = 0; i < nonly; i++)
        sbuf_addf(&scope, "%s%s", i ? "," : "", only[i]);
    if ((rc = store_begin(db)) < 0)
        goto done;
    in_tx = 1;
    if (!as_of) {
        if ((rc = newest_as_of(db, date)) < 0)
            goto done;
        as_of = date;
    }
    if ((rc = run_create(db, as_of, sbuf_str(&scope), &pol, &r)) < 0)
        goto done;
    if ((rc = link_run(db, &r, only, nonly, &st)) < 0)
        goto done;
    double t_link = now_seconds() - t0;
    if ((rc = rules_run(db, &r, &rs)) < 0)
        goto done;
    double t_rules = now_seconds() - t0 - t_link;
    crash_point("run-linked");
    long links = 0, possible = 0;
    for (int i = 0; i < RUN_MAX_KINDS; i++) {
        links += st.links[i];
        possible += st.possible[i];
    }
    double secs = now_seconds() - t0;
    sqlite3_stmt *up = NULL;
    if ((rc = store_prepare(db, "UPDATE runs SET applications=?, persons=?, links=?, "
                                "possible=?, seconds=?, link_seconds=?, rules_seconds=?, "
                                "findings=? WHERE id=?", &up)) < 0)
        goto done;
    sqlite3_bind_int64(up, 1, st.applications);
    sqlite3_bind_int64(up, 2, st.persons);
    sqlite3_bind_int64(up, 3, links);
    sqlite3_bind_int64(up, 4, possible);
    sqlite3_bind_double(up, 5, secs);
    /* recorded to the 1/100 s that summary.txt shows, so that it can be written again */
    sqlite3_bind_double(up, 6, (double)llround(t_link * 100) / 100);
    sqlite3_bind_double(up, 7, (double)llround(t_rules * 100) / 100);
    sqlite3_bind_int64(up, 8, rs.findings);
    sqlite3_bind_int64(up, 9, r.id);
    int s = sqlite3_step(up);
    sqlite3_finalize(up);
    if (s != SQLITE_DONE) {
        rc = store_err(db, "recording the run");
        goto done;
    }
    {
        char subject[32];
        struct sbuf detail = SBUF_INIT;
        snprintf(subject, sizeof subject, "%lld", r.id);
        sbuf_addf(&detail, "as of %s, policy %s, %ld applications, %ld findings "
                           "(BLOCK %ld, REVIEW %ld, CLEAR %ld)", r.as_of, r.pol.sha256,
                  rs.applications, rs.findings, rs.gates[0], rs.gates[1], rs.gates[2]);
        rc = audit_append(db, "run", subject, sbuf_str(&detail));
        sbuf_free(&detail);
        if (rc < 0)
            goto done;
    }
    if ((rc = store_commit(db)) < 0)
        goto done;
    in_tx = 0;
    *run_id = r.id;
    crash_point("run-committed");
    printf("run %lld: as of %s, %ld applications, %ld persons, policy %.12s\n", r.id, r.as_of,
           st.applications, st.persons, r.pol.sha256);
    printf("  links:");
    for (int i = 0, n = 0; i < xv_nkinds; i++)
        if (kind_is_feed(&xv_kinds[i]))
            printf("%s %s %ld", n++ ? "," : "", xv_kinds[i].name, st.links[i]);
    printf("; possible matches %ld\n", possible);
    fprintf(stderr, "xverify: match run %lld: %ld persons against %ld records in %.2f s\n", r.id,
            st.persons, st.records, secs);
    /* the run is committed; its reports follow (xverify report writes them again) */
    double t_rep = now_seconds();
    struct rpt_opts ro = { out, NULL, 0 };
    if ((rc = rpt_write(db, &r, &ro, &summary)) < 0) {
        fprintf(stderr, "xverify: run %lld is stored; 'xverify report %lld' writes its reports "
                        "again\n", r.id, r.id);
        goto done;
    }
    fputs(summary.s, stdout);
    printf("reports: %s/%lld/ (written in %.2f s)\n", out, r.id, now_seconds() - t_rep);
done:
    if (in_tx)
        store_rollback(db);
    run_free(&r);
    policy_free(&pol);
    sbuf_free(&scope);
    sbuf_free(&summary);
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
