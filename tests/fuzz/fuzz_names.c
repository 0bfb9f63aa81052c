/* fuzz_names.c: fuzz target for the nightly inbox's file names: a name taken names a known
 * kind and a real date, and prints as it reads. */
#include <stdlib.h>
#include <string.h>
#include "../../cli/drive.h"
#include "../../core/kinds.h"
#include "../../core/utf8.h"
#include "../../core/util.h"
#include "../../ingest/norm.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    return norm_init() < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *name = malloc(size + 1), as_of[11], norm[11];
    const struct kind *k;
    if (!name)
        return 0;
    memcpy(name, data, size);
    name[size] = '\0';
    /* a file name holds no NUL and no slash: the rest of the input is one name */
    if (!memchr(data, '\0', size) && !strchr(name, '/') && !nightly_name(name, &k, as_of)) {
        struct sbuf b = SBUF_INIT;
        utf8_printable(name, 0, &b);
        if (!k || kind_find(k->name) != k || strncmp(name, k->name, strlen(k->name)) ||
            norm_date(as_of, norm) < 0 || strcmp(norm, as_of) || strcmp(b.s, name))
            abort();
        sbuf_free(&b);
    }
    free(name);
    return 0;
}
