/* rules.h: the discrepancy catalogue of rules.md evaluated on a run's links, and the gates. */
#ifndef XV_RULES_H
#define XV_RULES_H
#include <sqlite3.h>
#include "../../core/policy.h"
#include "../../core/run.h"
#include "catalogue.h"

struct rules_stats {
    long applications;
    long findings;
    long by_rule[R_COUNT];   /* findings per rule */
    long gates[GATE_COUNT];  /* applications per gate: GATE_BLOCK, GATE_REVIEW, GATE_CLEAR */
};

/* Evaluates every rule for every application of run R (its persons and links must be stored),
 * stores the findings with their fingerprints and the decisions in force at the run, and one
 * gate per application, inside the caller's transaction. FROM (NULL: read the records from
 * the feeds and the links from the table) is what link_run handed on for this run: the
 * records the rules read are taken out of it (the caller frees the rest with
 * linked_handoff_free), and its links are every link of the run as link_run stored them. */
struct linked_handoff;
int rules_run(sqlite3 *db, const struct run *r, struct linked_handoff *from,
              struct rules_stats *st);

/* The fingerprint of a finding: the first 16 hex digits of SHA-256 over rule, application,
 * person ID and record key (and N > 0 when the same four occur more than once). */
void rules_fingerprint(const char *rule, const char *app, const char *person, const char *key,
                       int n, char out[17]);

/* How ID A differs from ID B (identity.c), in the language set (core/msg.h), without a digit
 * of either: which segment, a substitution, a transposition of two neighbours, the check
 * digit, or how many differ where; and whether the names differ too (NAMES_DIFFER). Appended
 * to OUT. */
void rules_id_difference(const char *a, const char *b, int names_differ, struct sbuf *out);

#endif
