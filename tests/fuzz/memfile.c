/* memfile.c: what the fuzz targets share: an in-memory file with a path, a record callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libxml/parser.h>
#include "../../core/utf8.h"
#include "../../ingest/reader.h"
#include "fuzz.h"

int fuzz_memfile(const uint8_t *data, size_t size, char path[64])
{
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

int fuzz_record(void *ctx, const struct rec *r)
{
    long *n = ctx;
    for (int i = 0; i < r->n; i++)
        if (r->v[i])
            *n += (long)r->v[i][0];
    return 0;
}

void fuzz_lines(const uint8_t *data, size_t size, size_t max, void (*fn)(const char *line))
{
    size_t tail;
    /* the readers hand the normalisers valid UTF-8 only */
    if (utf8_check(data, size, 0, &tail) != size || memchr(data, '\0', size) || size > max)
        return;
    char *text = malloc(size + 1);
    if (!text)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    for (char *p = text, *nl; p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        fn(p);
    }
    free(text);
}

int fuzz_column(void *ctx, int pos, const char *name, long line)
{
    (void)ctx; (void)pos; (void)name; (void)line;
    return 0;
}

static xmlParserInputPtr deny(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url; (void)id; (void)ctxt;
    return NULL;
}

void fuzz_xml_init(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(deny);
}
