/* fuzz.h: what the fuzz targets share: the libFuzzer entry points and an in-memory file. */
#ifndef XV_FUZZ_H
#define XV_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes DATA to an anonymous in-memory file and puts a path that opens it in PATH (64
 * bytes); returns its descriptor (the caller closes it) or -1. */
int fuzz_memfile(const uint8_t *data, size_t size, char path[64]);

/* A reader callback that takes any column. */
int fuzz_column(void *ctx, int pos, const char *name, long line);
/* libxml2 as the readers use it, with every external entity refused. */
void fuzz_xml_init(void);

struct rec;
/* A reader callback that reads every value of a record (CTX: a long to add to). */
int fuzz_record(void *ctx, const struct rec *r);

/* Calls FN with each line of DATA (valid UTF-8 without NUL, at most MAX bytes; other
 * inputs are skipped). */
void fuzz_lines(const uint8_t *data, size_t size, size_t max, void (*fn)(const char *line));

#endif
