/* loads.h: the loads table, one row per feed file loaded (the one owner of the table): the
 * loader records its loads here, runs pin the loads they see, reports print them. */
#ifndef XV_LOADS_H
#define XV_LOADS_H
#include <sqlite3.h>

/* One load. FILE is the path as given; MAP_SHA256 "" when no mapping file was used. */
struct load_row {
    long long id;
    char kind[32], as_of[11], sha256[65], map_sha256[65], format[16], encoding[16];
    char file[4096];
};

/* What a load did, recorded once it is done. */
struct load_counts {
    long read, added, unchanged, closed, duplicate, quarantined;
    const char *unknown_columns;    /* "" when none */
};

/* Records load L (its ID is ignored) now, inside the caller's transaction: *ID gets its id. */
int loads_add(sqlite3 *db, const struct load_row *l, long long *id);
int loads_set_counts(sqlite3 *db, long long id, const struct load_counts *c);
int loads_set_sha256(sqlite3 *db, long long id, const char *sha256);
/* Load ID into *L: returns 1, or 0 when there is no such load (*L zeroed). */
int loads_get(sqlite3 *db, long long id, struct load_row *l);
/* The newest load of KIND other than load EXCLUDE (one in progress) into *L: returns 1, or 0
 * when there is none. */
int loads_newest_other(sqlite3 *db, const char *kind, long long exclude, struct load_row *l);
/* The first load of KIND with the file hash SHA256 and mapping hash MAP_SHA256: *ID (0: none)
 * and its AS_OF. */
int loads_find_same(sqlite3 *db, const char *kind, const char *sha256, const char *map_sha256,
                    long long *id, char as_of[11]);
/* The newest load (of KIND, or of any kind when KIND is NULL): its id into *ID (0: none),
 * and its as-of date into AS_OF when not NULL ("" when none). The as-of date is the newest
 * one, loads of a kind coming in as-of order. */
int loads_newest(sqlite3 *db, const char *kind, long long *id, char as_of[11]);
/* How many versions of KIND are open, by the loads' counts. */
int loads_open_versions(sqlite3 *db, const char *kind, long long *n);
/* How many versions of KIND a run seeing loads up to LOAD sees, by the loads' counts. */
int loads_open_as_of(sqlite3 *db, const char *kind, long long load, long long *n);
/* Calls FN for each kind's newest load as of AS_OF among the loads up to HORIZON. */
int loads_as_of(sqlite3 *db, const char *as_of, long long horizon,
                int (*fn)(void *ctx, const char *kind, long long id, const char *sha256),
                void *ctx);

#endif
