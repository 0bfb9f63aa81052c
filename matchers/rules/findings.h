/* findings.h: the findings and gates tables, which the rules stage writes (findings.c owns
 * them): every other module reads them through these functions. */
#ifndef XV_FINDINGS_H
#define XV_FINDINGS_H
#include <sqlite3.h>
#include "../../core/util.h"
#include "../../core/verdict.h"

/* One stored finding; the strings belong to the reader and hold during the callback only.
 * LOAD and WEIGHT are text ("" when the finding rests on no record), WEIGHT with 3 decimals. */
struct finding_row {
    long long run;
    const char *app, *county, *rule, *severity, *pid, *pname, *feed, *key, *declared, *found,
               *load, *weight, *fingerprint, *evidence, *decision, *raw;
    int has_amount;          /* an income finding: the amount it rests on */
    double amount;
    /* the decision in force as the finding's run saw it: who took it, at which level, when
     * and why; "" while the finding is open */
    struct { const char *by, *level, *at, *reason; } decided;
    /* what people read: the declared and found texts in the run's language (the canonical
     * ones for a run made before runs kept them), every evidence record of a finding that
     * rests on several, one a line ("" otherwise) */
    const char *shown_declared, *shown_found, *records;
};
typedef int (*finding_fn)(void *ctx, const struct finding_row *f);

/* Calls FN for each finding of run RUN (only application APP's, when APP is not NULL) in
 * report order: application, rule, person, record key, fingerprint. A negative return of FN
 * stops the walk and is returned. */
int findings_each(sqlite3 *db, long long run, const char *app, finding_fn fn, void *ctx);
/* The same for the applications from FROM (NULL: the first) up to, not including, TO (NULL:
 * to the last), in the same order. */
int findings_each_between(sqlite3 *db, long long run, const char *from, const char *to,
                          finding_fn fn, void *ctx);

/* Calls FN with the finding of fingerprint FP in the newest run that found it: returns 1,
 * or 0 when no run found it. */
int findings_latest(sqlite3 *db, const char *fp, finding_fn fn, void *ctx);

/* Calls FN, in fingerprint order, with the fingerprint of each open block or review finding
 * of RUN and the first run, up to RUN, that found it: one statement for all of them. */
int findings_open_first_runs(sqlite3 *db, long long run,
                             int (*fn)(void *ctx, const char *fp, long long first), void *ctx);

/* The first run, up to RUN, that found fingerprint FP, into *FIRST (0 when none). *ST is the
 * statement, prepared on the first call (NULL before it) and kept for the next: the caller
 * finalizes it. */
int findings_first_run(sqlite3 *db, sqlite3_stmt **st, const char *fp, long long run,
                       long long *first);

/* Records run RUN's findings in finding_runs, each fingerprint's first and last run (and its
 * application), which the two above and findings_latest read: called once the run's findings
 * are stored, in its transaction. */
int findings_record_runs(sqlite3 *db, long long run);

/* One application's gate in a run; strings as for findings. */
struct gate_row {
    const char *app, *county, *name, *status, *gate;
    long n[SEV_COUNT];       /* findings in force at the run, by severity */
    /* the figures: family size, verified per-capita income and standard (2 decimals), tier;
     * "" where the run did not reach them */
    const char *size, *per_capita, *standard, *tier;
};
typedef int (*gate_fn)(void *ctx, const struct gate_row *g);

/* Calls FN for each gate of run RUN (only APP's, when not NULL), by application. */
int gates_each(sqlite3 *db, long long run, const char *app, gate_fn fn, void *ctx);

/* Calls FN with each run that checked application APP, newest first, until FN returns
 * nonzero (which is returned). */
int gates_runs_of(sqlite3 *db, const char *app, int (*fn)(void *ctx, long long run),
                  void *ctx);

/* Counts the findings of run RUN on APP that are in force now (every decision recorded so
 * far counts, not only those the run could see; an income decision while the amount stays
 * within TOL of the one decided on) into N by severity; FIRST gets "RULE FINGERPRINT" of the
 * first block or review finding among them. */
int findings_in_force(sqlite3 *db, long long run, const char *app, double tol,
                      long n[SEV_COUNT], struct sbuf *first);

/* 1 when run RUN has a finding RULE on APP that is in force now (not dismissed, as
 * findings_in_force counts), 0 when not. */
int findings_rule_in_force(sqlite3 *db, long long run, const char *app, const char *rule,
                           double tol);

/* What changed from run A to run B, one kind of change per call: the findings gone (in A, not
 * in B; swap A and B for the new ones), those whose evidence, severity or decision changed,
 * and the gates that changed. FN gets each change's fields as text, in order; returns how
 * many changes, or an XV_E* code. */
enum findings_change { FCHANGE_GONE, FCHANGE_CHANGED, FCHANGE_GATE };
typedef int (*change_fn)(void *ctx, const char *const *field, int nfield);
long findings_diff(sqlite3 *db, long long a, long long b, enum findings_change what,
                   change_fn fn, void *ctx);

/* Calls FN with each person-record pair (application, person index, record rid) of KIND that
 * a reviewer confirmed as a link: a LINK_UNCERTAIN finding whose latest decision up to
 * sequence number SEQ is 'confirmed', taken on the evidence it had. */
int findings_confirmed_links(sqlite3 *db, long long seq, const char *kind,
                             int (*fn)(void *ctx, const char *app, int idx, long long rid),
                             void *ctx);

/* The digest of run RUN's findings and gates, every column, in key order, into OUT as
 * "F<columns>G<columns>:<SHA-256>"; with LIKE (a digest recorded earlier), over the columns
 * that one covered, so that columns a later schema appends do not change it. */
#define FINDINGS_DIGEST_MAX 96
int findings_digest(sqlite3 *db, long long run, const char *like, char out[FINDINGS_DIGEST_MAX]);
/* 0 when run R's findings and gates are still those its row recorded; XV_ELOCKED when they
 * were changed beside it, XV_ENEEDS when the run is older than recorded digests; the message
 * starts with WHAT ("approval refused"). */
struct run;
int findings_check_digest(sqlite3 *db, const struct run *r, const char *what);

/* finding_runs holds what the findings say, fingerprint by fingerprint (its application,
 * first and last run): 0, or XV_ELOCKED with a message that starts with WHAT. */
int findings_check_runs(sqlite3 *db, const char *what);

/* Removes run RUN's findings and gates (a re-run stores them anew). */
int findings_clear(sqlite3 *db, long long run);

#endif
