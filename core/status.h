/* status.h: an application's status (applied, notice, archived, exited, relieved) as dated
 * changes: the one owner of the app_status table. */
#ifndef XV_STATUS_H
#define XV_STATUS_H
#include <sqlite3.h>
#include "util.h"

/* An SQL expression: the status of the application APP as of the date DATE, among the
 * changes up to sequence number SEQ (NULL when it has none). APP, SEQ and DATE are SQL
 * expressions (columns or parameters) given as string literals. */
#define STATUS_AS_OF(app, seq, date)                                                        \
    "(SELECT s.status FROM app_status s WHERE s.applicant_id = " app " AND s.seq <= " seq  \
    " AND s.from_date <= " date " ORDER BY s.seq DESC LIMIT 1)"

/* The statuses whose applications runs check and duplicate checks compare against, as an SQL
 * list (workflow.md): rejected and withdrawn ones are out; exited ones leave with the end of
 * their relapse watch (STATUS_SCOPED). */
#define STATUS_IN_SCOPE "('applied', 'notice', 'archived', 'relieved')"

/* An SQL expression: APP's status as STATUS_AS_OF gives it when runs check the application,
 * else NULL: a status of STATUS_IN_SCOPE, or exited through the exit procedure less than
 * MONTHS months (an integer SQL expression: the policy's relapse.months) before DATE, the
 * relapse watch. An exited status taken over from a load has no exit date: no watch. */
#define STATUS_SCOPED(app, seq, date, months)                                               \
    "(SELECT CASE WHEN s.status IN " STATUS_IN_SCOPE " OR (s.status = 'exited' AND "        \
    "s.source <> 'load' AND s.from_date > date(" date ", '-' || (" months ") || ' months')) " \
    "THEN s.status END "                                                                     \
    "FROM app_status s WHERE s.applicant_id = " app " AND s.seq <= " seq                   \
    " AND s.from_date <= " date " ORDER BY s.seq DESC LIMIT 1)"

/* The status of APP in force on DATE (every change recorded so far): 1 with STATUS (32
 * bytes) and *SEQ, the change's sequence number, set; 0 when APP has no status yet. */
int status_at(sqlite3 *db, const char *app, const char *date, char status[32], long long *seq);
/* Records that APP has STATUS from the date FROM on, for the reason SOURCE, with its audit
 * entry, inside the caller's transaction. */
int status_add(sqlite3 *db, const char *app, const char *status, const char *from,
               const char *source);

/* The applications of applicant load LOAD that have no status yet get the one their status
 * column gives, from the load's date AS_OF (a load never changes a status once set). */
int status_from_load(sqlite3 *db, long long load, const char *as_of);

/* The date status change SEQ takes effect, into FROM. */
int status_from_date(sqlite3 *db, long long seq, char from[11]);

/* The performance figures of statuses, per county of the applications of applicant load LOAD,
 * with the changes up to SEQ whose date is on or before ON: each status by name (its count of
 * applications), and the changes dated in MONTH (YYYY-MM): "approvals" (entry notices
 * started: city sign-offs), "objections", "exits" and "reliefs"; in county, then name order. */
int status_figures(sqlite3 *db, long long load, long long seq, const char *on,
                   const char *month, figure_fn fn, void *ctx);

/* An application under public notice, as a notice list shows it. */
struct status_notice {
    const char *app, *county, *name, *reason;   /* reason: its hardship reason (致困原因) */
    const char *procedure;                      /* "entry", "exit" or "relief" */
    const char *from, *to;                      /* the notice's first and last day */
};
/* Calls FN for each application of applicant load LOAD under public notice on ON with the
 * changes up to SEQ, in county, then application order. */
int status_notices(sqlite3 *db, long long load, long long seq, const char *on,
                   int (*fn)(void *ctx, const struct status_notice *n), void *ctx);

/* The sequence number of the newest status change, 0 when none. */
int status_last_seq(sqlite3 *db, long long *seq);

#endif
