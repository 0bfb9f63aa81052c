/* fuzz_kv.c: fuzz target for the "key = value" syntax: policy files and mapping files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/kinds.h"
#include "../../core/policy.h"
#include "../../ingest/mapping.h"
#include "../../ingest/norm.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    return norm_init() < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    struct policy p;
    struct mapping m;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (policy_parse("fuzz.policy", text, &p) == 0)
        policy_free(&p);
    free(text);
    int fd = fuzz_memfile(data, size, path);
    if (fd < 0)
        return 0;
    const struct kind *k = &xv_kinds[size % (size_t)xv_nkinds];
    if (map_load(path, k, &m) == 0)
        map_free(&m);
    close(fd);
    return 0;
}
