/* match.h: one run from start to end, as "xverify match" and the nightly run make it. */
#ifndef XV_MATCH_H
#define XV_MATCH_H
#include <sqlite3.h>
#include "../core/run.h"
#include "link.h"
#include "rules/rules.h"

struct match_opts {
    const char *as_of;        /* YYYY-MM-DD, or NULL: the newest load's as-of date */
    char **only;              /* applicant ids in scope, or NULL (NONLY 0): all */
    int nonly;
    const char *policy_path;  /* or NULL: the built-in defaults */
    int lang;                 /* the files' language: MSG_ZH (0, the default) or MSG_EN */
};

/* What a run found, for its summary. */
struct match_result {
    struct link_stats link;
    struct rules_stats rules;
    long links, possible;     /* over every feed */
    double seconds, link_seconds, rules_seconds;
};

/* Creates a run, links its people, evaluates the rules and commits it in one transaction.
 * On success R is the committed run (the caller's, to release with run_free) and M what it
 * found; on failure nothing is committed and R holds nothing. */
int match_run(sqlite3 *db, const struct match_opts *o, struct run *r, struct match_result *m);

/* Links and evaluates run R again from what it recorded (as-of date, loads, status changes,
 * decisions, policy, scope), replacing its persons, links, findings and gates, inside the
 * caller's transaction: "xverify rerun" rolls it back after comparing the reports. */
int match_redo(sqlite3 *db, const struct run *r, const char *scope);

#endif
