/* fuzz_norm.c: fuzz target for every normaliser of matching.md, one value per input line. */
#include <stdlib.h>
#include <string.h>
#include "../../core/utf8.h"
#include "../../core/util.h"
#include "../../ingest/norm.h"
#include "../../ingest/source.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    return norm_init() < 0;
}

static void one(const char *v)
{
    char id[19], date[11], month[8], uscc[19], county[7];
    struct sbuf b = SBUF_INIT;
    double d;
    long l;
    int valid, flag;
    const char *s;
    norm_fold(v, &b);
    sbuf_reset(&b);
    if (norm_id(v, id, &valid) == 0 && valid != id_is_valid(id))
        abort();   /* the two ways of checking an ID must agree */
    norm_name(v, &b);
    sbuf_reset(&b);
    norm_date(v, date);
    norm_month(v, month);
    norm_amount(v, 1, &d);
    norm_amount(v, 10000, &d);
    norm_area(v, &d);
    norm_int(v, &l);
    norm_gender(v, &s);
    norm_bool(v, &flag);
    norm_plate(v, &b);
    norm_uscc(v, uscc, &valid);
    norm_county(v, county);
    norm_appstatus(v, &s);
    sbuf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines(data, size, (size_t)-1, one);
    return 0;
}
