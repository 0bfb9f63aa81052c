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

/* The nightly inbox's rule for a file name, KIND-YYYYMMDD[-anything].csv|xml: NULL with
 * *KIND and AS_OF (YYYY-MM-DD) set when NAME follows it; else why it does not (it names no
 * known kind or no real date, or holds a control character, a bidirectional override or
 * bytes that are not UTF-8). */
struct kind;
const char *nightly_name(const char *name, const struct kind **kind, char as_of[11]);

#endif
