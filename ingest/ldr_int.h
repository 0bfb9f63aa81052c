/* ldr_int.h: the loader's inside, shared by its files (ingest/loader.c, ldr_*.c) and by
 * nothing else: the state of one load and the functions its files call in each other. */
#ifndef XV_LDR_INT_H
#define XV_LDR_INT_H
#include <sqlite3.h>
#include <stdint.h>
#include <xxhash.h>
#include "../core/bkeys.h"
#include "../core/kinds.h"
#include "../core/util.h"
#include "loader.h"
#include "mapping.h"
#include "norm.h"
#include "reader.h"
#include "source.h"
#include "vdiff.h"
#include "writer.h"

#define MAX_VALUE 4096     /* bytes in one value after parsing; longer is quarantined */
#define MAX_NOTES 20       /* quarantine and warning lines kept for the summary */
#define VD_BUDGET (32u << 20)   /* bytes of record hashes held in memory before spilling */
/* What a step returns to stop the load without an error (XV_STOP, core/err.h): the file was
 * loaded before. A load also stops when <kind>_hash disagrees with the loads' counts
 * (XV_EREBUILD): ldr_run rebuilds it and loads again. */

struct open_job;   /* ldr_reload.c: reading the open versions in a thread */

enum { OP_INSERT, OP_QUARANTINE, OP_HASH, OP_KEYS, NOPS };

/* Per-column warnings: values that could not be normalised, or unknown codes. */
struct colwarn {
    long bad, unknown;
};

struct keyset {           /* applicant_ids named by an upsert file, with their first line */
    char **key;
    long *line;
    size_t cap, n;
};

/* A record read: its canonical values (where the reader keeps them), its shape and hash. */
struct staged {
    struct rec rec;         /* line, recno and source field count (v is not used) */
    const char **v;         /* the canonical values (unless only hashed): the record's own,
                             * valid while the reader's callback runs */
    struct sbuf raw;        /* the values separated by US: what the hash covers */
    XXH128_hash_t h;
    uint64_t line;          /* the hash of the plain line it was read from (0: none) */
    int shape;              /* enum shape: whether it can be a record at all, and if not */
    int bad_col;            /* the value at fault and its length */
    size_t bad_len;
};

struct ldr {
    sqlite3 *db;
    const struct ldr_opts *o;
    struct ldr_result *r;
    const struct kind *k;
    struct mapping map;
    int have_map;
    struct src_info info;
    uint64_t seed;
    /* a plain CSV line's hash (line_hash) is seeded with the mapping's and the columns'
     * layout: two lines of one hash make one record */
    uint64_t line_seed;
    uint64_t before_hash;   /* the line hash on_before computed, of record before_recno */
    long before_recno;
    long by_line;           /* records on_before paired by their line */
    int *srcmap;            /* source position -> canonical column, or -1 */
    int nsrc;
    int *colsrc;            /* canonical column -> source position, or -1 */
    struct csv_span *fpos;  /* replay: where each field of a kept line is */
    struct sbuf unknown;
    char map_as_of[11];
    int started;
    sqlite3_stmt *stmt[NOPS];   /* the writer's rows: OP_INSERT, OP_QUARANTINE, OP_HASH,
                                 * OP_KEYS */
    /* the row of <kind>_hash that the records being stored go into (see store.h): written
     * when the next one starts, and at the end */
    unsigned char *chunk;
    int64_t chunk_no;
    int chunk_dirty;
    sqlite3_blob *hblob;    /* unstore's handle on <kind>_hash */
    /* a feed's: the row of <kind>_keys beside chunk (core/bkeys.h), NULL for other kinds;
     * the columns an entry is made of (kslot: column -> slot 0 ID, 1 name, 2 birth date,
     * 3 extra, or -1) and their stored texts for the record at hand */
    unsigned char *kchunk;
    sqlite3_blob *kblob;    /* unstore's handle on <kind>_keys */
    int *kslot;
    const char *kextra;     /* bkeys_extra_col of the kind */
    struct sbuf ktext[4];
    int kset[4];
    long long open_expect;  /* the open versions the loads count, or -1: not checked */
    struct wr *w;           /* the writer thread, while records are being stored */
    /* Which records are new: every record's content hash goes into a vdiff beside the open
     * versions'. Deferred (a reload of a kind that has open versions): the first pass only
     * hashes, and a second pass stores the records found new. Otherwise every record is
     * stored as it is read, and those found unchanged or duplicate are taken out again. */
    struct vdiff *vd;
    int deferred, pass;
    struct bits todo;       /* deferred: record N is stored (or quarantined) */
    /* deferred: the first pass keeps every record that may be new (not paired, or not
     * storable), so that the second pass need not read the file again; past the budget it
     * keeps nothing and the second pass reads the file */
    struct sbuf keep;
    size_t keep_budget;
    int keep_over;
    struct bits ended;      /* the open versions the file no longer has */
    /* The rid the next stored record gets: SQLite gives one more than the largest, and
     * nothing else adds rows to the kind's table during the load (checked at the end). */
    int64_t next_rid;
    /* The file is hashed and its encoding checked beside the first pass when its first MiB
     * tells the encoding; until the job is joined, info has only enc and size. */
    struct src_job *job;
    struct open_job *ojob;  /* reading the open versions beside the first pass, or NULL */
    struct src *src;        /* the first pass's source: once read_done, its hash is known */
    int read_done;
    sqlite3_stmt *del, *end, *key;
    struct keyset keys;
    struct colwarn *warn;
    struct staged sg;       /* the record at hand */
    /* scratch, reused for every record */
    const char **val;       /* the value to normalise (after value maps) */
    const char **rawv;      /* the value as the source gave it */
    char *same;             /* 1 when the normalised text equals the raw value */
    struct sbuf craw, tmp, *norm;
    char out[32];           /* a normalised value's text (ID, date, month, county code) */
    double t0;
    long next_progress;
};

/* ---- the records a reload's first pass keeps ---- */

/* A kept record: this header, then LEN bytes: a plain CSV line (N < 0), or N values each
 * ending in NUL. */
struct kept {
    int64_t recno, line;
    int32_t n;
    uint32_t len;
};

/* Whether a record can be stored at all: the right number of CSV fields, no control
 * character, no value over MAX_VALUE bytes. */
enum shape { SHAPE_OK, SHAPE_FIELDS, SHAPE_CONTROL, SHAPE_LONG };


/* ldr_columns.c: headers to canonical columns, the as-of date, upsert keys. ldr_keyset_add
 * returns the line KEY was first seen on when already there, else 0. */
long ldr_keyset_add(struct keyset *ks, const char *key, long line);
int ldr_keyset_has(const struct keyset *ks, const char *key);
void ldr_keyset_free(struct keyset *ks);
int ldr_on_column(void *ctx, int pos, const char *name, long line);
int ldr_check_required(struct ldr *l);
int ldr_on_columns_done(void *ctx);
int ldr_on_as_of(void *ctx, const char *value, long line);
int ldr_file_name_date(const char *path, const char *kind, char out[11]);

/* ldr_record.c: the per-record path (reader callbacks ldr_on_*). */
int ldr_process(struct ldr *l, struct staged *sg);
void ldr_staged_free(struct staged *sg);
int ldr_wanted(void *ctx, long recno);
void ldr_stage(struct ldr *l, const struct rec *rec, int hash_only);
int ldr_on_before(void *ctx, const char *s, size_t n, long line, long recno);
int ldr_on_line(void *ctx, const struct csv_line *ln);
int ldr_on_record(void *ctx, const struct rec *rec);

/* ldr_reload.c: the open versions, <kind>_hash rows, the second pass from kept records.
 */
/* Reads the hash of every open version of KIND (every entry of <kind>_hash, in rid order,
 * less those with an end) on DB into the vdiff's open side. They must be EXPECT in number
 * (unless EXPECT < 0), or the result is XV_EREBUILD. Prints nothing, since it may run in a
 * thread of its own: returns 0, or an XV_* code with the message in the thread's error
 * context. */
int ldr_read_open(sqlite3 *db, const char *kind, long long expect, struct vdiff *vd);
/* Warns that <kind>_hash is rebuilt, for the reason in this thread's error context; returns
 * XV_EREBUILD. */
int ldr_rehash(void);
int ldr_open_start(struct ldr *l, const char *path);
int ldr_open_wait(struct ldr *l);
int ldr_count_open(sqlite3 *db, const char *kind, long long *out);
int ldr_max_rid(struct ldr *l, long long *out);
int ldr_chunk_start(struct ldr *l);
int ldr_chunk_flush(struct ldr *l);
int ldr_replay(struct ldr *l);

/* ldr_history.c: the load row, the ends, the checks before commit. */
int ldr_start(struct ldr *l);
int ldr_diff(struct ldr *l);
int ldr_finish(struct ldr *l);
int ldr_find_same(struct ldr *l);
int ldr_check_rids(struct ldr *l);
int ldr_join_scan(struct ldr *l);

/* loader.c: notes for the summary and progress on stderr. */
void ldr_note(struct ldr_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ldr_progress(struct ldr *l, int final);

#endif
