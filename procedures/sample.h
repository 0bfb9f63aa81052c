/* sample.h: spot checks (抽查, workflow.md): a reproducible sample of a county's households in
 * one status, drawn and recorded; each field result recorded against its sample. */
#ifndef XV_SAMPLE_H
#define XV_SAMPLE_H
#include <sqlite3.h>
#include "../core/spotcheck.h"

/* A household drawn: its application, applicant's name and ID number (owned strings). */
struct sample_row {
    char *app, *name, *id_no;
};
void sample_rows_free(struct sample_row *rows, long n);

/* Draws and records, inside the caller's transaction, a sample of S->requested applications of
 * county S->county whose status today is S->status: each application is ordered by a 64-bit
 * hash (XXH3) of its id under a key made from S->seed, ties by id, and the first ones are
 * taken, so that the same seed and store state give the same sample. S->by is checked as a
 * reviewer of the county; S->on is set to today; *ROWS (the caller frees them) and *N get
 * the households in drawn order. XV_ENEEDS when the county has no household in that status;
 * the audit entry "sample" records the seed and the households. */
int sample_draw(sqlite3 *db, struct spot_sample *s, struct sample_row **rows, long *n);

/* Records, in one transaction, the field result RESULT ("pass" or "fail") of APP in sample
 * SAMPLE by BY (a reviewer of the sample's county) with NOTE (required for a fail), with
 * its audit entry "spotcheck". XV_EUSAGE for an unknown sample; XV_ENEEDS when APP is not in
 * it or has a result in it already. A fail opens SPOTCHECK_FAILED (block) in the next run. */
int spotcheck_record(sqlite3 *db, long long sample, const char *app, const char *result,
                     const char *by, const char *note);

#endif
