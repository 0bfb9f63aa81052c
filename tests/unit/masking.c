/* masking.c: unit tests of core/mask.c: ID masking. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/mask.h"
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
    mask_text("皖(2019)合肥市不动产权第0012345号 2026-08..2026-10 12345678901234567890", 0, &b);
    CHECK(!strcmp(b.s, "皖(2019)合肥市不动产权第0012345号 2026-08..2026-10 12345678901234567890"),
          "short numbers and 20 digits stay: %s", b.s);
    /* every form the ID normaliser accepts, glued to other text or not */
    static const struct { const char *in, *want; } forms[] = {
        { "３４０１０２１９８００３１５２３１０", "340102********2310" },
        { "a 340102-19800315-2310 b", "a 340102********2310 b" },
        { "340102 19800315 2310", "340102********2310" },
        { "3401\xe3\x80\x80" "0219\xc2\xa0" "8003\xef\xbc\x8d" "152310", "340102********2310" },
        { "业主ID340102198003152310）", "业主ID340102********2310）" },
        { "ID34010219800315231x", "ID340102********231X" },
        { "x34010219800315231Ｘy", "x340102********231Xy" },
        { "typo 34010219800315231 and 3401021980031523101", "typo 340102*******5231 and "
          "340102*********3101" },
        { "2026-11-01 2026-11-30 2026-12-01", "2026-11-01 2026-11-30 2026-12-01" },
        { "fp 1234567890123456, d80a2c330c44f65d", "fp 123456******3456, d80a2c330c44f65d" },
        { "业主340102800315231c", "业主340102*****5231c" },
        { "sha256 0123456789012345678901234567890123456789012345678901234567890123",
          "sha256 0123456789012345678901234567890123456789012345678901234567890123" },
        { "id_no=3401021980031523; name=张伟", "id_no=340102******1523; name=张伟" },
        { "id_no=ID:34010219; name=张伟", "id_no=ID:34010219; name=张伟" },
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        sbuf_reset(&b);
        mask_text(forms[i].in, 0, &b);
        CHECK(!strcmp(b.s, forms[i].want), "form %zu: %s", i, b.s);
    }
    sbuf_reset(&b);
    mask_field("1234567890123456", 0, &b);
    mask_field("0123456789012345678901234567890123456789012345678901234567890123", 0, &b);
    CHECK(!strcmp(b.s, "1234567890123456"
                       "0123456789012345678901234567890123456789012345678901234567890123"),
          "fingerprints and hashes as fields: %s", b.s);
    sbuf_reset(&b);
    mask_field("340102198003152310", 0, &b);
    CHECK(!strcmp(b.s, "340102********2310"), "an ID as a field: %s", b.s);
    mask_id("３４０１０２ 19800315-2310", 0, out, sizeof out);
    CHECK(!strcmp(out, "340102********2310"), "a raw ID field: %s", out);
    mask_id("34010219800315231", 0, out, sizeof out);
    CHECK(!strcmp(out, "340102*******5231"), "an ID field of 17: %s", out);
    sbuf_reset(&b);
    mask_text("", 0, &b);
    CHECK(b.s && !strcmp(b.s, ""), "empty");
    sbuf_free(&b);
}
