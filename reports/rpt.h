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

/* ---- a spot-check sample's list (sample.c) ---- */

/* One household of a sample as its list shows it (the caller's strings). */
struct rpt_sample_row {
    const char *app, *name, *id_no;
};
/* The list's two files while they wait to be put in place. */
struct rpt_pending {
    char *tmp[2], *path[2];
};
struct spot_sample;
/* Writes sample S's list of N households as DIR/sample-ID.csv (a form the field officer fills
 * in: result and note) and DIR/sample-ID.html (a printable page), under temporary names; ID
 * numbers masked. rpt_sample_place then puts both in place (XV_EIO when it cannot), and
 * rpt_sample_drop removes what was not placed; P owns the names until then. */
int rpt_sample_write(const char *dir, const struct spot_sample *s,
                     const struct rpt_sample_row *rows, long n, struct rpt_pending *p);
int rpt_sample_place(struct rpt_pending *p);
void rpt_sample_drop(struct rpt_pending *p);

#endif
