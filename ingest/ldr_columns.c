/* ldr_columns.c: a load's columns: source headers resolved to canonical columns, the as-of
 * date a file names, and the applicant_ids an upsert file names. */

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"
#include "ldr_int.h"

/* ---- applicant_ids named by an upsert file ---- */

static uint64_t key_hash(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

/* Adds KEY; returns the line it was first seen on when already there, else 0. */
long ldr_keyset_add(struct keyset *ks, const char *key, long line)
{
    if ((ks->n + 1) * 2 > ks->cap) {
        struct keyset old = *ks;
        ks->cap = old.cap ? old.cap * 2 : 256;
        ks->key = xcalloc(ks->cap, sizeof *ks->key);
        ks->line = xcalloc(ks->cap, sizeof *ks->line);
        ks->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.key[i]) {
                size_t j = key_hash(old.key[i]) & (ks->cap - 1);
                while (ks->key[j])
                    j = (j + 1) & (ks->cap - 1);
                ks->key[j] = old.key[i];
                ks->line[j] = old.line[i];
                ks->n++;
            }
        free(old.key);
        free(old.line);
    }
    size_t j = key_hash(key) & (ks->cap - 1);
    while (ks->key[j]) {
        if (!strcmp(ks->key[j], key))
            return ks->line[j];
        j = (j + 1) & (ks->cap - 1);
    }
    ks->key[j] = xstrdup(key);
    ks->line[j] = line;
    ks->n++;
    return 0;
}

int ldr_keyset_has(const struct keyset *ks, const char *key)
{
    if (!ks->cap)
        return 0;
    size_t j = key_hash(key) & (ks->cap - 1);
    while (ks->key[j]) {
        if (!strcmp(ks->key[j], key))
            return 1;
        j = (j + 1) & (ks->cap - 1);
    }
    return 0;
}

void ldr_keyset_free(struct keyset *ks)
{
    for (size_t i = 0; i < ks->cap; i++)
        free(ks->key[i]);
    free(ks->key);
    free(ks->line);
}

/* ---- columns ---- */

/* Header text for comparison: full-width folded, trimmed, ASCII lower-cased. */
static void header_key(const char *in, struct sbuf *out)
{
    norm_fold(in, out);
    for (size_t i = 0; i < out->len; i++)
        if (out->s[i] >= 'A' && out->s[i] <= 'Z')
            out->s[i] = (char)(out->s[i] + 32);
}

static int resolve(struct ldr *l, const char *name)
{
    struct sbuf a = SBUF_INIT, b = SBUF_INIT;
    int col = -1;
    header_key(name, &a);
    const char *h = sbuf_str(&a);
    if (l->have_map) {
        for (int i = 0; i < l->k->ncols && col < 0; i++) {
            if (!l->map.source[i])
                continue;
            header_key(l->map.source[i], &b);
            const char *m = sbuf_str(&b);
            if (!strcmp(h, m) || (h[0] == '@' && !strcmp(h + 1, m)) ||
                (m[0] == '@' && !strcmp(h, m + 1)))
                col = i;
        }
    }
    const char *bare = h[0] == '@' ? h + 1 : h;
    for (int i = 0; i < l->k->ncols && col < 0; i++)
        if (!strcmp(bare, l->k->cols[i].name) || !strcmp(bare, l->k->cols[i].zh))
            col = i;
    sbuf_free(&a);
    sbuf_free(&b);
    return col;
}

int ldr_on_column(void *ctx, int pos, const char *name, long line)
{
    struct ldr *l = ctx;
    int col = resolve(l, name);
    if (pos >= l->nsrc) {
        l->srcmap = xrealloc(l->srcmap, (size_t)(pos + 1) * sizeof *l->srcmap);
        l->fpos = xrealloc(l->fpos, (size_t)(pos + 1) * sizeof *l->fpos);
        for (int i = l->nsrc; i <= pos; i++)
            l->srcmap[i] = -1;
        l->nsrc = pos + 1;
    }
    l->srcmap[pos] = col;
    if (col < 0) {
        if (l->unknown.len)
            sbuf_adds(&l->unknown, ", ");
        sbuf_adds(&l->unknown, *name ? name : "(empty)");
        return 0;
    }
    if (l->colsrc[col] >= 0)
        return xv_fail_at(XV_EDATA, l->o->file, line, "two columns give '%s': %d and %d",
                          l->k->cols[col].name, l->colsrc[col] + 1, pos + 1);
    l->colsrc[col] = pos;
    return 0;
}

int ldr_check_required(struct ldr *l)
{
    struct sbuf miss = SBUF_INIT;
    for (int i = 0; i < l->k->ncols; i++)
        if (l->k->cols[i].required && l->colsrc[i] < 0) {
            if (miss.len)
                sbuf_adds(&miss, ", ");
            sbuf_addf(&miss, "'%s' (%s)", l->k->cols[i].name, l->k->cols[i].zh);
        }
    int rc = 0;
    if (miss.len)
        rc = xv_fail(XV_EDATA, "%s: required column%s missing: %s; file refused", l->o->file,
                     strchr(miss.s, ',') ? "s" : "", miss.s);
    sbuf_free(&miss);
    return rc;
}

int ldr_on_columns_done(void *ctx)
{
    struct ldr *l = ctx;
    /* what makes a line's fields a record: the mapping (in seed) and which source column
     * gives each canonical one, out of how many; the version, should that change */
    struct sbuf b = SBUF_INIT;
    sbuf_adds(&b, "xverify line hash 1");
    sbuf_add(&b, &l->seed, sizeof l->seed);
    sbuf_add(&b, &l->nsrc, sizeof l->nsrc);
    sbuf_add(&b, l->colsrc, (size_t)l->k->ncols * sizeof *l->colsrc);
    l->line_seed = XXH3_64bits(b.s, b.len);
    sbuf_free(&b);
    return ldr_check_required(l);
}

int ldr_on_as_of(void *ctx, const char *value, long line)
{
    struct ldr *l = ctx;
    if (norm_date(value, l->map_as_of) < 0)
        return xv_fail_at(XV_EDATA, l->o->file, line, "as-of date '%s' is not a date", value);
    return 0;
}

int ldr_file_name_date(const char *path, const char *kind, char out[11])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t kl = strlen(kind);
    if (strncmp(base, kind, kl) || base[kl] != '-')
        return -1;
    char d[9];
    for (int i = 0; i < 8; i++) {
        char c = base[kl + 1 + i];
        if (c < '0' || c > '9')
            return -1;
        d[i] = c;
    }
    d[8] = '\0';
    char nx = base[kl + 9];
    if (nx != '-' && nx != '.')
        return -1;
    return norm_date(d, out);
}
