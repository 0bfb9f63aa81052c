/* schema.h: the store's versioned schema (store_open calls these; see store.h). */
#ifndef XV_SCHEMA_H
#define XV_SCHEMA_H
#include <sqlite3.h>

/* Creates every table of STORE_SCHEMA_VERSION in an empty database, in one transaction. */
int schema_create(sqlite3 *db);
/* Brings a database of version FROM (1: xverify 0.1) up to STORE_SCHEMA_VERSION, in one
 * transaction. */
int schema_upgrade(sqlite3 *db, int from);

/* finding_runs as the findings say it, a row per fingerprint (fingerprint, applicant_id,
 * first_run, last_run): what the upgrade to version 10 fills the table with and what the
 * audit compares it with. The table is read in its order and grouped by a sort, not through
 * an index: reading the rows in fingerprint order took 53 s against 5 s for 28 city-size
 * runs. */
#define SCHEMA_FINDING_RUNS                                                                  \
    "SELECT fingerprint, min(applicant_id) AS applicant_id, min(run_id) AS first_run, "      \
    "max(run_id) AS last_run FROM findings NOT INDEXED GROUP BY fingerprint"

#endif
