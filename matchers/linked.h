/* linked.h: the persons and links tables, what linkage found for a run's people: link.c
 * writes them, the rules stage and "show" read them, a re-run clears them, all through these
 * functions (linked.c owns the tables). */
#ifndef XV_LINKED_H
#define XV_LINKED_H
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include "../core/run.h"
#include "../core/util.h"
#include "compare.h"

/* A person of an application; BIRTH and GENDER are NULL when unknown. */
struct linked_person {
    const char *app;
    int idx;                 /* 0: the applicant */
    const char *relation, *id_no;
    int id_valid;
    const char *name, *raw_name, *birth, *gender, *county;
    int has_income;
    double income;           /* declared monthly income, yuan */
};

/* A feed record linked to a person (MATCH: certainly, by its weight or a reviewer's
 * confirmation; else a possible link). */
struct linked_link {
    const char *app;
    int idx;
    const char *kind;
    long long rid;
    int match;
    double weight;
    int lv[F_NFIELDS];       /* the comparison level of each field */
    int decided;             /* LINKED_CONFIRMED or LINKED_DISMISSED: a reviewer's decision
                              * on the possible link made it a link or a non-link; else 0 */
    int via_resolved;        /* scored with the person's resolved ID (their household
                              * record's), not the declared one */
};
enum { LINKED_CONFIRMED = 1, LINKED_DISMISSED };

struct linked_set;

/* Writing a run's persons and links, inside the caller's transaction. Strings are copied by
 * SQLite during each call. linked_writer_close releases the statements (also after errors).
 * SET (NULL after linked_writer_open; the caller's) gets every person beside the table and
 * every link instead of the table, and linked_writer_flush then writes the links to the table
 * in the order of its index (by application, person, kind and record: a row at a time where
 * the index ends, not at random places in it). */
struct linked_writer {
    sqlite3 *db;
    long long run;
    sqlite3_stmt *person, *link, *resolved, *record_id;
    struct linked_set *set;
};
int linked_writer_open(sqlite3 *db, long long run, struct linked_writer *w);
int linked_put_person(struct linked_writer *w, const struct linked_person *p);
/* The weight is stored rounded to 1/1000 (linked_weight), so that it prints the same on every
 * machine. */
int linked_put_link(struct linked_writer *w, const struct linked_link *l);
double linked_weight(double w);
int linked_writer_flush(struct linked_writer *w);
/* For a run narrowed by --applicant: the resolved identity of a person of an application in
 * scope that the run does not check (kept for the run's rules stage only, not stored). */
int linked_put_resolved(struct linked_writer *w, const char *app, const char *declared,
                        const char *resolved);
/* The ID (NULL: none) of household record RID, linked by the run: kept for the run's rules
 * stage (linked_resolved_each), so that it need not read the record again. */
int linked_put_record_id(struct linked_writer *w, long long rid, const char *id);
void linked_writer_close(struct linked_writer *w);

/* Reading a run's persons and links, one application at a time; the rows' strings hold
 * during the callback only, and a negative return of the callback stops and is returned.
 * SET (NULL after linked_reader_open; the caller's): the run's persons and links, all of
 * them (a linked_writer's SET), read from there instead of the tables, and decisions recorded
 * in both. */
struct linked_reader {
    sqlite3 *db;
    long long run;
    sqlite3_stmt *persons, *best, *by_class, *decide;
    struct linked_set *set;
};
typedef int (*linked_person_fn)(void *ctx, const struct linked_person *p);
typedef int (*linked_link_fn)(void *ctx, const struct linked_link *l);
enum linked_order {
    LINKED_BEST_FIRST,       /* by person, kind, match before possible, weight down */
    LINKED_BY_CLASS,         /* by person, possible before match, kind, record */
};
int linked_reader_open(sqlite3 *db, long long run, struct linked_reader *r);
/* APP's persons by index. */
int linked_persons(struct linked_reader *r, const char *app, linked_person_fn fn, void *ctx);
/* APP's links (of person IDX only, when IDX >= 0) in ORDER. */
int linked_links(struct linked_reader *r, const char *app, int idx, enum linked_order order,
                 linked_link_fn fn, void *ctx);
/* Records a reviewer's decision (LINKED_CONFIRMED or LINKED_DISMISSED) on APP's possible link
 * of person IDX to record RID of KIND, for the rest of the run; inside the caller's
 * transaction. */
int linked_decide(struct linked_reader *r, const char *app, int idx, const char *kind,
                  long long rid, int decided);
void linked_reader_close(struct linked_reader *r);

/* Calls FN with each application of run RUN, in ID order. */
int linked_applications(sqlite3 *db, long long run, int (*fn)(void *ctx, const char *app),
                        void *ctx);
/* Calls FN with each application of run RUN that has a possible link, in ID order. */
int linked_doubtful_applications(sqlite3 *db, long long run,
                                 int (*fn)(void *ctx, const char *app), void *ctx);
/* Calls FN with each person of run RUN, by application and index: the declared ID and the
 * resolved one, the ID of the person's household record (the best certain link, as the rules
 * take it), or NULL when the person has none; then with those linked_put_resolved gave in
 * this process for a narrowed run. The record's ID is the one linked_put_record_id gave in
 * this process, read from the register where none was given. SET (NULL: none): the run's
 * links, whence each person's best household link is taken (in no particular order then). */
int linked_resolved_each(sqlite3 *db, long long run, struct linked_set *set,
                         int (*fn)(void *ctx, const char *app, const char *declared,
                                   const char *resolved),
                         void *ctx);
/* Calls FN with each certain link of an applicant (person 0) to a record of KIND; from SET
 * (NULL: the table), the run's links, when given (in no particular order then). */
int linked_applicant_links(sqlite3 *db, long long run, struct linked_set *set, const char *kind,
                           linked_link_fn fn, void *ctx);
/* Removes run RUN's persons and links. */
int linked_clear(sqlite3 *db, long long run);

/* A run's persons and links, every one the linker stored (a linked_writer's SET), kept in
 * memory for the run's rules stage (a linked_reader's SET): an application's links without a
 * query on a table that holds every run's, and what a second thread, which cannot see the
 * run's tables, reads of them. Zero-initialise; linked_set_free releases it. */
struct linked_set_link;
struct linked_set_person;
struct linked_set {
    struct linked_set_link *v;   /* by application once grouped */
    size_t n, cap;
    char **apps;                 /* the applications' IDs, copied */
    size_t napps;
    uint32_t *slot;              /* open addressing: ID -> application index + 1 */
    size_t nslot;
    size_t *first;               /* grouped: application a's links are v[first[a]..first[a+1]) */
    struct linked_set_person *ps;    /* the persons, by application once grouped */
    size_t nps, capps;
    size_t *pfirst;              /* grouped: application a's persons, as FIRST for links */
    struct arena texts;          /* the persons' strings */
    int grouped;
};
/* Adds L (its strings: the kind's is the caller's and must outlive S, the others are copied). */
void linked_set_add(struct linked_set *s, const struct linked_link *l);
/* Adds person P (its strings copied). */
void linked_set_add_person(struct linked_set *s, const struct linked_person *p);
/* As linked_persons, on S (a set that was given the run's persons). */
int linked_set_persons(struct linked_set *s, const char *app, linked_person_fn fn, void *ctx);
/* Makes S ready to be read by several threads at once: a set is grouped on its first read,
 * and after this none of its reads writes to it (linked_set_decide does). */
void linked_set_ready(struct linked_set *s);
/* As linked_links and linked_decide, on S. */
int linked_set_links(struct linked_set *s, const char *app, int idx, enum linked_order order,
                     linked_link_fn fn, void *ctx);
void linked_set_decide(struct linked_set *s, const char *app, int idx, const char *kind,
                       long long rid, int decided);
/* Calls FN with each certain link of person IDX to a record of KIND in S, in no particular
 * order; only reads S once it is ready (linked_set_ready). */
int linked_set_each_certain(struct linked_set *s, int idx, const char *kind, linked_link_fn fn,
                            void *ctx);
/* Calls FN with each link of S as linked_set_add was given it (with its weight rounded as
 * stored), by application ID, person, kind and record. */
int linked_set_each_stored(struct linked_set *s, linked_link_fn fn, void *ctx);
/* The record (*RID) of person IDX's best certain link to KIND in S, in the order of
 * LINKED_BEST_FIRST; 0 when there is none. */
int linked_set_best(struct linked_set *s, const char *app, int idx, const char *kind,
                    long long *rid);
void linked_set_free(struct linked_set *s);

/* A feed record as the rules stage reads it, one block: its load (8 bytes), then its raw
 * values and every column of its kind in order, each a byte (0: NULL, 1: text) and, for a
 * text, its bytes and a NUL (linked_rows_add makes it from a row). linked_row_value gives
 * the next value of such a block at *P (NULL for a NULL), moving *P past it. */
const char *linked_row_value(const char **p);

/* The records of one kind the linker read and found someone's link in, kept for the run's
 * rules stage so that it need not read them from the feed again (each read costs a page of
 * a table many times the cache's size). The linker adds rows in any order; the rules stage
 * takes them out by rid (linked_rows_take: the caller then owns the block) and frees the
 * rest with linked_rows_free. Rows are the feed's versions, which never change, so a row
 * kept is the row the table holds. */
struct linked_rows {
    int64_t *rid;
    char **row;
    size_t n, cap;
    int sorted;
};
/* Appends the current row of ST as record RID's block: the load at column LOAD, the raw
 * values at RAW, the kind's NCOLS columns from FIRST on. */
void linked_rows_add(struct linked_rows *r, int64_t rid, sqlite3_stmt *st, int load, int raw,
                     int first, int ncols);
/* Appends ROW (R then owns it), an encoded block, as record RID's. */
void linked_rows_put(struct linked_rows *r, int64_t rid, char *row);
/* Sorts R now: after this, linked_rows_find only reads R (several threads may call it). */
void linked_rows_ready(struct linked_rows *r);
/* Record RID's block (NULL: none); linked_rows_take takes it out, the caller then owning it. */
const char *linked_rows_find(struct linked_rows *r, int64_t rid);
char *linked_rows_take(struct linked_rows *r, int64_t rid);
void linked_rows_free(struct linked_rows *r);

/* What the linker hands the rules stage of the same run: the records it kept, by feed kind
 * index (xv_kinds order), and every link it stored. Zero-initialise; linked_handoff_free
 * releases both. */
struct linked_handoff {
    struct linked_rows kept[RUN_MAX_KINDS];
    struct linked_set links;
};
void linked_handoff_free(struct linked_handoff *h);

#endif
