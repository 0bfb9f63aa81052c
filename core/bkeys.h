/* bkeys.h: the blocking keys of a person or a feed record, and <kind>_keys, which keeps
 * every feed record version's keys so that the linker reads 24 bytes a version, not its row. */
#ifndef XV_BKEYS_H
#define XV_BKEYS_H
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>
#include "kinds.h"
#include "store.h"

/* The blocking keys of a person or record with a normalised 18-character ID, NAME and BIRTH
 * (YYYY-MM-DD or ""): the ID, its first 17 characters, the ID's birth segment with the name,
 * the birth date with the name (when known), the ID's region and sequence with the name; into
 * OUT, returns how many (4 or 5). Two records that could be one person share one. */
int bkeys_of(const char *id, const char *name, const char *birth, uint64_t out[5]);
/* The birth date an 18-character ID carries, YYYY-MM-DD, or "" when it is no real date. */
void bkeys_birth_of_id(const char *id, char out[11]);
/* The 32-bit form of key K that <kind>_keys keeps (never 0). */
static inline uint32_t bkeys_short(uint64_t k)
{
    uint32_t s = (uint32_t)(k ^ (k >> 32));
    return s ? s : 1;
}

/* <kind>_keys(chunk, keys): chunk N holds the entries of rids N * BKEYS_RIDS to
 * N * BKEYS_RIDS + BKEYS_RIDS - 1 of a feed's table, BKEYS_SIZE bytes each, six 32-bit
 * little-endian numbers: the short forms of the record's blocking keys but the full ID (an ID
 * that meets it meets its first 17 characters too), 0 where a key is missing, all four 0 when
 * the record has no 18-character ID or no name (it meets no one); the load that stored the
 * version; and one figure of the kind (BKEYS_EXTRA). An entry is all 0 where no version has
 * the rid. The entries are a filter: the linker reads a record whose keys may meet someone's
 * and compares it as it is stored, so a key met by chance costs a read, never a link. */
#define BKEYS_RIDS 2500
#define BKEYS_SIZE 24
#define BKEYS_ROW (BKEYS_RIDS * BKEYS_SIZE)   /* bytes in a row: 60,000 */
/* The page cache (KiB, store_cache_set) for a pass over a feed's entries: they are read once,
 * in order (744 MB of them for five feeds at city size), and a larger cache only spreads the
 * stream over more memory, each page of it touched first by the pass (a fault each) and out
 * of the CPU's caches by the time it is used again. */
#define BKEYS_CACHE_KIB 8192

struct bkeys_entry {
    uint32_t k[4];
    uint32_t load;
    /* social insurance: the period as YYYYMM; household: bkeys_text of household_no (for the
     * rules' households); 0 for the others or when the value is missing */
    uint32_t extra;
};

static inline size_t bkeys_at(int64_t rid)
{
    return (size_t)(rid % BKEYS_RIDS) * BKEYS_SIZE;
}

/* The entry of a record whose values, as stored, are ID, NAME, BIRTH (the stored birth date,
 * or NULL), EXTRA_TEXT (the value of its kind's EXTRA_COL, bkeys_extra_col, or NULL), from
 * LOAD. */
void bkeys_make(const char *extra_col, const char *id, const char *name, const char *birth,
                const char *extra_text, long long load, struct bkeys_entry *e);
void bkeys_put(unsigned char *at, const struct bkeys_entry *e);
void bkeys_get(const unsigned char *at, struct bkeys_entry *e);
/* The 32-bit hash of a text that an entry's extra keeps (never 0; 0 for NULL or ""). */
uint32_t bkeys_text(const char *s);
/* The column an entry's extra comes from, for kind K, or NULL. */
const char *bkeys_extra_col(const struct kind *k);

/* A set of short keys (or extras) to test entries against: a bit array that most fail at
 * once, then the exact set. */
struct bkeys_set {
    uint64_t *bits;
    uint32_t bmask;
    uint32_t *set;         /* 0: empty */
    uint32_t smask;
    size_t count;          /* values added (a value added twice counts twice) */
};

/* An empty set sized for about N values; bkeys_set_free releases it. */
void bkeys_set_init(struct bkeys_set *f, size_t n);
void bkeys_set_add(struct bkeys_set *f, uint32_t k);
static inline int bkeys_set_has(const struct bkeys_set *f, uint32_t k)
{
    if (!(f->bits[(k & f->bmask) >> 6] >> (k & 63) & 1))
        return 0;
    for (uint32_t i = (k * 2654435761u) & f->smask; f->set[i]; i = (i + 1) & f->smask)
        if (f->set[i] == k)
            return 1;
    return 0;
}
void bkeys_set_free(struct bkeys_set *f);

/* Reading feed K's entries of rids FROM to TO - 1 in rid order, a row at a time, for a run
 * that sees loads up to LOAD: bkeys_next gives the next row (1; 0 at the end; XV_ELOCKED when
 * one is damaged), whose entries j0 to j1 - 1 are in the range and the caller tests as it
 * likes, then asks bkeys_sees whether the version at RID (entry E) is one the run sees:
 * stored by then, not ended by then (1 or 0). RIDs asked must increase. bkeys_close releases
 * the cursor, whatever happened. */
struct bkeys_cursor {
    sqlite3 *db;
    const struct kind *k;
    long long load;
    int64_t from, to;
    sqlite3_stmt *chunks;
    struct store_ends ends;
    const unsigned char *row;   /* the row's BKEYS_RIDS entries */
    int64_t no;                 /* its chunk: rids no * BKEYS_RIDS ... */
    int j0, j1;                 /* its entries in the range */
};

int bkeys_open(sqlite3 *db, const struct kind *k, long long load, int64_t from, int64_t to,
               struct bkeys_cursor *c);
int bkeys_next(struct bkeys_cursor *c);
int bkeys_sees(struct bkeys_cursor *c, int64_t rid, const struct bkeys_entry *e);
void bkeys_close(struct bkeys_cursor *c);

/* Calls FN with the rid and entry of every version of feed K that a run seeing loads up to
 * LOAD sees whose number FIELD (as bkeys_key's) is in SET, in rid order; FN returns 0 to go
 * on, < 0 to stop with that code. */
int bkeys_each_in(sqlite3 *db, const struct kind *k, long long load, int field,
                  const struct bkeys_set *set,
                  int (*fn)(void *ctx, int64_t rid, const struct bkeys_entry *e), void *ctx);

/* Number K of entry J of a row (0 to 3: the keys, 4: the load, 5: the extra), without
 * reading the whole entry. */
static inline uint32_t bkeys_key(const unsigned char *row, int j, int k)
{
    const unsigned char *p = row + (size_t)j * BKEYS_SIZE + 4 * (size_t)k;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

/* Clears the entry of RID in <kind>_keys of feed KIND (its version was taken back). *BLOB
 * is a handle kept between calls (NULL before the first), the caller's to close. */
int bkeys_clear(sqlite3 *db, const char *kind, sqlite3_blob **blob, int64_t rid);
/* Fills <kind>_keys of feed K from its table, within the caller's transaction (an upgrade). */
int bkeys_rebuild(sqlite3 *db, const struct kind *k);
/* Counts in *BAD the entries of feed K's <kind>_keys that are not what its rows give (an
 * entry of a version that differs, or one where no version is). */
int bkeys_check(sqlite3 *db, const struct kind *k, long *bad);

#endif
