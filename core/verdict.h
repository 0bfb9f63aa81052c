/* verdict.h: severities, gates and review decisions: the words every stage judges with, and
 * the one owner of the decisions table. */
#ifndef XV_VERDICT_H
#define XV_VERDICT_H
#include <sqlite3.h>

/* Severities, in the order a gate weighs them. */
enum { SEV_BLOCK, SEV_REVIEW, SEV_INFO, SEV_COUNT };

/* The name of severity SEV: "block", "review" or "info" ("?" out of range). */
const char *sev_name(int sev);
/* The severity named S, or -1. */
int sev_parse(const char *s);

/* An application's gate follows its worst finding still in force: a block finding makes it
 * BLOCK, else a review finding REVIEW, else CLEAR. GATE_* equal the SEV_* they follow from. */
enum { GATE_BLOCK = SEV_BLOCK, GATE_REVIEW = SEV_REVIEW, GATE_CLEAR = SEV_INFO, GATE_COUNT };
/* The gate of N[SEV_COUNT] findings in force, counted by severity. */
int gate_of(const long n[SEV_COUNT]);
/* "BLOCK", "REVIEW" or "CLEAR"; "?" out of range. */
const char *gate_name(int gate);
/* The gate named S, or -1. */
int gate_parse(const char *s);

/* A decision is in force for a finding while its evidence is the evidence decided on, or, for
 * an income finding (one with an amount), while its amount stays within TOL (a share) of the
 * amount decided on: this SQL expression is the decision ('dismissed' or 'confirmed') in force
 * for the finding with fingerprint FP, evidence EV and amount AMOUNT (NULL: none) among the
 * decisions up to sequence number SEQ, or 'open'. All are SQL expressions (columns or
 * parameters) given as string literals. */
#define DECISION_IN_FORCE(fp, ev, amount, tol, seq)                                         \
    "ifnull((SELECT CASE WHEN d.evidence = " ev " OR (d.amount IS NOT NULL AND " amount     \
    " IS NOT NULL AND abs(" amount " - d.amount) <= " tol " * abs(d.amount)) THEN "          \
    "d.decision ELSE 'open' END FROM decisions d WHERE d.fingerprint = " fp " AND d.seq <= " \
    seq " ORDER BY d.seq DESC LIMIT 1), 'open')"

/* The decision in force on a finding, as a LEFT JOIN of the decisions table under the alias
 * D: the latest decision on fingerprint FP among those up to sequence number SEQ, joined only
 * while the finding's DECISION (its DECISION_IN_FORCE when stored) is not 'open', so that D's
 * columns (by, level, at, reason) are NULL for an open finding. */
#define DECISION_JOIN(d, fp, decision, seq)                                                 \
    " LEFT JOIN decisions " d " ON " decision " <> 'open' AND " d ".seq = (SELECT max(x.seq) " \
    "FROM decisions x WHERE x.fingerprint = " fp " AND x.seq <= " seq ")"

/* One decision on one finding, as a reviewer gave it. */
struct decision {
    const char *fingerprint, *evidence, *applicant_id, *rule;
    const char *decision;     /* "dismissed" or "confirmed" */
    const char *by, *level, *reason;
    long long run_id;         /* the run whose finding was decided */
    int has_amount;           /* an income finding: the amount it rested on */
    double amount;
};
/* Records D (now) inside the caller's transaction, with its audit entry. */
int decision_add(sqlite3 *db, const struct decision *d);
/* The decision in force now (every decision recorded so far) on the finding with fingerprint
 * FP, evidence EV and amount AMOUNT (HAS_AMOUNT 0: none), by DECISION_IN_FORCE with the
 * tolerance TOL: "open", "dismissed" or "confirmed" into DECISION (16 bytes), and, when not
 * open, who took it at which level, when and why (into WHO, 256 bytes, and WHY, 512). */
int decision_now(sqlite3 *db, const char *fp, const char *ev, int has_amount, double amount,
                 double tol, char decision[16], char who[256], char why[512]);
/* The sequence number of the newest decision, 0 when none. */
int decision_last_seq(sqlite3 *db, long long *seq);
/* Calls FN for each decision up to sequence number SEQ taken in MONTH (YYYY-MM): its
 * application, fingerprint and date (YYYY-MM-DD), in sequence order. */
int decision_each_in_month(sqlite3 *db, long long seq, const char *month,
                           int (*fn)(void *ctx, const char *app, const char *fp,
                                     const char *date),
                           void *ctx);

#endif
