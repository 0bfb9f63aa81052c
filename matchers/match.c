/* match.c: one run of the matching stage: link, evaluate the rules, record and commit it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/hooks.h"
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/official.h"
#include "../core/policy.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../ingest/norm.h"
#include "link.h"
#include "linked.h"
#include "match.h"
#include "rules/findings.h"
#include "rules/rules.h"

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
static int link_and_check(sqlite3 *db, struct run *r, const struct match_opts *o,
                          struct match_result *m)
{
    double t0 = now_seconds();
    struct linked_handoff handoff = { 0 };   /* the records and links, from linker to rules */
    int rc = link_run(db, r, o->only, o->nonly, findings_confirmed_links, &handoff, &m->link);
    if (rc == 0) {
        m->link_seconds = now_seconds() - t0;
        memcpy(r->coverage, m->link.last_period[kind_index("social_insurance")],
               sizeof r->coverage);
        r->has_coverage = 1;
        rc = rules_run(db, r, &handoff, &m->rules);
    }
    linked_handoff_free(&handoff);
    if (rc < 0)
        return rc;
    m->rules_seconds = now_seconds() - t0 - m->link_seconds;
    hook_crash_point("run-linked");
    for (int i = 0; i < RUN_MAX_KINDS; i++) {
        m->links += m->link.links[i];
        m->possible += m->link.possible[i];
    }
    char digest[FINDINGS_DIGEST_MAX];
    if ((rc = findings_digest(db, r->id, NULL, digest)) < 0)
        return rc;
    m->seconds = now_seconds() - t0;
    struct run_counts counts = { m->link.applications, m->link.persons, m->links, m->possible,
                              m->rules.findings, m->seconds, m->link_seconds,
                              m->rules_seconds, digest };
    if ((rc = run_record(db, r, &counts)) < 0)
        return rc;
    return audit_run(db, r, &m->rules);
}

int match_run(sqlite3 *db, const struct match_opts *o, struct run *r, struct match_result *m)
{
    int rc, in_tx = 0;
    struct policy pol = { 0 };
    struct sbuf scope = SBUF_INIT;
    memset(m, 0, sizeof *m);
    memset(r, 0, sizeof *r);
    struct policy official = { 0 };
    if ((rc = official_policy(db, &official, NULL)) < 0 ||
        (rc = o->policy_path ? policy_load(o->policy_path, &pol)
                             : official_policy(db, &pol, NULL)) < 0) {
        policy_free(&official);
        goto done;
    }
    int is_official = !strcmp(pol.sha256, official.sha256);
    policy_free(&official);
    for (int i = 0; i < o->nonly; i++)
        sbuf_addf(&scope, "%s%s", i ? "," : "", o->only[i]);
    if ((rc = store_begin(db)) < 0)
        goto done;
    in_tx = 1;
    /* a run reads the review decisions: they must be the ones the trail vouches for. The
     * whole trail is checked beside the run's linking and rules (it grows with every decision
     * and sign-off), and nothing the run wrote is committed unless it holds; when it does
     * not, that is the error told, after any the run met */
    struct audit_check check;
    if ((rc = audit_check_start(db, &check)) < 0)
        goto done;
    rc = run_create(db, o->as_of, sbuf_str(&scope), &pol, is_official, o->lang, r);
    if (rc == 0)
        rc = link_and_check(db, r, o, m);
    int trail = audit_check_finish(&check);
    if (trail < 0)
        rc = trail;
    if (rc < 0 || (rc = store_commit(db)) < 0)
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
    struct link_stats st;
    struct rules_stats rs;
    struct linked_handoff handoff = { 0 };
    char *copy = xstrdup(scope ? scope : ""), **only = NULL;
    int nonly = 0, rc = 0;
    if ((rc = linked_clear(db, r->id)) < 0 || (rc = findings_clear(db, r->id)) < 0)
        goto done;
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
        rc = link_run(db, r, only, nonly, findings_confirmed_links, &handoff, &st);
    if (rc == 0)
        rc = rules_run(db, r, &handoff, &rs);
done:
    linked_handoff_free(&handoff);
    free(only);
    free(copy);
    return rc;
}
