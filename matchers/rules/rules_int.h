/* rules_int.h: the rules stage's inside, shared by the files of matchers/rules/ and nothing
 * else: an application as the rules see it, and what each rule group adds to it. */
#ifndef XV_RULES_INT_H
#define XV_RULES_INT_H
#include <pthread.h>
#include <sqlite3.h>
#include "../../core/kinds.h"
#include "../../core/policy.h"
#include "../../core/run.h"
#include "../../core/util.h"
#include "../linked.h"
#include "catalogue.h"
#include "rules.h"

/* One linked feed record of an application, with its values as text (NULL: no value). */
struct rec {
    const struct kind *k;
    int person;              /* index in the application's persons */
    int possible;            /* a possible match, not a link */
    int decided;             /* LINKED_CONFIRMED or LINKED_DISMISSED: a reviewer's decision
                              * on a possible match; else 0 */
    long long rid, load;
    double weight;
    char **v;                /* by column, the values in the same block (app_fetch) */
    char *raw;               /* "column=value; ..." as the source wrote it */
};

struct person {
    int idx;
    char *id, *name, *relation;
    int id_valid;
    double income;           /* declared, 0 when not given */
    int hh;                  /* the linked household record (index in recs), -1: none */
    int deceased;
};

/* A finding's text twice: CANON, in English (or as the feed wrote it), is what its evidence
 * hash reads, the same in every language so that a decision outlives a change of language;
 * SHOWN is what people read in the run's language (NULL: CANON). Both allocated. */
struct said {
    char *canon, *shown;
};

struct finding {
    int rule, sev, idx;      /* idx: the application's person, -1 for none */
    char *pid, *pname, *key, *declared, *found;
    char *shown_declared, *shown_found;  /* NULL: declared, found */
    char *records;           /* every evidence record it rests on, one a line; NULL: its one */
    int ev;                  /* the evidence record (index in recs), -1 for none */
    char *fpkey;             /* what the fingerprint takes for the key: NULL, the key; an
                              * income finding's is stable across month-turns (workflow.md) */
    double amount;           /* the amount an income finding rests on, NAN for others */
    /* set by findings_settle: */
    char fp[17], evh[65];    /* the fingerprint and the evidence hash */
    const char *decision;    /* the decision in force: "open", "dismissed" or "confirmed" */
};

struct app {
    char *id, *county, *name, *status, *reason;
    double income, area;
    int has_area;
    long decl_vehicles, decl_properties, decl_business;
    struct person *ps;
    int nps;
    struct rec *recs;
    int nrecs;
    struct finding *fs;
    int nfs;
    /* the figures its gate shows (rules_income): family size, verified per-capita income,
     * the standard and the tier (a static string); HAS_*: known */
    int size, has_pc, has_std;
    double pc, std;
    const char *tier;
};

struct ctx {
    sqlite3 *db;
    const struct run *r;
    const struct policy *pol;
    struct rules_stats *st;
    sqlite3_stmt *fetch[RUN_MAX_KINDS]; /* a feed record by rid */
    /* the run's linked records and household members, read once in rid order before the
     * rules: one at a time by rid, each read costs a 64 KiB page of a table many times the
     * cache's size */
    struct linked_rows cache[RUN_MAX_KINDS];
    struct linked_reader linked; /* the run's persons and links */
    sqlite3_stmt *app, *status, *std, *decision, *ins, *gate;
    sqlite3_stmt *contact, *visits, *spot;  /* followup.c's, prepared on first use */
    /* identity.c's, built before the applications are checked and then only read: the people
     * of every application in scope with their IDs; the members of the applicants'
     * households */
    struct dup_index *dups;
    struct hh_index *hhx;
    char months[60][8];      /* D's month and the months before it, newest first */
    int nmonths;
    int tty;                 /* stderr is a terminal: progress lines */
};

static inline int rules_sev(const struct ctx *c, int r)
{
    return (int)c->pol->v[P_SEV_FIRST + r];
}

/* A person counts in the family unless the register says they died. */
static inline int in_family(const struct person *p)
{
    return !p->deceased;
}

static inline int family_size(const struct app *a)
{
    int n = 0;
    for (int i = 0; i < a->nps; i++)
        n += in_family(&a->ps[i]);
    return n;
}

/* rules.c: prepares C's statements on C->db (fixed text: values are bound, never written
 * into the SQL) and opens C's reader of the run's persons and links there. */
int rules_prepare(struct ctx *c);
/* Finalizes C's statements (rules_prepare's and followup.c's) and closes its reader. */
void rules_finalize(struct ctx *c);
/* check.c: work of the rules stage in a thread of its own beside the run (struct
 * store_beside, WHAT a static text its errors name): FN is called with B, whose context C is
 * a copy of the run's without its statements, its db the thread's connection (not called
 * when that cannot be opened); END (NULL: none), last in the thread, whether FN was called or
 * not, with B->job.rc set; ARG is the caller's. rules_beside_finish joins the thread and,
 * when RC (the run's own) is 0, raises the thread's error. rules_beside_start returns 0 when
 * no thread could be started. */
struct beside {
    struct store_beside job; /* the thread; its result in job.rc and job.msg */
    struct ctx c;
    struct rules_stats st;   /* not counted in: the run counts as it stores */
    int (*fn)(struct beside *b);
    void (*end)(struct beside *b);
    void *arg;
};
int rules_beside_start(struct ctx *c, struct beside *b, const char *what,
                       int (*fn)(struct beside *b), void (*end)(struct beside *b), void *arg);
int rules_beside_finish(struct beside *b, int rc);
/* Joins B's thread, leaving its error (B->job.rc, B->job.msg) to the caller. */
void rules_beside_join(struct beside *b);
/* check.c: checks every application of C's run and stores its findings and gate, in ID
 * order; SPLIT: the second half in a thread of its own (C->db's file must then be readable
 * beside it, store_readable_beside, and C->linked.set the run's links and persons). */
int rules_check_all(struct ctx *c, int split);
/* app.c: a linked record's value of column COL (NULL: none), tests on it, its record key. */
const char *rec_value(const struct rec *r, const char *col);
int rec_is(const struct rec *r, const char *col, const char *value);
double rec_num(const struct rec *r, const char *col, int *have);
char *rec_key(const struct rec *r);
/* The value of column COL, "" when it has none. */
static inline const char *rec_str(const struct rec *r, const char *col)
{
    const char *v = rec_value(r, col);
    return v ? v : "";
}
/* app.c: reading an application (app_free releases it) and adding a finding to it: KEY,
 * DECLARED and FOUND are taken over (a NULL canon: ""); rules_fmt is an allocated printf. */
void app_free(struct app *a);
int app_read(struct ctx *c, const char *id, struct app *a);
void finding_add(struct app *a, int rule, int sev, int person, const char *pid,
                 const char *pname, const struct rec *ev, char *key, struct said declared,
                 struct said found);
/* finding_add with the rule's own severity of the policy. */
static inline void finding(const struct ctx *c, struct app *a, int rule, int person,
                           const char *pid, const char *pname, const struct rec *ev, char *key,
                           struct said declared, struct said found)
{
    finding_add(a, rule, rules_sev(c, rule), person, pid, pname, ev, key, declared, found);
}
/* Text that reads the same in every language (feed values, numbers, IDs), taken over. */
static inline struct said as_is(char *s)
{
    return (struct said){ s, NULL };
}
/* CANON and SHOWN, taken over: for a text whose canonical form is not the table's English. */
static inline struct said said2(char *canon, char *shown)
{
    return (struct said){ canon, shown };
}
/* A code or word (a status, 有/无) as it is, and in the run's language to read. */
struct said said_word(const char *word);
/* The message KEY (core/msg.h) with the arguments: its English as the canonical text, the
 * run's language as the shown one. */
struct said rules_say(const char *key, ...) __attribute__((format(printf, 1, 2)));
/* Adds record R to the evidence records listed with the finding added last (a finding that
 * rests on several: every property, every month). */
void finding_record(struct app *a, const struct rec *r);
/* Makes the finding added last an income finding: its fingerprint takes FPKEY (copied) for
 * its record key, and a decision on it holds while AMOUNT stays within the tolerance. */
void finding_income(struct app *a, const char *fpkey, double amount);
char *rules_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* Column I of ST's row, copied; DFLT (copied) or NULL when it is NULL. */
char *column_text_or(sqlite3_stmt *st, int i, const char *dflt);
/* Reads every record of feed K that run C links to, and the members of the applicants'
 * households (C->hhx), into C's cache, taking those the linker kept from KEPT
 * (NULL: none) instead of reading them; linked_rows_free releases them. */
int app_cache(struct ctx *c, const struct kind *k, struct linked_rows *kept);
/* Adds record RID of KIND, linked to person PERSON (POSSIBLE: not certainly) at WEIGHT, to
 * A's records. */
int app_fetch(struct ctx *c, struct app *a, const char *kind, long long rid, int person,
              int possible, double weight);
/* identity.c: the active people registered in a household that an applicant is linked to
 * (temp.xv_household, rules.c), by household number and rid: rules_hh_build reads them into
 * C->hhx (rules_hh_free releases it), hh_members gives household NO's (*OUT, the count). */
struct hh_member {
    const char *no, *id;     /* id may be NULL */
    long long rid;
};
struct hh_index {
    struct hh_member *v;
    size_t n;
    struct arena text;
};
int rules_hh_build(struct ctx *c);
size_t hh_members(const struct hh_index *x, const char *no, const struct hh_member **out);
void rules_hh_free(struct ctx *c);
/* identity.c: reads the people in scope (temp.xv_scope_people) into C->dups, for
 * rules_duplicates; rules_dups_free releases them. */
int rules_dups_build(struct ctx *c);
void rules_dups_free(struct ctx *c);
/* One rule group each: the findings of application A. */
int rules_identity(struct ctx *c, struct app *a);
int rules_duplicates(struct ctx *c, struct app *a);
/* followup.c: CONTACT_MISSING and VISIT_OVERDUE of an archived household. */
int rules_followup(struct ctx *c, struct app *a);
/* followup.c: SPOTCHECK_FAILED, from the latest spot-check result the run can see. */
int rules_spotcheck(struct ctx *c, struct app *a);
void rules_assets(struct ctx *c, struct app *a);
int rules_income(struct ctx *c, struct app *a);
void rules_exit(struct ctx *c, struct app *a);
void rules_relapse(struct ctx *c, struct app *a);
/* identity.c: the decisions reviewers took on A's possible links (LINK_UNCERTAIN), recorded
 * on the run's links (linked_decide) so that the rules see a confirmed record as the person's
 * from this run on. */
int rules_link_decisions(struct ctx *c, struct app *a);
/* findings.c: prepares the statements of the findings and gates tables (C's decision, ins,
 * gate); sorts A's findings and sets each one's fingerprint, evidence hash and decision in
 * force; stores A's findings, settled, and its gate. */
int findings_prepare(struct ctx *c);
int findings_settle(struct ctx *c, struct app *a);
int app_write(struct ctx *c, const struct app *a);
/* app.c: frees what app_write does not read of A, an application whose findings are settled
 * (its records' values, its persons); app_free still frees the rest. */
void app_trim(struct app *a);

#endif
