/* rpt.h: a run's report files: findings.csv, gates.csv, findings.xml, county pages, summary.txt. */
#ifndef XV_RPT_H
#define XV_RPT_H
#include <sqlite3.h>
#include "../core/run.h"
#include "../core/util.h"

/* Where reports go when no --out is given: RPT_DEFAULT_OUT/<run-id>/. */
#define RPT_DEFAULT_OUT "reports"

struct rpt_opts {
    const char *out;         /* parent folder: the files go to OUT/<run-id>/ ("reports") */
    const char *county;      /* only this county's page, or NULL for every file */
    int unmasked;            /* IDs in full, into OUT/<run-id>-unmasked/ */
    int rerun;               /* into OUT/<run-id>-rerun/, compared with the recorded hashes,
                              * recording nothing (the caller's transaction is open) */
};

/* Writes run R's reports as O says. Each file is written beside its final name and renamed
 * into place once complete, so a failure (XV_EIO) leaves earlier files as they were. The
 * summary text is appended to SUMMARY (the caller's, may be NULL). When every file of the
 * masked, all-county set is written, their hashes are recorded with the run (the first time)
 * or compared with what the run recorded (later: a difference is reported and returned as
 * XV_ENEEDS). */
int rpt_write(sqlite3 *db, const struct run *r, const struct rpt_opts *o, struct sbuf *summary);

#endif
