/* link.c: unit tests of matchers/link.c's blocking keys. */
#include <string.h>
#include "../../matchers/link.h"
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
    int np = link_keys("340102198003152310", "张伟", "1980-03-15", p);
    CHECK(np == 5, "five keys with a birth date: %d", np);
    CHECK(link_keys("340102198003152310", "张伟", "", q) == 4, "four without one");
    int nq = link_keys("340102198003152319", "张伟", "1980-03-15", q);
    CHECK(share(p, np, q, nq), "a wrong check digit still meets (first 17)");
    nq = link_keys("340102198003512310", "张伟", "1980-03-15", q);
    CHECK(share(p, np, q, nq), "a transposition in the birth segment meets by name and birth");
    nq = link_keys("999999199912319999", "张伟", "1980-03-15", q);
    CHECK(share(p, np, q, nq), "another ID meets by name and birth date");
    nq = link_keys("999999199912319999", "李娜", "1999-12-31", q);
    CHECK(!share(p, np, q, nq), "another person does not meet");
    link_birth_of_id("340102198003152310", birth);
    CHECK(!strcmp(birth, "1980-03-15"), "birth of an ID: %s", birth);
    link_birth_of_id("340102198002302310", birth);
    CHECK(!strcmp(birth, ""), "no birth from an impossible date: '%s'", birth);
}
