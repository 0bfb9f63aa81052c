/* masking.c: unit tests of core/util.c: ID masking. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

void test_masking(void)
{
    char out[64];
    struct sbuf b = SBUF_INIT;
    mask_id("340102198003152310", 0, out, sizeof out);
    CHECK(!strcmp(out, "340102********2310"), "18 digits: %s", out);
    mask_id("340102800315231", 0, out, sizeof out);
    CHECK(!strcmp(out, "340102*****5231"), "15 digits: %s", out);
    mask_id("340102198003152310", 1, out, sizeof out);
    CHECK(!strcmp(out, "340102198003152310"), "unmasked");
    mask_text("张伟 34010219800315231X and 340102198003152310", 0, &b);
    CHECK(!strcmp(b.s, "张伟 340102********231X and 340102********2310"), "in text: %s", b.s);
    sbuf_reset(&b);
    mask_text("皖(2019)合肥市不动产权第0012345号 2026-08..2026-10 1234567890123456789", 0, &b);
    CHECK(!strcmp(b.s, "皖(2019)合肥市不动产权第0012345号 2026-08..2026-10 1234567890123456789"),
          "short numbers and 19 digits stay: %s", b.s);
    sbuf_reset(&b);
    mask_text("", 0, &b);
    CHECK(b.s && !strcmp(b.s, ""), "empty");
    sbuf_free(&b);
}
