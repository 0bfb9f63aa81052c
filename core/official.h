/* official.h: the official policy, the one every official run uses (workflow.md): installed
 * into the store, audited; the built-in defaults until one is installed. The one owner of the
 * policies table. */
#ifndef XV_OFFICIAL_H
#define XV_OFFICIAL_H
#include <sqlite3.h>
#include "policy.h"

/* The official policy into P (the caller's, to release with policy_free); *INSTALLED (when
 * not NULL) gets the number of its installation, 0 for the built-in defaults. */
int official_policy(sqlite3 *db, struct policy *p, long long *installed);

/* Installs the policy of file PATH as the official one, by reviewer BY, inside the caller's
 * transaction, with its audit entry naming the old and the new hash. OLD and NEW (65 bytes
 * each) get those hashes. A policy equal to the one in force is installed all the same (the
 * trail says who confirmed it). */
int official_install(sqlite3 *db, const char *path, const char *by, char old[65], char new[65]);

#endif
