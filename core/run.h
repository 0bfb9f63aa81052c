/* run.h: a run: one evaluation of applications as of a date, on the data it could see then. */
#ifndef XV_RUN_H
#define XV_RUN_H
#include <sqlite3.h>
#include "kinds.h"
#include "policy.h"
#include "util.h"

/* The program's version, as --version prints it and every run records it. */
#define XV_VERSION "0.1.0"

#define RUN_MAX_KINDS 12

struct run {
    long long id;
    char as_of[11];
    long long horizon;                 /* the newest load the run could see */
    long long status_seq;              /* the newest status change it could see */
    long long decision_seq;            /* the newest review decision it could see */
    long long spot_seq;                /* the newest spot-check result it could see */
    long long sample_seq;              /* the newest spot-check sample it could see */
    long long load_of[RUN_MAX_KINDS];  /* per kind (xv_kinds order): the load it used, 0: none */
    struct policy pol;                 /* owned: run_free releases it */
    char *scope;                       /* the --applicant list, comma-separated; "": all */
    char *versions;                    /* the program and library versions that made it */
    char started_at[21];               /* YYYY-MM-DDTHH:MM:SSZ */
    /* the date statuses are judged on (workflow.md): the recorded start date, or the as-of
     * date when that is later (data dated ahead of the clock), so a re-run sees them as the
     * run did */
    char status_on[11];
    double link_seconds, rules_seconds;  /* the stages' times, once recorded */
    int official;                      /* 1: an official run, 0: a trial run (试算) */
    int lang;                          /* its files' language: MSG_ZH or MSG_EN (core/msg.h) */
    /* the coverage month (YYYY-MM): the latest month with social-insurance records the run
     * can see, at most its as-of month; "" when none (the as-of month stands for it then).
     * HAS_COVERAGE is 0 for a run made before runs kept it (its reports never showed it). */
    int has_coverage;
    char coverage[8];
    /* the digest of its findings and gates as recorded (findings_digest); "" for a run made
     * before runs recorded it */
    char findings_sha256[96];
};

/* What a run found, recorded in its row once linked and checked. */
struct run_counts {
    long applications, persons, links, possible, findings;
    double seconds, link_seconds, rules_seconds;
    const char *findings_sha256;       /* the digest of its findings and gates */
};

/* Records a new run as of AS_OF (YYYY-MM-DD; NULL: the newest load's as-of date, so that no
 * clock decides) with policy POL (copied), its files in language LANG (MSG_ZH or MSG_EN),
 * inside the caller's transaction: what it can see is everything loaded so far. The run is
 * official when OFFICIAL_POLICY (POL is the official policy) and its date is the default one;
 * else it is a trial run. XV_EUSAGE when nothing is loaded yet. */
int run_create(sqlite3 *db, const char *as_of, const char *scope, const struct policy *pol,
               int official_policy, int lang, struct run *r);
/* Reads run ID (0: the latest) into R (overwritten; run_free releases what it holds).
 * XV_EUSAGE when there is no such run. */
int run_open(sqlite3 *db, long long id, struct run *r);
void run_free(struct run *r);
/* The newest official run into *ID, 0 when there is none. */
int run_latest_official(sqlite3 *db, long long *id);
/* Calls FN with the id of every run, newest first, until FN returns nonzero (which is
 * returned). */
int run_ids_each(sqlite3 *db, int (*fn)(void *ctx, long long id), void *ctx);
/* The date (YYYY-MM-DD) run ID was started, into DATE; XV_EUSAGE when there is none. */
int run_started_on(sqlite3 *db, long long id, char date[11]);
/* Records C in run R's row (and R's stage times and coverage month), inside the caller's
 * transaction. */
int run_record(sqlite3 *db, struct run *r, const struct run_counts *c);
/* 1 when run R has seen the newest load of every kind; 0 with the reason in WHY when not. */
int run_is_current(sqlite3 *db, const struct run *r, struct sbuf *why);
/* Calls FN for each load run RUN used, in load order. */
int run_loads_each(sqlite3 *db, long long run,
                   int (*fn)(void *ctx, const char *kind, long long load, const char *sha256),
                   void *ctx);
/* Checks that every run's loads are still the ones it used: each problem a line into
 * PROBLEMS, *RUNS the runs checked; returns how many problems, or an XV_E* code. */
int run_check(sqlite3 *db, struct sbuf *problems, long long *runs);
/* Program and library versions, as a run records them. The caller frees the string. */
char *run_versions(void);
/* The SQL condition selecting the versions of table KIND (named T in the query) that a run
 * whose load of the kind is LOAD (a parameter) sees: loaded by then, and not ended by then
 * (store.c). All three are string literals. A scan of a whole feed reads the ends beside it
 * instead (store_ends), rather than look each record up. */
#define RUN_VISIBLE(kind, t, load) \
    t ".load_id <= " load " AND NOT EXISTS (SELECT 1 FROM " kind "_end x WHERE x.rid = " t \
    ".rid AND x.to_load <= " load ")"

#endif
