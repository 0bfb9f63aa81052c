/* drive.h: the drivers that take data through several stages: a run and its reports. */
#ifndef XV_DRIVE_H
#define XV_DRIVE_H
#include <sqlite3.h>
#include "../matchers/match.h"

/* Makes a run as MO says (matchers), prints its summary on stdout, then writes its reports
 * under OUT (NULL: the default folder). *RUN_ID is the run's id once it is committed (0
 * before): a failure to write the reports leaves the committed run, and says how to write
 * them again. */
int drive_run(sqlite3 *db, const struct match_opts *mo, const char *out, long long *run_id);

#endif
