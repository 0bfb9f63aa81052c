/* link.h: record linkage: every person of every application in scope, found in every feed. */
#ifndef XV_LINK_H
#define XV_LINK_H
#include <sqlite3.h>
#include <stdint.h>
#include "../core/run.h"

struct link_stats {
    long applications, persons;
    long links[RUN_MAX_KINDS];     /* class 'match', per kind */
    long possible[RUN_MAX_KINDS];  /* class 'possible', per kind */
    long records;                  /* feed records the run sees */
    long read;                     /* of them, read from their tables: their keys may meet
                                    * someone's (core/bkeys.h) */
    long ruled_out;                /* possible household links of a person with a certain one,
                                    * to a record with another valid ID: not stored */
    /* per kind with periods: the latest period (YYYY-MM) of a record the run can see that is
     * not after the as-of month; "" when none (for social insurance: the coverage month) */
    char last_period[RUN_MAX_KINDS][8];
};

/* The person-record pairs of KIND that reviewers confirmed as links, among the decisions up to
 * sequence number SEQ: FN is called with each (application, person index, record rid). The
 * rules stage keeps them (findings_confirmed_links); the linker is handed the function, so
 * that it does not reach forward into the rules. */
typedef int (*link_confirmed_fn)(sqlite3 *db, long long seq, const char *kind,
                                 int (*fn)(void *ctx, const char *app, int idx, long long rid),
                                 void *ctx);

/* Links the people of run R's applications (those in ONLY, when NONLY > 0) to the feed
 * records the run can see, and stores persons and links, inside the caller's transaction;
 * CONFIRMED gives the household pairs reviewers confirmed. OUT (NULL: nothing handed on)
 * gets, for the rules stage (rules_run), every record read that someone may be linked to and
 * every link stored; the caller frees it with linked_handoff_free. XV_EUSAGE when an
 * application of ONLY is not in scope. */
struct linked_handoff;
int link_run(sqlite3 *db, const struct run *r, char **only, int nonly,
             link_confirmed_fn confirmed, struct linked_handoff *out, struct link_stats *st);

#endif
