/* link.c: unit tests of the linker's parts: the blocking keys (core/bkeys.c) and the
 * run's resolved identities and its links kept in memory (matchers/linked.c, linkset.c). */
#include <stdio.h>
#include <string.h>
#include "../../core/bkeys.h"
#include "../../core/kinds.h"
#include "../../core/store.h"
#include "../../core/util.h"
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
    /* the same links in memory, as the linker and a reviewer's decision leave them, and a
     * weaker certain link that must not win */
    struct linked_set set = { 0 };
    struct linked_link l1 = { "A1", 0, "household", 10, 1, 9.5, { 0 }, 0, 0 },
                       l2 = { "A1", 1, "household", 20, 0, 4.0, { 0 }, 0, 0 },
                       l3 = { "A1", 0, "household", 30, 1, 9.0, { 0 }, 0, 0 };
    linked_set_add(&set, &l2);
    linked_set_add(&set, &l3);
    linked_set_add(&set, &l1);
    linked_set_decide(&set, "A1", 1, "household", 20, LINKED_CONFIRMED);
    for (int pass = 0; pass < 2; pass++) {
        s.n = 0;
        CHECK(linked_resolved_each(db, 1, pass ? &set : NULL, keep_resolved, &s) == 0 &&
              s.n == 3, "three people: %d (%s)", s.n, pass ? "links in memory" : "table");
        CHECK(!strcmp(resolved_of(&s, "999"), "(null)"), "no household link, no resolved ID");
        CHECK(!strcmp(resolved_of(&s, "340102198003152319"), "340102198003152318"),
              "the ID the linker kept (%s)", pass ? "links in memory" : "table");
        CHECK(!strcmp(resolved_of(&s, "340102198104152321"), "340102198104152321"),
              "else the register's (%s)", pass ? "links in memory" : "table");
    }
    linked_set_free(&set);
    sqlite3_close(db);
}

/* One link as a reader gives it, in text, for comparing two readers. */
static int print_link(void *ctx, const struct linked_link *l)
{
    struct sbuf *b = ctx;
    sbuf_addf(b, "%s/%d/%s/%lld/%d/%.3f/%d/%d/%d/%d/%d/%d/%d;", l->app, l->idx, l->kind,
              l->rid, l->match, l->weight, l->lv[0], l->lv[1], l->lv[2], l->lv[3], l->lv[4],
              l->decided, l->via_resolved);
    return 0;
}

/* One person as a reader gives it, in text, for comparing two readers. */
static int print_person(void *ctx, const struct linked_person *p)
{
    struct sbuf *b = ctx;
    sbuf_addf(b, "%s/%d/%s/%s/%d/%s/%s/%s/%s/%s/%d/%.2f;", p->app, p->idx, p->relation,
              p->id_no, p->id_valid, p->name, p->raw_name ? p->raw_name : "NULL",
              p->birth ? p->birth : "NULL", p->gender ? p->gender : "NULL", p->county,
              p->has_income, p->income);
    return 0;
}

/* The first certain link to a kind (the context's, set beforehand) in the order read. */
struct first_certain {
    const char *kind;
    long long rid;
    int found;
};

static int take_first(void *ctx, const struct linked_link *l)
{
    struct first_certain *f = ctx;
    if (!f->found && l->match && !strcmp(l->kind, f->kind)) {
        f->rid = l->rid;
        f->found = 1;
    }
    return 0;
}

/* The links kept in memory for the rules read as the table's queries read them: the same
 * links, in both orders, after reviewers' decisions, for random links with ties. */
void test_linked_set(void)
{
    static const char *const kinds[] = { "household", "business", "property", "vehicle" };
    sqlite3 *db = NULL;
    struct linked_writer w;
    struct linked_reader table, memory;
    struct linked_set set = { 0 };
    unsigned seed = 12345;
    int stored = 0, unread = 0;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "a database");
    CHECK(store_exec(db,
        "CREATE TABLE persons(run_id, applicant_id, idx, relation, id_no, id_valid, name, "
        " raw_name, birth_date, gender, county_code, declared_income);"
        "CREATE TABLE links(run_id, applicant_id, idx, kind, rid, class, weight, lv_id, "
        " lv_name, lv_birth, lv_gender, lv_region, via_resolved);"
        "CREATE INDEX links_person ON links(run_id, applicant_id, idx, kind, rid)") == 0,
          "tables");
    CHECK(linked_writer_open(db, 7, &w) == 0, "a writer");
    w.set = &set;
    char apps[40][8];
    for (int a = 0; a < 40; a++)
        snprintf(apps[a], sizeof apps[a], "A%02d", (a * 17) % 40);
    /* persons, their indexes out of order, some without a raw name, birth, gender or
     * income */
    int persons_stored = 0;
    for (int a = 0; a < 40; a++)
        for (int k = 2; k >= 0; k--) {
            char id[24], name[16];
            snprintf(id, sizeof id, "34010219800101%04d", a * 3 + k);
            snprintf(name, sizeof name, "name%d", a * 3 + k);
            struct linked_person p = { apps[a], k, k ? "配偶" : "申请人", id, (a + k) % 2, name,
                                       k == 1 ? NULL : "raw", k == 2 ? NULL : "1980-01-01",
                                       a % 3 ? "男" : NULL, "340102", (a + k) % 3 != 0,
                                       100.5 * k };
            persons_stored += linked_put_person(&w, &p) == 0;
        }
    CHECK(persons_stored == 120, "persons stored: %d", persons_stored);
    for (int i = 0; i < 2000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        struct linked_link l = { apps[r % 40], (int)(r / 40 % 3), kinds[r / 120 % 4],
                                 (long long)(r / 480 % 50), (int)(r / 24000 % 2),
                                 (double)(r / 48000 % 7) + 0.0004 * (r % 3), { 0 }, 0, 0 };
        for (int f = 0; f < F_NFIELDS; f++)
            l.lv[f] = (int)((r >> f) % 3);
        l.via_resolved = (int)(r >> 7) % 2;
        stored += linked_put_link(&w, &l) == 0;
    }
    long long rows = -1, disorder = -1;
    CHECK(store_int(db, "SELECT count(*) FROM links", NULL, NULL, &rows) == 1 && rows == 0,
          "nothing in the table before the flush: %lld", rows);
    CHECK(linked_writer_flush(&w) == 0, "the flush");
    linked_writer_close(&w);
    CHECK(stored == 2000 && store_int(db, "SELECT count(*) FROM links", NULL, NULL, &rows) == 1
          && rows == 2000, "links stored: %d, %lld rows", stored, rows);
    CHECK(store_int(db, "SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY applicant_id, "
                        "idx, kind, rid) AS k, row_number() OVER (ORDER BY rowid) AS r FROM "
                        "links) WHERE k <> r", NULL, NULL, &disorder) == 1 && disorder == 0,
          "rows written in the index's order: %lld out of place", disorder);
    CHECK(set.n == 2000, "every link stored is kept: %zu", set.n);
    CHECK(linked_reader_open(db, 7, &table) == 0 && linked_reader_open(db, 7, &memory) == 0,
          "two readers");
    memory.set = &set;
    /* decisions on possible links, recorded through one reader, reach both */
    int failed = 0;
    for (int a = 0; a < 40; a += 3)
        for (int idx = 0; idx < 3; idx++)
            for (int k = 0; k < 4; k++)
                for (long long rid = a % 5; rid < 50; rid += 5)
                    failed |= linked_decide(&memory, apps[a], idx, kinds[k], rid,
                                            (a + idx + rid) % 2 ? LINKED_CONFIRMED
                                                                : LINKED_DISMISSED) != 0;
    CHECK(!failed, "decisions recorded");
    int same = 1, nonempty = 0;
    for (int a = 0; a < 41; a++)
        for (int idx = -1; idx < 4; idx++)
            for (int o = 0; o < 2; o++) {
                struct sbuf x = SBUF_INIT, y = SBUF_INIT;
                const char *app = a < 40 ? apps[a] : "none";
                enum linked_order order = o ? LINKED_BY_CLASS : LINKED_BEST_FIRST;
                unread |= linked_links(&table, app, idx, order, print_link, &x) != 0 ||
                          linked_links(&memory, app, idx, order, print_link, &y) != 0;
                if (strcmp(sbuf_str(&x), sbuf_str(&y))) {
                    same = 0;
                    fprintf(stderr, "table:  %s\nmemory: %s\n", sbuf_str(&x), sbuf_str(&y));
                }
                nonempty += x.len > 0;
                sbuf_free(&x);
                sbuf_free(&y);
            }
    CHECK(!unread && same && nonempty > 300, "the same links in the same order (%d lists)", nonempty);
    /* the persons kept in memory read as the table reads them */
    int persons_same = 1, persons_read = 0;
    for (int a = 0; a < 41; a++) {
        struct sbuf x = SBUF_INIT, y = SBUF_INIT;
        const char *app = a < 40 ? apps[a] : "none";
        unread |= linked_persons(&table, app, print_person, &x) != 0 ||
                  linked_persons(&memory, app, print_person, &y) != 0;
        if (strcmp(sbuf_str(&x), sbuf_str(&y))) {
            persons_same = 0;
            fprintf(stderr, "table:  %s\nmemory: %s\n", sbuf_str(&x), sbuf_str(&y));
        }
        persons_read += x.len > 0;
        sbuf_free(&x);
        sbuf_free(&y);
    }
    CHECK(!unread && persons_same && persons_read == 40,
          "the same persons in the same order (%d applications)", persons_read);
    /* a person's best certain link to a kind: the first the table gives, best first */
    int best_same = 1, bests = 0;
    for (int a = 0; a < 40; a++)
        for (int idx = 0; idx < 3; idx++)
            for (int k = 0; k < 4; k++) {
                struct first_certain f = { kinds[k], 0, 0 };
                long long rid = -1;
                unread |= linked_links(&table, apps[a], idx, LINKED_BEST_FIRST, take_first,
                                       &f) != 0;
                int got = linked_set_best(&set, apps[a], idx, kinds[k], &rid);
                best_same &= got == f.found && (!got || rid == f.rid);
                bests += got;
            }
    CHECK(!unread && best_same && bests > 100, "the same best certain links (%d)", bests);
    long long confirmed = 0;
    CHECK(store_int(db, "SELECT count(*) FROM links WHERE class IN ('confirmed','dismissed')",
                    NULL, NULL, &confirmed) == 1 && confirmed > 10,
          "decisions were taken: %lld", confirmed);
    linked_reader_close(&table);
    linked_reader_close(&memory);
    linked_set_free(&set);
    sqlite3_close(db);
}
