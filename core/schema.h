/* schema.h: the store's versioned schema (store_open calls these; see store.h). */
#ifndef XV_SCHEMA_H
#define XV_SCHEMA_H
#include <sqlite3.h>

/* Creates every table of STORE_SCHEMA_VERSION in an empty database, in one transaction. */
int schema_create(sqlite3 *db);
/* Brings a database of version FROM (1: xverify 0.1) up to STORE_SCHEMA_VERSION, in one
 * transaction. */
int schema_upgrade(sqlite3 *db, int from);

#endif
