/* fuzz_mask.c: fuzz target for ID masking: no ID the normaliser accepts survives masking, in
 * an ID field, as evidence or in free text; masked text is never longer than the
 * text. One value per input line. (Masking is not idempotent: the last four
 * digits kept may join a group after them, when masked again.) */
#include <stdlib.h>
#include <string.h>
#include "../../core/mask.h"
#include "../../core/utf8.h"
#include "../../core/util.h"
#include "../../ingest/norm.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    return norm_init() < 0;
}

/* S folded as the normaliser folds it (full-width to ASCII), without the separators an ID
 * may hold, x upper-cased: where a full ID would show. */
static void projected(const char *s, struct sbuf *out)
{
    struct sbuf f = SBUF_INIT;
    norm_fold(s, &f);
    for (const char *p = sbuf_str(&f); *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '\t')
            continue;
        sbuf_addc(out, *p == 'x' ? 'X' : *p);
    }
    sbuf_add(out, "", 0);
    sbuf_free(&f);
}

/* ID (normalised) must not show in full in OUT: neither its first 17 characters nor its
 * 15-digit form. */
static void hidden(const char *id, const char *out)
{
    struct sbuf p = SBUF_INIT;
    char id17[18], id15[16];
    memcpy(id17, id, 17);
    id17[17] = '\0';
    memcpy(id15, id, 6);
    memcpy(id15 + 6, id + 8, 9);
    id15[15] = '\0';
    projected(out, &p);
    if (strstr(p.s, id17) || strstr(p.s, id15))
        abort();
    sbuf_free(&p);
}

static void one(const char *v)
{
    struct sbuf m1 = SBUF_INIT, m2 = SBUF_INIT, t = SBUF_INIT;
    char id[19], out[512];
    int valid;
    mask_text(v, 0, &m1);
    if (strlen(m1.s) > strlen(v))
        abort();   /* masking never lengthens text: a full-width run comes out in ASCII */
    if (norm_id(v, id, &valid) == 0) {
        /* v is an ID as a feed may write it: masked as a field, as evidence, and in text
         * between other words */
        mask_id(v, 0, out, sizeof out);
        hidden(id, out);
        sbuf_addf(&t, "id_no=%s; name=x", v);
        sbuf_reset(&m2);
        mask_text(t.s, 0, &m2);
        hidden(id, m2.s);
        sbuf_reset(&t);
        sbuf_addf(&t, "业主ID%s号", id);
        sbuf_reset(&m2);
        mask_text(t.s, 0, &m2);
        hidden(id, m2.s);
    }
    sbuf_free(&m1);
    sbuf_free(&m2);
    sbuf_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines(data, size, 4096, one);
    return 0;
}
