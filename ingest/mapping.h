/* mapping.h: mapping files, which tell the loader how to read a feed from another system. */
#ifndef XV_MAPPING_H
#define XV_MAPPING_H
#include "../core/kinds.h"

struct vmap {
    int col;          /* canonical column index */
    char *from;       /* the source's code, e.g. "A" */
    char *to;         /* the canonical value, e.g. "正常" */
    long line;        /* where the mapping file gives it */
};

/* A parsed mapping file. Everything in it is owned by the struct; map_free releases it. */
struct mapping {
    char *path;
    char sha256[65];
    const struct kind *kind;
    char *format;     /* "csv", "xml" or NULL */
    int encoding;     /* enum src_enc, or -1 when not given */
    char *record;     /* XML: path of one record element */
    char *as_of;      /* XML: path of the as-of date */
    char **source;    /* per canonical column: the source column/element/@attribute, or NULL */
    long *source_line; /* per canonical column: the line that maps it, 0: none */
    struct vmap *vmaps; /* sorted by column and code once loaded (map_value searches them) */
    int nvmaps;
};

/* Reads the mapping at PATH. KIND is the kind given on the command line (or NULL, then the
 * file must name one). An unknown key or a kind that disagrees is an error naming the line
 * (XV_EUSAGE). */
int map_load(const char *path, const struct kind *kind, struct mapping *m);
void map_free(struct mapping *m);
/* The canonical value the mapping gives column COL's source value RAW, or NULL; a binary
 * search, so that a map of 20,000 codes costs a load no more than one of 20. */
const char *map_value(const struct mapping *m, int col, const char *raw);

#endif
