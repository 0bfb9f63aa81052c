/* vdiff.c: a hash join of a load's record hashes with the open versions', partitioned by the
 * hash's top bits and spilled to an unnamed temporary file past a memory budget. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/util.h"
#include "vdiff.h"

#define PART_ENTRIES (1u << 20)   /* entries a partition is sized for: its table is 17 MB */
#define MAX_PARTS 4096
#define READ_ENTRIES 4096

struct entry {
    uint64_t h1;
    uint32_t h2;   /* the low half of the second hash word: 96 bits compared */
    uint32_t id;
};

struct part {
    struct entry *e[2];   /* entries of each side not yet spilled, in the order added */
    size_t n[2], cap[2];
    size_t total[2];      /* spilled ones included */
};

struct chunk {            /* N entries of side SIDE of partition PART at OFF in the file */
    uint32_t part, side, n;
    unsigned long long off;
};

struct vdiff {
    int bits;             /* partition = top BITS of h1 */
    struct part *part;
    size_t inmem, budget; /* entries in memory; the most before spilling */
    char *dir;
    int fd;
    unsigned long long end;
    struct chunk *chunk;
    size_t nchunk, capchunk;
    /* the join's table, reused for every partition */
    struct entry *slot;
    unsigned char *state; /* 0 empty, then S_OPEN, S_SEEN, S_ADDED */
    size_t tcap, tsize;   /* slots allocated; slots the partition at hand uses (a power of 2) */
};

enum { S_EMPTY, S_OPEN, S_SEEN, S_ADDED };

int vd_new(struct vdiff **out, size_t expected, size_t budget, const char *dir)
{
    struct vdiff *v = xcalloc(1, sizeof *v);
    size_t parts = 1;
    while (parts < MAX_PARTS && parts * PART_ENTRIES < expected) {
        parts *= 2;
        v->bits++;
    }
    v->part = xcalloc(parts, sizeof *v->part);
    v->budget = budget / sizeof(struct entry);
    if (v->budget < 1024)
        v->budget = 1024;
    v->dir = xstrdup(dir && *dir ? dir : ".");
    v->fd = -1;
    *out = v;
    return 0;
}

static size_t nparts(const struct vdiff *v)
{
    return (size_t)1 << v->bits;
}

static int open_spill(struct vdiff *v)
{
    v->fd = open(v->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (v->fd >= 0)
        return 0;
    /* file systems without O_TMPFILE: a named file, unlinked at once */
    struct sbuf path = SBUF_INIT;
    sbuf_addf(&path, "%s/.xverify-spill-XXXXXX", v->dir);
    v->fd = mkstemp(path.s);
    if (v->fd >= 0)
        unlink(path.s);
    int rc = v->fd >= 0 ? 0 : xv_fail(XV_EIO, "cannot create a temporary file in '%s': %s",
                                      v->dir, strerror(errno));
    sbuf_free(&path);
    return rc;
}

static int write_all(struct vdiff *v, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = pwrite(v->fd, s, n, (off_t)v->end);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return xv_fail(XV_EIO, "cannot write a temporary file in '%s': %s", v->dir,
                           w < 0 ? strerror(errno) : "no space");
        s += w;
        n -= (size_t)w;
        v->end += (unsigned long long)w;
    }
    return 0;
}

/* Moves every entry held in memory to the temporary file. */
static int spill(struct vdiff *v)
{
    int rc;
    if (v->fd < 0 && (rc = open_spill(v)) < 0)
        return rc;
    for (size_t p = 0; p < nparts(v); p++)
        for (int s = 0; s < 2; s++) {
            struct part *pt = &v->part[p];
            if (!pt->n[s])
                continue;
            if (v->nchunk == v->capchunk) {
                v->capchunk = v->capchunk ? v->capchunk * 2 : 256;
                v->chunk = xrealloc(v->chunk, v->capchunk * sizeof *v->chunk);
            }
            v->chunk[v->nchunk++] = (struct chunk){ (uint32_t)p, (uint32_t)s,
                                                    (uint32_t)pt->n[s], v->end };
            if ((rc = write_all(v, pt->e[s], pt->n[s] * sizeof(struct entry))) < 0)
                return rc;
            pt->n[s] = 0;
        }
    v->inmem = 0;
    return 0;
}

int vd_add(struct vdiff *v, enum vd_side side, uint64_t h1, uint64_t h2, uint32_t id)
{
    int rc;
    if (v->inmem >= v->budget && (rc = spill(v)) < 0)
        return rc;
    struct part *pt = &v->part[v->bits ? h1 >> (64 - v->bits) : 0];
    if (pt->n[side] == pt->cap[side]) {
        pt->cap[side] = pt->cap[side] ? pt->cap[side] * 2 : 64;
        pt->e[side] = xrealloc(pt->e[side], pt->cap[side] * sizeof(struct entry));
    }
    pt->e[side][pt->n[side]++] = (struct entry){ h1, (uint32_t)h2, id };
    pt->total[side]++;
    v->inmem++;
    return 0;
}

/* The slot holding (E->h1, E->h2), or the empty slot where it would go. */
static size_t find(const struct vdiff *v, const struct entry *e)
{
    size_t mask = v->tsize - 1;
    for (size_t i = e->h1 & mask;; i = (i + 1) & mask)
        if (v->state[i] == S_EMPTY || (v->slot[i].h1 == e->h1 && v->slot[i].h2 == e->h2))
            return i;
}

struct join {
    vd_cb cb;
    void *ctx;
};

static int join_one(struct vdiff *v, int side, const struct entry *e, struct join *j)
{
    size_t i = find(v, e);
    if (side == VD_OPEN) {
        if (v->state[i] == S_EMPTY) {
            v->slot[i] = *e;
            v->state[i] = S_OPEN;
            return 0;
        }
        /* two open versions of one content (not made by xverify): the later one ends */
        return j->cb(j->ctx, VD_ENDED, e->id);
    }
    if (v->state[i] == S_EMPTY) {
        v->slot[i] = *e;
        v->state[i] = S_ADDED;
        return j->cb(j->ctx, VD_NEW, e->id);
    }
    if (v->state[i] == S_OPEN) {
        v->state[i] = S_SEEN;
        return j->cb(j->ctx, VD_UNCHANGED, e->id);
    }
    return j->cb(j->ctx, VD_DUPLICATE, e->id);
}

/* Feeds every entry of side SIDE of partition P to join_one: the spilled ones, then those in
 * memory, which is the order they were added in. */
static int each(struct vdiff *v, size_t p, int side, struct join *j)
{
    int rc;
    struct entry *buf = NULL;
    for (size_t c = 0; c < v->nchunk; c++) {
        const struct chunk *ch = &v->chunk[c];
        if (ch->part != p || ch->side != (uint32_t)side)
            continue;
        if (!buf)
            buf = xmalloc(READ_ENTRIES * sizeof *buf);
        for (size_t done = 0; done < ch->n;) {
            size_t n = ch->n - done < READ_ENTRIES ? ch->n - done : READ_ENTRIES;
            size_t want = n * sizeof *buf;
            ssize_t got = pread(v->fd, buf, want, (off_t)(ch->off + done * sizeof *buf));
            if (got < 0 && errno == EINTR)
                continue;
            if (got != (ssize_t)want) {
                rc = xv_fail(XV_EIO, "cannot read back a temporary file in '%s': %s", v->dir,
                             got < 0 ? strerror(errno) : "short read");
                goto done;
            }
            for (size_t k = 0; k < n; k++)
                if ((rc = join_one(v, side, &buf[k], j)) < 0)
                    goto done;
            done += n;
        }
    }
    for (size_t k = 0; k < v->part[p].n[side]; k++)
        if ((rc = join_one(v, side, &v->part[p].e[side][k], j)) < 0)
            goto done;
    rc = 0;
done:
    free(buf);
    return rc;
}

int vd_run(struct vdiff *v, vd_cb cb, void *ctx)
{
    struct join j = { cb, ctx };
    int rc = 0;
    for (size_t p = 0; p < nparts(v) && rc == 0; p++) {
        struct part *pt = &v->part[p];
        size_t want = 2 * (pt->total[0] + pt->total[1]), cap = 16;
        while (cap < want)
            cap *= 2;
        if (cap > v->tcap) {
            free(v->slot);
            free(v->state);
            v->slot = xmalloc(cap * sizeof *v->slot);
            v->state = xmalloc(cap);
            v->tcap = cap;
        }
        v->tsize = cap;
        memset(v->state, S_EMPTY, cap);
        if ((rc = each(v, p, VD_OPEN, &j)) == 0 && (rc = each(v, p, VD_FILE, &j)) == 0)
            for (size_t i = 0; i < cap && rc == 0; i++)
                if (v->state[i] == S_OPEN)
                    rc = cb(ctx, VD_ENDED, v->slot[i].id);
    }
    return rc;
}

unsigned long long vd_spilled(const struct vdiff *v)
{
    return v->end;
}

void vd_free(struct vdiff *v)
{
    if (!v)
        return;
    for (size_t p = 0; p < nparts(v); p++) {
        free(v->part[p].e[0]);
        free(v->part[p].e[1]);
    }
    free(v->part);
    free(v->chunk);
    free(v->slot);
    free(v->state);
    free(v->dir);
    if (v->fd >= 0)
        close(v->fd);
    free(v);
}
