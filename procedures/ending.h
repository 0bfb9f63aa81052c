/* ending.h: what interrupts or ends a procedure: an objection during public notice, a
 * rejection, a withdrawal (workflow.md). */
#ifndef XV_ENDING_H
#define XV_ENDING_H
#include <sqlite3.h>

/* What an objection did. */
struct objection {
    int proc;                  /* the procedure whose notice it stopped (PROC_*) */
    char back_to[32];          /* the status the application is back in */
    char notice_to[11];        /* the last day the notice would have run */
};

/* Records BY's objection to APP, with REASON, today, in one transaction: allowed while the
 * public notice that followed a city sign-off has not ended. The notice stops, the county
 * and city sign-offs are void (the grassroots one is carried over), and the application is
 * back in the procedure's first status, at county review. XV_ENEEDS (nothing recorded) when
 * there is no notice, or it ended (the message gives the date). */
int object_notice(sqlite3 *db, const char *app, const char *by, const char *reason,
                  struct objection *out);

/* Ends APP, today, in one transaction: rejected by BY at LEVEL, or (LEVEL < 0) withdrawn by the
 * applicant as BY records it, with REASON. Allowed for an application in the entry procedure
 * (applied, or in its notice); final. XV_ENEEDS otherwise. */
int end_application(sqlite3 *db, const char *app, int level, const char *by,
                    const char *reason);

#endif
