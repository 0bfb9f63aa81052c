/* link.c: unit tests of the linker's parts: the blocking keys (core/bkeys.c) and the
 * run's resolved identities (matchers/linked.c). */
#include <string.h>
#include "../../core/bkeys.h"
#include "../../core/kinds.h"
#include "../../matchers/linked.h"
#include "unit.h"

/* 1 when the key sets A (NA) and B (NB) share a key. */
static int share(const uint64_t *a, int na, const uint64_t *b, int nb)
{
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (a[i] == b[j])
                return 1;
    return 0;
}

void test_link_keys(void)
{
    uint64_t p[5], q[5];
    char birth[11];
    int np = bkeys_of("340102198003152310", "张伟", "1980-03-15", p);
    CHECK(np == 5, "five keys with a birth date: %d", np);
    CHECK(bkeys_of("340102198003152310", "张伟", "", q) == 4, "four without one");
    int nq = bkeys_of("340102198003152319", "张伟", "1980-03-15", q);
    CHECK(share(p, np, q, nq), "a wrong check digit still meets (first 17)");
    nq = bkeys_of("340102198003512310", "张伟", "1980-03-15", q);
    CHECK(share(p, np, q, nq), "a transposition in the birth segment meets by name and birth");
    nq = bkeys_of("999999199912319999", "张伟", "1980-03-15", q);
    CHECK(share(p, np, q, nq), "another ID meets by name and birth date");
    nq = bkeys_of("999999199912319999", "李娜", "1999-12-31", q);
    CHECK(!share(p, np, q, nq), "another person does not meet");
    bkeys_birth_of_id("340102198003152310", birth);
    CHECK(!strcmp(birth, "1980-03-15"), "birth of an ID: %s", birth);
    bkeys_birth_of_id("340102198002302310", birth);
    CHECK(!strcmp(birth, ""), "no birth from an impossible date: '%s'", birth);
    bkeys_birth_of_id("3401021980X3152310", birth);
    CHECK(!strcmp(birth, ""), "no birth from a date with a letter: '%s'", birth);

    /* an entry of <kind>_keys: the short forms of the keys but the full ID's, read back */
    const struct kind *hh = kind_find("household"), *si = kind_find("social_insurance"),
                      *veh = kind_find("vehicle");
    struct bkeys_entry e, back;
    unsigned char at[BKEYS_SIZE];
    bkeys_make(bkeys_extra_col(hh), "340102198003152310", "张伟", NULL, "H001", 7, &e);
    CHECK(e.k[0] == bkeys_short(p[1]) && e.k[1] == bkeys_short(p[2]) &&
          e.k[2] == bkeys_short(p[3]) && e.k[3] == bkeys_short(p[4]),
          "a household entry carries the keys with the ID's birth date");
    CHECK(e.load == 7 && e.extra == bkeys_text("H001") && e.extra, "load and household number");
    bkeys_put(at, &e);
    bkeys_get(at, &back);
    CHECK(!memcmp(&e, &back, sizeof e), "an entry reads back as written");
    CHECK(at[16] == 7 && at[17] == 0, "little-endian on disk");
    bkeys_make(bkeys_extra_col(si), "340102198003152310", "张伟", NULL, "2026-10", 3, &e);
    CHECK(e.extra == 202610, "social insurance keeps the period: %u", e.extra);
    bkeys_make(bkeys_extra_col(si), "340102198003152310", "张伟", NULL, "2026-1x", 3, &e);
    CHECK(e.extra == 0, "no period from a damaged one");
    bkeys_make(bkeys_extra_col(veh), "34010219800315231", "张伟", NULL, NULL, 3, &e);
    CHECK(!e.k[0] && !e.k[1] && !e.k[2] && !e.k[3] && e.load == 3,
          "a short ID meets no one, and the version is still there");
    bkeys_make(bkeys_extra_col(veh), "340102198003152310", NULL, NULL, NULL, 3, &e);
    CHECK(!e.k[0] && !e.extra, "no name: no keys; no extra for vehicles");
    CHECK(bkeys_short(0) == 1 && bkeys_text("") == 0 && bkeys_text(NULL) == 0,
          "a short key is never 0; an empty text has none");

    /* a set of short keys, grown past what it was sized for */
    struct bkeys_set set;
    bkeys_set_init(&set, 2);
    for (uint32_t k = 1; k <= 5000; k++)
        bkeys_set_add(&set, k * 7919u);
    int all = 1;
    for (uint32_t k = 1; k <= 5000; k++)
        all &= bkeys_set_has(&set, k * 7919u);
    CHECK(all, "every value added is in the set");
    CHECK(!bkeys_set_has(&set, 7918u) && !bkeys_set_has(&set, 3u), "others are not");
    bkeys_set_free(&set);
}

struct resolved_seen {
    char declared[3][24], got[3][24];
    int n;
};

static int keep_resolved(void *ctx, const char *app, const char *declared, const char *resolved)
{
    struct resolved_seen *s = ctx;
    (void)app;
    if (s->n < 3) {
        snprintf(s->declared[s->n], sizeof s->declared[0], "%s", declared);
        snprintf(s->got[s->n++], sizeof s->got[0], "%s", resolved ? resolved : "(null)");
    }
    return 0;
}

/* What keep_resolved saw for the person who declared ID, or "". */
static const char *resolved_of(const struct resolved_seen *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->declared[i], id))
            return s->got[i];
    return "";
}

/* A person's resolved identity is the ID the linker kept for their household record; a record
 * whose ID it did not keep is read from the register. */
void test_linked_ids(void)
{
    sqlite3 *db = NULL;
    struct linked_writer w;
    struct resolved_seen s = { .n = 0 };
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "a database");
    CHECK(store_exec(db,
        "CREATE TABLE household(rid INTEGER PRIMARY KEY, id_no TEXT);"
        "CREATE TABLE persons(run_id, applicant_id, idx, relation, id_no, id_valid, name, "
        " raw_name, birth_date, gender, county_code, declared_income);"
        "CREATE TABLE links(run_id, applicant_id, idx, kind, rid, class, weight, lv_id, "
        " lv_name, lv_birth, lv_gender, lv_region, via_resolved);"
        "INSERT INTO household VALUES(10, '340102198003152310'), (20, '340102198104152321');"
        "INSERT INTO persons(run_id, applicant_id, idx, id_no) VALUES"
        " (1, 'A1', 0, '340102198003152319'), (1, 'A1', 1, '340102198104152321'),"
        " (1, 'A2', 0, '999');"
        "INSERT INTO links(run_id, applicant_id, idx, kind, rid, class, weight) VALUES"
        " (1, 'A1', 0, 'household', 10, 'match', 9.5),"
        " (1, 'A1', 1, 'household', 20, 'confirmed', 4.0)") == 0, "tables");
    CHECK(linked_writer_open(db, 1, &w) == 0, "a writer");
    /* not the register's ID, to tell which one is read */
    CHECK(linked_put_record_id(&w, 10, "340102198003152318") == 0, "the linker keeps an ID");
    linked_writer_close(&w);
    CHECK(linked_resolved_each(db, 1, keep_resolved, &s) == 0 && s.n == 3, "three people: %d",
          s.n);
    CHECK(!strcmp(resolved_of(&s, "999"), "(null)"), "no household link, no resolved ID");
    CHECK(!strcmp(resolved_of(&s, "340102198003152319"), "340102198003152318"),
          "the ID the linker kept");
    CHECK(!strcmp(resolved_of(&s, "340102198104152321"), "340102198104152321"),
          "else the register's");
    sqlite3_close(db);
}
