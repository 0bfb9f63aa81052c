/* spotcheck.h: spot checks (抽查): samples of households drawn for a field check and the
 * results recorded: the one owner of the samples, sample_members and spotchecks tables. */
#ifndef XV_SPOTCHECK_H
#define XV_SPOTCHECK_H
#include <sqlite3.h>
#include "util.h"

/* A sample as recorded: who drew it, of which county and status, from which seed. */
struct spot_sample {
    long long id;
    char county[16], status[32], on[11], at[21];
    char *seed, *by;            /* owned: spot_sample_free releases them */
    long long requested, drawn; /* the count asked for and the households drawn */
};
void spot_sample_free(struct spot_sample *s);

/* Records sample S (its id set here) with the N applications APPS in their drawn order,
 * inside the caller's transaction; the caller writes the audit entry that ties them. */
int spot_sample_add(sqlite3 *db, struct spot_sample *s, char *const *apps, long n);
/* Reads sample ID into S (XV_EUSAGE when there is none). */
int spot_sample_get(sqlite3 *db, long long id, struct spot_sample *s);
/* 1 when APP was drawn in sample ID, 0 when not. */
int spot_sample_has(sqlite3 *db, long long id, const char *app);

/* Records the result ("pass" or "fail") of APP's field check in sample SAMPLE, inside the
 * caller's transaction. */
int spot_result_add(sqlite3 *db, long long sample, const char *app, const char *result,
                    const char *by, const char *note);
/* 1 when APP already has a result in sample SAMPLE, 0 when not. */
int spot_result_has(sqlite3 *db, long long sample, const char *app);

/* The number of the newest result and of the newest sample, 0 when none: what a run can
 * see. */
int spot_last_seq(sqlite3 *db, long long *seq, long long *sample);
/* The performance figures of spot checks per county, in county order: "drawn" (households
 * of the samples up to SAMPLE drawn in MONTH, YYYY-MM), "done" and "failed" (results up to
 * SEQ recorded in MONTH). */
int spot_figures(sqlite3 *db, long long sample, long long seq, const char *month, figure_fn fn,
                 void *ctx);
/* Prepares the statement a run reads an application's latest result with: bind ?1 the
 * application and ?2 the run's spot_seq; a row is sample_id, result, by, at, note. */
int spot_latest_stmt(sqlite3 *db, sqlite3_stmt **st);

#endif
