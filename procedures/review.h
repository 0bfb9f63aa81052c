/* review.h: a reviewer's decision on one finding: who may decide what, and recording it. */
#ifndef XV_REVIEW_H
#define XV_REVIEW_H
#include <sqlite3.h>

struct review_req {
    const char *fingerprint;
    const char *decision;     /* "dismissed" or "confirmed" */
    const char *by, *level, *reason;
};

/* The finding a decision was recorded on, as the latest run that found it shows it. The
 * strings are owned by it; review_done_free releases them. */
struct review_done {
    long long run_id;
    char *app, *rule, *sev, *county;
    int has_amount;           /* an income finding: the amount it rested on */
    double amount;
};

/* Records Q in one transaction. XV_EUSAGE when no finding has the fingerprint; XV_ENEEDS
 * (nothing recorded) when the reviewer may not take that decision: a block finding is
 * dismissed at city level only, and with a registry loaded the reviewer must be an active
 * one of that level and, below the city, of the application's county (reviewers.h). */
int review_decide(sqlite3 *db, const struct review_req *q, struct review_done *out);
/* The same checks and record inside the caller's transaction (OUT released on failure). */
int review_record(sqlite3 *db, const struct review_req *q, struct review_done *out);
void review_done_free(struct review_done *d);

#endif
