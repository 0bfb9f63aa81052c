/* match.h: one run from start to end, as "xverify match" and the nightly run make it. */
#ifndef XV_MATCH_H
#define XV_MATCH_H
#include <sqlite3.h>
#include "../core/run.h"

struct match_opts {
    const char *as_of;        /* YYYY-MM-DD, or NULL: the newest load's as-of date */
    char **only;              /* applicant ids in scope, or NULL (NONLY 0): all */
    int nonly;
    const char *policy_path;  /* or NULL: the built-in defaults */
    const char *out;          /* report folder parent, or NULL: "reports" */
};

/* Creates a run, links its people, evaluates the rules and commits it in one transaction,
 * then writes its reports and prints its summary on stdout. *RUN_ID is the run's id once
 * committed (0 before). A failure to write the reports leaves the committed run. */
int match_run(sqlite3 *db, const struct match_opts *o, long long *run_id);

/* Links and evaluates run R again from what it recorded (as-of date, loads, status changes,
 * decisions, policy, scope), replacing its persons, links, findings and gates, inside the
 * caller's transaction: "xverify rerun" rolls it back after comparing the reports. */
int match_redo(sqlite3 *db, const struct run *r, const char *scope);

#endif
