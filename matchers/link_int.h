/* link_int.h: the linker's inside, shared by the files of the linker (link.c, link_score.c,
 * link_scan.c, link_narrow.c) and nothing else: the people, the linker's state, and the
 * functions one file of it calls in another. */
#ifndef XV_LINK_INT_H
#define XV_LINK_INT_H
#include <sqlite3.h>
#include <stdint.h>
#include "../core/bkeys.h"
#include "../core/kinds.h"
#include "../core/run.h"
#include "../core/util.h"
#include "compare.h"
#include "link.h"
#include "linked.h"

struct ids_scan;

struct person {
    int app;               /* index in the application table */
    int idx;               /* 0: the applicant */
    char id[19];
    int id_valid;
    char *name, *raw_name; /* raw_name: NULL when written as normalised */
    char birth[11];        /* "" when unknown */
    char gender[4];        /* "男", "女" or "" */
    char *relation;
    double income;         /* declared monthly income, yuan; NAN when not given */
    /* the resolved identity: the ID of the household record of the person's best certain
     * household link so far ("" while none), whether it is valid, and the link's weight */
    char resolved[19];
    int resolved_valid;
    double resolved_w;
    int own;               /* the held household link of that record */
};

/* A person-record pair of the household register that a reviewer confirmed. */
struct confirmed {
    char *app;
    int idx;
    long long rid;
};

/* A household link held back until the register is read whole, with the record's ID. */
struct held {
    struct linked_link ll;
    uint32_t person;
    char id[19];
    int id_valid;
};

struct app {
    char *id;
    char county[7];
    /* not in the run's scope (a run narrowed by --applicant) but in scope as of the run: its
     * people are linked to the household register only, for their resolved identity (the
     * duplicate check), and nothing of them is stored with the run */
    int shadow;
};

/* Blocking keys -> persons: an open-addressing table of (64-bit key hash, person). */
struct kslot {
    uint64_t key;          /* 0: empty */
    uint32_t person;
};

struct linker {
    sqlite3 *db;
    const struct run *r;
    struct app *apps;
    int napps;
    struct person *ps;     /* on huge pages (xhuge_grow), CAPPS of them */
    int nps, capps;
    struct arena texts;    /* the people's names, raw names and relations */
    struct kslot *idx;
    size_t cap;
    double w_id[ID_NLEVELS], w_name[NAME_NLEVELS], w_birth[BIRTH_NLEVELS],
        w_gender[GENDER_NLEVELS], w_region[REGION_NLEVELS];
    struct linked_writer w;  /* the run's persons and links */
    struct link_stats *st;
    int name_field;        /* the name's place in applicant and member raw records */
    struct held *held;     /* the household register's links, held back until the register
                            * is read whole (one record per person) */
    int nheld, capheld;
    struct confirmed *conf; /* the household pairs reviewers confirmed, by app, idx, rid */
    int nconf;
    /* a run narrowed by --applicant links the household register in steps: want[i] says
     * person i is linked in this one (NULL: everyone the kind's scan links); a household
     * record read whose ID is one of ids (NULL: none) marks the people of other applications
     * it shares a key with */
    char *want;
    struct ids_scan *ids;
    struct linked_rows *kept;  /* the records read that someone may be linked to, for the
                                * rules stage, by kind (NULL: not kept) */
    /* a full run scans each feed in two halves, the second in a thread (struct part), whose
     * linker (buffered) keeps its links here, put into the run once the first is done */
    int split;
    int buffered;
    struct linked_link *buf;
    size_t nbuf, capbuf;
};

/* A person a record's keys meet, and how the record scores against them. */
struct cand {
    uint32_t person;
    double weight;
    int lv[F_NFIELDS];
    int via_resolved;      /* the ID level is the resolved ID's, which scored better */
};

#define MAX_CANDS 64

/* The columns of link_prepare_fetch's rows: the raw values, the load, the kind's first column. */
enum { FETCH_RAW = 4, FETCH_LOAD = 9, FETCH_COLS = 10 };

/* link.c: a person's resolved ID when it is not the declared one, else NULL; the index of the
 * blocking keys of the people a scan to come may link (built again once the register has
 * resolved identities). */
const char *link_other_resolved(const struct person *p);
void link_build_index(struct linker *l);

/* link_score.c: candidates, scores and the links they make. */
/* 1 when person P is linked in the scan at hand. */
int link_wanted(const struct linker *l, uint32_t p, int household);
/* The blocking keys of the record of ST's row (a link_fetch_entry row), into KK; how many. */
int link_record_keys(sqlite3_stmt *st, uint64_t kk[5]);
/* The people whose keys the record of ST's row shares, into C; how many. */
int link_candidates(const struct linker *l, sqlite3_stmt *st, int household, struct cand *c);
/* Scores C[0..NC) against the record of ST's row as the feed wrote it. */
void link_score_all(struct linker *l, sqlite3_stmt *st, int name_field, int has_birth,
                    int resolve, struct cand *c, int nc);
/* Stores (or, for the household register, holds) the links of record RID to C[0..NC). */
int link_store_links(struct linker *l, const struct kind *k, int kidx, long long rid,
                     const char *rid_id, int rid_valid, const struct cand *c, int nc);
/* Link LL of kind KIDX, stored with the run and counted; a part's kept (l->buffered). */
int link_put_link(struct linker *l, int kidx, const struct linked_link *ll);
/* Holds back household link LL of PERSON to a record with ID RID_ID; link_release_held
 * stores the held links once the register is read whole. */
void link_hold(struct linker *l, const struct linked_link *ll, uint32_t person,
               const char *rid_id, int rid_valid);
int link_release_held(struct linker *l, int kidx);
/* The household pairs reviewers confirmed: collected (a link_confirmed_fn's callback into
 * l->conf) and sorted by link_cmp_confirmed. */
int link_add_confirmed(void *ctx, const char *app, int idx, long long rid);
int link_cmp_confirmed(const void *x, const void *y);

/* link_scan.c: the scans of the feeds' entries. */
/* Reads the version of kind K at RID (entry E) with ST, a statement of link_prepare_fetch. */
int link_fetch_entry(sqlite3_stmt *st, const struct kind *k, int64_t rid,
                     const struct bkeys_entry *e);
int link_prepare_fetch(sqlite3 *db, const struct kind *k, sqlite3_stmt **st);
/* Reads kind K's entries and links the versions whose keys meet someone's (COUNT: the first
 * scan of the kind, which counts the versions and finds the latest period). */
int link_scan_kind(struct linker *l, const struct kind *k, int count);

/* link_narrow.c: the household register for a run narrowed by --applicant. */
/* Keeps the blocking keys of the household record of ST's row when its ID is one of S's. */
void link_mark_sharing(struct ids_scan *s, sqlite3_stmt *st);
int link_household_narrowed(struct linker *l, const struct kind *k);

#endif
