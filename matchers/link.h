/* link.h: record linkage: every person of every application in scope, found in every feed. */
#ifndef XV_LINK_H
#define XV_LINK_H
#include <sqlite3.h>
#include "../core/run.h"

struct link_stats {
    long applications, persons;
    long links[RUN_MAX_KINDS];     /* class 'match', per kind */
    long possible[RUN_MAX_KINDS];  /* class 'possible', per kind */
    long records;                  /* feed records scanned */
};

/* Links the people of run R's applications (those in ONLY, when NONLY > 0) to the feed
 * records the run can see, and stores persons and links, inside the caller's transaction.
 * XV_EUSAGE when an application of ONLY is not in scope. */
int link_run(sqlite3 *db, const struct run *r, char **only, int nonly, struct link_stats *st);

#endif
