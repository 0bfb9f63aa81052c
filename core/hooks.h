/* hooks.h: the test hooks, all in one place: environment variables with which the tests reach
 * states that no input can (a crash at a given point, a small memory budget, pairing off).
 * Nothing else in the program reads the environment, except $XVERIFY_DB in main. */
#ifndef XV_HOOKS_H
#define XV_HOOKS_H
#include <stddef.h>

/* $XVERIFY_CRASH_AT=POINT: the process kills itself (SIGKILL) at POINT, as a power cut would.
 * Points: load-stored, load-committed, run-linked, run-committed, reports-written. */
void hook_crash_point(const char *point);
/* $XVERIFY_SPILL_BYTES=N: a load holds N bytes of record hashes (and kept records) before it
 * spills, instead of DEFLT. */
size_t hook_spill_bytes(size_t deflt);
/* $XVERIFY_FAIL_APP=ID[,ID...]: the rules stage fails on each application named, as a store
 * error would: 1 for ID when it is named. */
int hook_fail_app(const char *id);
/* $XVERIFY_FAIL_OPEN=WHAT: the connection a thread opens beside a run, its reports or a
 * reload for WHAT (store_open_beside: "linking", "reading households", "checking the rules",
 * "checking the audit trail", "reading the findings", "reading open records") cannot be
 * opened: 1 for WHAT when it is named. */
int hook_fail_open(const char *what);
/* $XVERIFY_WRITERS=N: N child processes (0 to DEFLT) write a report set's county workbooks
 * beside the process that writes the other files, instead of DEFLT. */
int hook_writers(int deflt);
/* $XVERIFY_PAIRING=0: a reload does not pair records with open versions in step (0); the
 * history case compares the two ways. 1 otherwise. */
int hook_pairing(void);

#endif
