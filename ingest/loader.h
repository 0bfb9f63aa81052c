/* loader.h: one load: a feed file read, normalised, checked and stored as a new snapshot or upsert. */
#ifndef XV_LOADER_H
#define XV_LOADER_H
#include <sqlite3.h>
#include <stdio.h>

struct ldr_opts {
    const char *kind;        /* kind name (English or Chinese); NULL: the mapping's */
    const char *file;
    const char *map;         /* mapping file or NULL */
    const char *as_of;       /* YYYY-MM-DD or NULL */
    const char *as_of_by;    /* where AS_OF comes from, for messages (NULL: "--as-of") */
    const char *encoding;    /* auto, utf-8, gb18030 or NULL (the mapping's, else auto) */
    double quarantine_limit; /* share of records, default 0.10 */
    int progress;            /* show progress on stderr */
};

/* What a load did, for the summary. Owned by the caller; ldr_result_free releases it. */
struct ldr_result {
    long long load_id;       /* 0 when nothing was loaded */
    long long same_as;       /* the earlier load with the same content, for a no-op */
    char kind[32];
    char as_of[11];
    const char *as_of_source;/* "--as-of", "mapping", "file name", "today" */
    char sha256[65];
    char format[4];
    const char *encoding;
    long rows_read, rows_added, rows_unchanged, rows_closed, rows_duplicate, rows_quarantined;
    double seconds;
    char *unknown_columns;   /* comma-separated, or NULL */
    char **notes;            /* quarantine and warning lines, "FILE:LINE: message" */
    int nnotes;
    long more_notes;         /* notes not kept */
};

/* Loads O->file into DB in one transaction. Returns 0 (loaded, or identical to an earlier
 * load: R->same_as), XV_ENEEDS (loaded with records quarantined), or an XV_E* error with
 * nothing of the file stored. */
int ldr_run(sqlite3 *db, const struct ldr_opts *o, struct ldr_result *r);
void ldr_result_free(struct ldr_result *r);
/* Prints R as the load summary on F. */
void ldr_print(FILE *f, const struct ldr_result *r);

#endif
