/* audit.h: the append-only audit trail of loads, runs, decisions, approvals and statuses:
 * hash-chained, sealed with a key kept outside the database, and tied to the rows it vouches
 * for. */
#ifndef XV_AUDIT_H
#define XV_AUDIT_H
#include <sqlite3.h>
#include "store.h"
#include "util.h"

/* Appends one entry inside the caller's transaction: ACTION (e.g. "load", "run", "review",
 * "approve", "status"), its SUBJECT (a load or run id, a fingerprint, an applicant id),
 * DETAIL, and the operating-system account that acts (audit_actor). The entry's hash covers
 * the previous entry's hash and every field, so that an entry edited later breaks the chain
 * from there on; it ties every row of the vouched-for tables written since the last entry
 * (audit_ties.c), and its seal, an HMAC under the audit key (seal.h), covers the hash and the
 * ties. Fails (XV_EUSAGE) without a usable key, and (XV_ELOCKED) on a trail not yet sealed. */
int audit_append(sqlite3 *db, const char *action, const char *subject, const char *detail);
/* The hash an entry must carry, as 64 hex digits plus NUL in OUT. */
void audit_hash(const char *prev, long long seq, const char *at, const char *action,
                const char *subject, const char *detail, const char *actor, char out[65]);
/* The operating-system account running this process, as every entry records it. */
void audit_actor(char out[64]);

/* The head of a verified trail: how many entries, the last one's hash and seal, time and
 * what; how many rows the trail vouches for. */
struct audit_head {
    long long entries, rows;
    char hash[65], mac[65], at[32], what[256];
};
/* Recomputes the whole chain and every seal, and checks each vouched-for row against its tie
 * both ways: 0 with *HEAD filled when all hold; XV_ELOCKED (the store failed its check)
 * naming the first entry or row that does not; XV_EUSAGE without a usable key. */
int audit_verify(sqlite3 *db, struct audit_head *head);

/* audit_verify beside a run: the whole trail checked in a thread of its own, on a read-only
 * connection to the store's file, while the run links and checks in its transaction, which
 * must not have written yet when it starts (the thread sees what that transaction began
 * with: nothing else can commit while it holds the write lock). Where no second connection
 * can read beside it (store_readable_beside), the check runs at once, in this thread. */
struct audit_check {
    struct store_beside job;   /* the thread, when it runs beside */
    int rc;                    /* the check's result once finished, or run at once */
    struct audit_head head;
};
/* Starts the check of DB's trail into C. The key is checked first, in this thread (no usable
 * key: XV_EUSAGE at once, as audit_verify). Returns the check's result when it ran at once
 * (its error printed), else 0 or an XV_E* code when the thread could not start. */
int audit_check_start(sqlite3 *db, struct audit_check *c);
/* Waits for C's check and returns its result, printing its error (as audit_verify would have)
 * when the trail does not hold; 0 when it held. Call it once whatever happened since
 * audit_check_start returned 0, before anything the run wrote is committed. */
int audit_check_finish(struct audit_check *c);
/* Seals a trail written before keyed seals, inside the caller's transaction: verifies its
 * plain chain, seals every entry, and appends a "seal" entry that ties every row there is.
 * Refuses a trail that is partly sealed (seals were removed). */
int audit_seal(sqlite3 *db, struct audit_head *head);
/* 0 when the verified trail HEAD still holds the entry WANT names ("N:MAC", as printed by
 * audit --head); XV_ELOCKED when it was cut off or rewritten from there. */
int audit_expect(const struct audit_head *head, sqlite3 *db, const char *want);

/* Calls FN for each entry after number SINCE, in order; a negative return of FN stops. */
typedef int (*audit_fn)(void *ctx, long long seq, const char *at, const char *action,
                        const char *subject, const char *detail, const char *actor);
int audit_each(sqlite3 *db, long long since, audit_fn fn, void *ctx);

/* ---- ties (audit_ties.c) ---- */
/* Ties the rows of the vouched-for tables written since the last tie to entry SEQ, appending
 * their lines (audit_tie_line) to TIES and counting them in *NROWS. */
int audit_tie_new(sqlite3 *db, long long seq, struct sbuf *ties, long long *nrows);
/* The hash of ST's current row, columns FIRST to FIRST+NCOLS-1: each value with its type,
 * so that 1, 1.0, '1' and NULL differ. Only the first NCOLS columns: a column a later schema
 * appends does not change the hash of a row hashed before it. */
void audit_row_hash(sqlite3_stmt *st, int first, int ncols, char out[65]);
/* One tie as an entry's seal covers it. */
void audit_tie_line(struct sbuf *b, const char *tbl, long long row, int ncols, const char *hash);
/* Every vouched-for row has a tie to an entry of a trail of ENTRIES entries, and matches it;
 * every tie has its row. Counts the rows in *NROWS. */
int audit_check_ties(sqlite3 *db, long long entries, long long *nrows);

#endif
