/* fuzz_xml.c: fuzz target for the streaming XML reader, with and without a mapping's layout. */
#include <libxml/parser.h>
#include <unistd.h>
#include "../../core/err.h"
#include "../../ingest/norm.h"
#include "../../ingest/reader.h"
#include "../../ingest/source.h"
#include "fuzz.h"

static int on_as_of(void *ctx, const char *value, long line)
{
    (void)ctx; (void)line;
    return value[0] == '\0' ? 0 : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_xml_init();
    return norm_init() < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    struct src_info info;
    struct src s;
    long n = 0;
    if (size < 1)
        return 0;
    /* the first byte picks the layout: every child of the root, or a mapping's paths */
    static const struct xml_layout layouts[] = {
        { NULL, NULL }, { "/DATA/ROW", "/DATA/@EXPORT_DATE" }, { "/r/x", "/r/d" },
    };
    const struct xml_layout *lay = &layouts[data[0] % 3];
    int fd = fuzz_memfile(data + 1, size - 1, path);
    if (fd < 0)
        return 0;
    if (src_scan(path, ENC_AUTO, &info) == 0 && src_open(&s, path, info.enc) == 0) {
        struct reader_cb cb = { fuzz_column, NULL, on_as_of, fuzz_record, &n };
        if (xmlin_read(&s, "fuzz.xml", lay, &cb) == 0)
            src_verify(&s, &info);
        src_close(&s);
    }
    close(fd);
    return 0;
}
