/* audit.h: the append-only, hash-chained audit trail of loads, runs, decisions and approvals. */
#ifndef XV_AUDIT_H
#define XV_AUDIT_H
#include <sqlite3.h>

/* Appends one entry inside the caller's transaction: ACTION (e.g. "load", "run", "review",
 * "approve", "status"), its SUBJECT (a load or run id, a fingerprint, an applicant id),
 * DETAIL, and the operating-system account that acts (audit_actor). The entry's hash covers
 * the previous entry's hash and every field, so that an entry edited later breaks the chain
 * from there on. */
int audit_append(sqlite3 *db, const char *action, const char *subject, const char *detail);
/* The hash an entry must carry, as 64 hex digits plus NUL in OUT. */
void audit_hash(const char *prev, long long seq, const char *at, const char *action,
                const char *subject, const char *detail, const char *actor, char out[65]);
/* The operating-system account running this process, as every entry records it. */
void audit_actor(char out[64]);

/* The head of a verified trail: how many entries, and the last one's hash, time and what. */
struct audit_head {
    long long entries;
    char hash[65], at[32], what[256];
};
/* Recomputes the whole chain: 0 with *HEAD filled when every entry follows the one before and
 * matches its hash; XV_ELOCKED (the store failed its check) naming the first entry that does
 * not. */
int audit_verify(sqlite3 *db, struct audit_head *head);

/* Calls FN for each entry after number SINCE, in order; a negative return of FN stops. */
typedef int (*audit_fn)(void *ctx, long long seq, const char *at, const char *action,
                        const char *subject, const char *detail, const char *actor);
int audit_each(sqlite3 *db, long long since, audit_fn fn, void *ctx);

#endif
