/* run.h: a run: one evaluation of applications as of a date, on the data it could see then. */
#ifndef XV_RUN_H
#define XV_RUN_H
#include <sqlite3.h>
#include "kinds.h"
#include "policy.h"

#define RUN_MAX_KINDS 8

struct run {
    long long id;
    char as_of[11];
    long long horizon;                 /* the newest load the run could see */
    long long status_seq;              /* the newest status change it could see */
    long long decision_seq;            /* the newest review decision it could see */
    long long load_of[RUN_MAX_KINDS];  /* per kind (xv_kinds order): the load it used, 0: none */
    struct policy pol;                 /* owned: run_free releases it */
};

/* Records a new run as of AS_OF (YYYY-MM-DD) with policy POL (copied) inside the caller's
 * transaction: what it can see is everything loaded so far. */
int run_create(sqlite3 *db, const char *as_of, const char *scope, const struct policy *pol,
               struct run *r);
/* Reads run ID (0: the latest) into R (overwritten; run_free releases what it holds).
 * XV_EUSAGE when there is no such run. */
int run_open(sqlite3 *db, long long id, struct run *r);
void run_free(struct run *r);
/* Program and library versions, as a run records them. The caller frees the string. */
char *run_versions(void);
/* The SQL condition selecting the versions visible to a run in a kind's table, with its load
 * as parameter ?1: "load_id <= ?1 AND (to_load IS NULL OR to_load > ?1)". */
#define RUN_VISIBLE "load_id <= ?1 AND (to_load IS NULL OR to_load > ?1)"

#endif
