/* mapping.c: parses mapping files (kind, format, encoding, paths, columns, value maps). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/kv.h"
#include "../core/util.h"
#include "mapping.h"
#include "source.h"

/* One line, kept until the kind is known. */
struct entry {
    char *key, *val;
    long line;
};

struct collect {
    struct entry *e;
    int n;
};

static int collect(void *ctx, const char *key, const char *val, const char *file, long line)
{
    struct collect *c = ctx;
    (void)file;
    c->e = xrealloc(c->e, (size_t)(c->n + 1) * sizeof *c->e);
    c->e[c->n].key = xstrdup(key);
    c->e[c->n].val = xstrdup(val);
    c->e[c->n].line = line;
    c->n++;
    return 0;
}

/* The kind the mapping names (line "kind"), which must be KIND when KIND is given. */
static int map_kind(struct mapping *m, const struct collect *c, const struct kind *kind)
{
    m->kind = kind;
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->e[i].key, "kind"))
            continue;
        const struct kind *k = kind_find(c->e[i].val);
        if (!k)
            return xv_fail_at(XV_EUSAGE, m->path, c->e[i].line, "'kind' names no known kind");
        if (kind && k != kind)
            return xv_fail_at(XV_EUSAGE, m->path, c->e[i].line, "mapping is for '%s', not '%s'",
                              k->name, kind->name);
        m->kind = k;
    }
    if (!m->kind)
        return xv_fail(XV_EUSAGE, "mapping '%s' names no kind", m->path);
    return 0;
}

/* A layout key: format, encoding, record or as_of. 1 when K is none of them. */
static int map_layout(struct mapping *m, const char *k, const char *v, long line)
{
    if (!strcmp(k, "format")) {
        if (strcasecmp(v, "csv") && strcasecmp(v, "xml"))
            return xv_fail_at(XV_EUSAGE, m->path, line, "'format' must be csv or xml");
        free(m->format);
        m->format = xstrdup(!strcasecmp(v, "csv") ? "csv" : "xml");
    } else if (!strcmp(k, "encoding")) {
        if ((m->encoding = src_enc_parse(v)) < 0)
            return xv_fail_at(XV_EUSAGE, m->path, line,
                              "'encoding' must be auto, utf-8 or gb18030");
    } else if (!strcmp(k, "record") || !strcmp(k, "as_of")) {
        if (v[0] != '/')
            return xv_fail_at(XV_EUSAGE, m->path, line, "%s must be a path like %s", k,
                              k[0] == 'r' ? "/DATA/ROW" : "/DATA/@EXPORT_DATE");
        char **to = k[0] == 'r' ? &m->record : &m->as_of;
        free(*to);
        *to = xstrdup(v);
    } else {
        return 1;
    }
    return 0;
}

/* A column key ("name = 姓名") or a value map ("gender.1 = 男"). */
static int map_column(struct mapping *m, const char *k, const char *v, long line)
{
    const char *dot = strchr(k, '.');
    int col = dot ? -1 : kind_col(m->kind, k);
    if (col >= 0) {
        if (!*v)
            return xv_fail_at(XV_EUSAGE, m->path, line, "'%.64s' maps to nothing", k);
        if (m->source_line[col])
            return xv_fail_at(XV_EUSAGE, m->path, line, "'%.64s' is mapped twice (lines %ld "
                              "and %ld): which one is meant is not guessed", k,
                              m->source_line[col], line);
        m->source[col] = xstrdup(v);
        m->source_line[col] = line;
        return 0;
    }
    if (dot) {
        char *cname = xstrndup(k, (size_t)(dot - k));
        col = kind_col(m->kind, cname);
        free(cname);
    }
    if (col < 0 || !dot[1])
        return xv_fail_at(XV_EUSAGE, m->path, line, "unknown key '%.64s' for kind '%s'", k,
                          m->kind->name);
    if (col_has_valid(&m->kind->cols[col]))
        return xv_fail_at(XV_EUSAGE, m->path, line, "'%s' takes no value map: an identity code "
                          "is read as the source wrote it, never rewritten",
                          m->kind->cols[col].name);
    m->vmaps = xrealloc(m->vmaps, (size_t)(m->nvmaps + 1) * sizeof *m->vmaps);
    m->vmaps[m->nvmaps].col = col;
    m->vmaps[m->nvmaps].from = xstrdup(dot + 1);
    m->vmaps[m->nvmaps].to = xstrdup(v);
    m->vmaps[m->nvmaps].line = line;
    m->nvmaps++;
    return 0;
}

static int cmp_vmap(const void *x, const void *y)
{
    const struct vmap *a = x, *b = y;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    int c = strcmp(a->from, b->from);
    if (c)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Sorts the value maps for map_value; one code mapped twice for a column is an error. */
static int sort_vmaps(struct mapping *m)
{
    if (m->nvmaps > 1)
        qsort(m->vmaps, (size_t)m->nvmaps, sizeof *m->vmaps, cmp_vmap);
    for (int i = 1; i < m->nvmaps; i++)
        if (m->vmaps[i].col == m->vmaps[i - 1].col &&
            !strcmp(m->vmaps[i].from, m->vmaps[i - 1].from))
            return xv_fail_at(XV_EUSAGE, m->path, m->vmaps[i].line, "the value map of '%s' "
                              "gives one code twice (lines %ld and %ld)",
                              m->kind->cols[m->vmaps[i].col].name, m->vmaps[i - 1].line,
                              m->vmaps[i].line);
    return 0;
}

int map_load(const char *path, const struct kind *kind, struct mapping *m)
{
    int rc;
    struct sbuf b = SBUF_INIT;
    struct collect c = { NULL, 0 };
    memset(m, 0, sizeof *m);
    m->encoding = -1;
    m->path = xstrdup(path);
    if (read_small_file(path, 1 << 20, &b) < 0) {
        rc = XV_EUSAGE;   /* a mapping file is part of the command */
        goto done;
    }
    sha256_hex(sbuf_str(&b), b.len, m->sha256);
    /* the kind first: column keys are checked against it */
    if ((rc = kv_parse_buf(path, sbuf_str(&b), b.len, collect, &c)) < 0 ||
        (rc = map_kind(m, &c, kind)) < 0)
        goto done;
    m->source = xcalloc((size_t)m->kind->ncols, sizeof *m->source);
    m->source_line = xcalloc((size_t)m->kind->ncols, sizeof *m->source_line);
    for (int i = 0; i < c.n && rc >= 0; i++) {
        if (strcmp(c.e[i].key, "kind") &&
            (rc = map_layout(m, c.e[i].key, c.e[i].val, c.e[i].line)) == 1)
            rc = map_column(m, c.e[i].key, c.e[i].val, c.e[i].line);
    }
    if (rc >= 0)
        rc = sort_vmaps(m);
done:
    for (int i = 0; i < c.n; i++) {
        free(c.e[i].key);
        free(c.e[i].val);
    }
    free(c.e);
    sbuf_free(&b);
    if (rc < 0)
        map_free(m);
    return rc < 0 ? rc : 0;
}

void map_free(struct mapping *m)
{
    if (m->source && m->kind)
        for (int i = 0; i < m->kind->ncols; i++)
            free(m->source[i]);
    free(m->source);
    free(m->source_line);
    for (int i = 0; i < m->nvmaps; i++) {
        free(m->vmaps[i].from);
        free(m->vmaps[i].to);
    }
    free(m->vmaps);
    free(m->format);
    free(m->record);
    free(m->as_of);
    free(m->path);
    memset(m, 0, sizeof *m);
    m->encoding = -1;
}

const char *map_value(const struct mapping *m, int col, const char *raw)
{
    int lo = 0, hi = m->nvmaps;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        const struct vmap *v = &m->vmaps[mid];
        int c = v->col != col ? (v->col < col ? -1 : 1) : strcmp(v->from, raw);
        if (c == 0)
            return v->to;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
