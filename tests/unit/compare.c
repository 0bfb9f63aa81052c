/* compare.c: unit tests of matchers/compare.c: the comparison levels of record linkage. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

void test_compare(void)
{
    /* IDs: a near miss counts only when one side is invalid */
    CHECK(cmp_id("340102198003152310", 1, "340102198003152310", 1) == ID_EXACT, "id exact");
    CHECK(cmp_id("340102198003152310", 1, "340102198003152311", 0) == ID_CHECK, "check digit");
    CHECK(cmp_id("340102199001010753", 0, "340102199001010735", 1) == ID_EDIT, "transposition");
    CHECK(cmp_id("340102199001010735", 1, "340102199001010835", 0) == ID_EDIT, "substitution");
    CHECK(cmp_id("340102199001010735", 1, "340102199001010751", 1) == ID_OTHER,
          "two valid IDs a digit apart are two people (twins)");
    CHECK(cmp_id("340102198001011012", 1, "340102198001011039", 1) == ID_OTHER,
          "two valid IDs: another valid ID");
    CHECK(cmp_id("340102199001010735", 1, "340102199101010836", 0) == ID_DIFF, "two digits");
    CHECK(cmp_id("340102198003152310", 1, "340102891003152310", 0) == ID_DIFF,
          "a swap of non-adjacent digits");
    /* names, by code point */
    CHECK(cmp_name("张伟", NULL, "张伟", NULL) == NAME_EXACT, "name exact");
    CHECK(cmp_name("张伟", NULL, "张伟", "張偉") == NAME_NORM, "name normalised");
    CHECK(cmp_name("张小明", NULL, "张小红", NULL) == NAME_ONE, "one character (siblings)");
    CHECK(cmp_name("张伟", NULL, "张伟强", NULL) == NAME_DIFF, "length differs");
    CHECK(cmp_name("张伟", NULL, "李娜", NULL) == NAME_DIFF, "different");
    CHECK(cmp_name("伟", NULL, "娜", NULL) == NAME_DIFF, "one-character names are not near");
    CHECK(cmp_birth("1980-03-15", "1980-03-15") == BIRTH_EXACT, "birth exact");
    CHECK(cmp_birth("1980-03-15", "1981-03-15") == BIRTH_ONE, "birth year");
    CHECK(cmp_birth("1980-03-15", "1981-04-15") == BIRTH_DIFF, "birth two parts");
    CHECK(cmp_birth(NULL, "1981-04-15") == BIRTH_MISSING, "birth unknown");
    CHECK(cmp_gender("男", "女") == GENDER_DIFF, "gender");
    CHECK(cmp_region("340102", "340103") == REGION_CITY, "region city");
    CHECK(cmp_region("340102", "350103") == REGION_DIFF, "region different");
}
