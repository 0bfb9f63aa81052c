/* fuzz_csv.c: fuzz target for encoding detection, GB18030 decoding and the CSV reader. */
#include <libxml/parser.h>
#include <unistd.h>
#include "../../core/err.h"
#include "../../ingest/norm.h"
#include "../../ingest/reader.h"
#include "../../ingest/source.h"
#include "fuzz.h"

static int on_column(void *ctx, int pos, const char *name, long line)
{
    (void)ctx; (void)pos; (void)line;
    return name[0] == '\0' ? 0 : 0;
}

static int on_done(void *ctx)
{
    (void)ctx;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    return norm_init() < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    struct src_info info;
    struct src s;
    long n = 0;
    int fd = fuzz_memfile(data, size, path);
    if (fd < 0)
        return 0;
    if (src_scan(path, ENC_AUTO, &info) == 0 && src_open(&s, path, info.enc) == 0) {
        struct reader_cb cb = { on_column, on_done, NULL, fuzz_record, &n };
        if (csvin_read(&s, "fuzz.csv", &cb) == 0)
            src_verify(&s, &info);
        src_close(&s);
    }
    close(fd);
    return 0;
}
