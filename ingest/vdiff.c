/* vdiff.c: a hash join of a load's record hashes with the open versions', partitioned by the
 * hash's top bits and spilled to an unnamed temporary file past a memory budget. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/util.h"
#include "vdiff.h"

#define PART_ENTRIES (1u << 16)   /* entries a partition is sized for: its table (about 2 MB) stays in cache */
#define MAX_PARTS 4096
#define READ_ENTRIES 4096
#define STAGE 8                   /* entries staged per partition before they are appended */
#define NEAR 8                    /* open entries every file entry is compared with */
#define FAR 4096                  /* ... and after an unpaired one, when the credit allows */
#define FAR_CREDIT 32             /* compares each file entry adds to that credit */
#define WINDOW 8192               /* open entries the file side holds for pairing */
#define QUEUE (1u << 15)          /* open entries handed over, not yet taken */
#define BATCH 1024                /* open entries handed over at once */
#define TOPUP 256                 /* file entries between two tries to fill the window */

struct entry {
    uint64_t h1;
    uint32_t h2;   /* the low half of the second hash word: 96 bits compared */
    uint32_t id;
};

/* An open entry on its way to pairing, with its line hash (0: none). */
struct oentry {
    struct entry e;
    uint64_t line;
};

#define REFRESH_MAX (1u << 21)    /* line hashes to set kept at most, 12 bytes each */

struct part {
    struct entry *e;      /* entries not yet spilled, in the order added */
    size_t n, cap;
    size_t total;         /* spilled ones included */
    long first, last;     /* its chunks in the side's file, a list through chunk.next */
};

struct chunk {            /* N entries at OFF in the side's file */
    uint32_t n;
    long next;            /* the partition's next chunk, or -1 */
    unsigned long long off;
};

/* A side's entries: nothing here is shared with the other side, so that one thread can add
 * the open versions while another adds the file's records; each side has cache lines of its
 * own, so the two threads never write one line.
 * An entry goes to a small per-partition stage first, all stages side by side, and a full
 * stage is appended to its partition: appending each entry to one of hundreds of
 * partitions missed the cache and the TLB on nearly every add (vd_add was 12% of a 10M-row
 * reload's samples). */
struct side {
    struct part *part;
    struct entry *stage;  /* STAGE entries for each partition */
    unsigned char *nstage;
    size_t inmem;         /* entries in memory, staged ones included */
    int fd;               /* its temporary file, once it spilled */
    unsigned long long end;
    struct chunk *chunk;
    size_t nchunk, capchunk;
    /* pairing, the open side: entries not yet handed over */
    struct oentry *batch;
    size_t nbatch;
    /* pairing, the file side: a ring of the next open entries, [wh, wt) */
    struct oentry *win;
    size_t wh, wt;
    int open_done;        /* the open side handed over its last entry */
    unsigned since_topup;
    int last_unpaired;
    size_t credit;
    struct bits paired;     /* open rids matched in step */
    /* paired open rids whose line hash is not the one of the line they were paired with */
    uint32_t *refresh_rid;
    uint64_t *refresh_line;
    size_t nrefresh;
} __attribute__((aligned(64)));

/* Open entries on their way from the open side's thread to the file side's. */
struct handover {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct oentry *q;     /* a ring of QUEUE: [head, tail) */
    size_t head, tail;
    int eof;              /* the open side is done */
    int closed;           /* the file side is done: hand nothing more over */
    /* a side waits: the other wakes it (the open side once half the ring is free again),
     * and not otherwise: a wake-up is a system call */
    int open_waits, file_waits;
};

struct vdiff {
    int bits;             /* partition = top BITS of h1 */
    size_t budget;        /* entries a side keeps in memory before spilling */
    char *dir;
    struct side side[2];
    /* the join's table, reused for every partition */
    struct entry *slot;
    unsigned char *state; /* 0 empty, then S_OPEN, S_SEEN, S_ADDED */
    size_t tcap, tsize;   /* slots allocated; slots the partition at hand uses (a power of 2) */
    struct handover *ho;  /* pairing, or NULL */
};

enum { S_EMPTY, S_OPEN, S_SEEN, S_ADDED };

int vd_new(struct vdiff **out, size_t expected, size_t budget, const char *dir)
{
    struct vdiff *v = xcalloc_line(sizeof *v);   /* the sides on lines of their own */
    size_t parts = 1;
    while (parts < MAX_PARTS && parts * PART_ENTRIES < expected) {
        parts *= 2;
        v->bits++;
    }
    for (int s = 0; s < 2; s++) {
        v->side[s].part = xcalloc(parts, sizeof *v->side[s].part);
        v->side[s].stage = xmalloc(parts * STAGE * sizeof *v->side[s].stage);
        v->side[s].nstage = xcalloc(parts, 1);
        for (size_t p = 0; p < parts; p++)
            v->side[s].part[p].first = v->side[s].part[p].last = -1;
        v->side[s].fd = -1;
    }
    v->budget = budget / 2 / sizeof(struct entry);
    if (v->budget < 1024)
        v->budget = 1024;
    v->dir = xstrdup(dir && *dir ? dir : ".");
    *out = v;
    return 0;
}

static size_t nparts(const struct vdiff *v)
{
    return (size_t)1 << v->bits;
}

static int open_spill(const struct vdiff *v, struct side *sd)
{
    sd->fd = open(v->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (sd->fd >= 0)
        return 0;
    /* file systems without O_TMPFILE: a named file, unlinked at once */
    struct sbuf path = SBUF_INIT;
    sbuf_addf(&path, "%s/.xverify-spill-XXXXXX", v->dir);
    sd->fd = mkstemp(path.s);
    if (sd->fd >= 0)
        unlink(path.s);
    int rc = sd->fd >= 0 ? 0 : -errno;
    sbuf_free(&path);
    return rc;
}

/* Writes N bytes at the end of the side's file; 0 or -errno (no message: this may run in
 * a thread of its own, see vd_add). */
static int write_all(struct side *sd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = pwrite(sd->fd, s, n, (off_t)sd->end);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -errno : -ENOSPC;
        s += w;
        n -= (size_t)w;
        sd->end += (unsigned long long)w;
    }
    return 0;
}

/* Appends the entries staged for partition P to it. */
static void unstage(struct side *sd, size_t p)
{
    size_t k = sd->nstage[p];
    struct part *pt = &sd->part[p];
    if (!k)
        return;
    if (pt->n + k > pt->cap) {
        while (pt->n + k > pt->cap)
            pt->cap = pt->cap ? pt->cap * 2 : 64;
        pt->e = xrealloc(pt->e, pt->cap * sizeof(struct entry));
    }
    memcpy(pt->e + pt->n, sd->stage + p * STAGE, k * sizeof(struct entry));
    pt->n += k;
    pt->total += k;
    sd->nstage[p] = 0;
}

/* Moves every entry of the side held in memory to its temporary file. */
static int spill(const struct vdiff *v, struct side *sd)
{
    int rc;
    if (sd->fd < 0 && (rc = open_spill(v, sd)) < 0)
        return rc;
    for (size_t p = 0; p < nparts(v); p++) {
        struct part *pt = &sd->part[p];
        unstage(sd, p);
        if (!pt->n)
            continue;
        if (sd->nchunk == sd->capchunk) {
            sd->capchunk = sd->capchunk ? sd->capchunk * 2 : 256;
            sd->chunk = xrealloc(sd->chunk, sd->capchunk * sizeof *sd->chunk);
        }
        long c = (long)sd->nchunk++;
        sd->chunk[c] = (struct chunk){ (uint32_t)pt->n, -1, sd->end };
        if (pt->first < 0)
            pt->first = c;
        else
            sd->chunk[pt->last].next = c;
        pt->last = c;
        if ((rc = write_all(sd, pt->e, pt->n * sizeof(struct entry))) < 0)
            return rc;
        pt->n = 0;
    }
    sd->inmem = 0;
    return 0;
}

/* ---- pairing ---- */

int vd_pairing(struct vdiff *v)
{
    struct handover *h = xcalloc(1, sizeof *h);
    if (pthread_mutex_init(&h->mu, NULL) != 0) {
        free(h);
        return error("cannot start pairing: no mutex");
    }
    if (pthread_cond_init(&h->cv, NULL) != 0) {
        pthread_mutex_destroy(&h->mu);
        free(h);
        return error("cannot start pairing: no condition variable");
    }
    h->q = xmalloc(QUEUE * sizeof *h->q);
    v->side[VD_OPEN].batch = xmalloc(BATCH * sizeof(struct oentry));
    v->side[VD_FILE].win = xmalloc(WINDOW * sizeof(struct oentry));
    v->ho = h;
    return 0;
}

/* The open side hands its batch over, waiting for room while the file side takes entries. */
static void hand_over(struct vdiff *v)
{
    struct side *sd = &v->side[VD_OPEN];
    struct handover *h = v->ho;
    pthread_mutex_lock(&h->mu);
    while (!h->closed && QUEUE - (h->tail - h->head) < sd->nbatch) {
        h->open_waits = 1;
        pthread_cond_wait(&h->cv, &h->mu);
    }
    if (!h->closed) {
        for (size_t k = 0; k < sd->nbatch; k++)
            h->q[(h->tail + k) & (QUEUE - 1)] = sd->batch[k];
        h->tail += sd->nbatch;
        if (h->file_waits) {
            h->file_waits = 0;
            pthread_cond_broadcast(&h->cv);
        }
    }
    pthread_mutex_unlock(&h->mu);
    sd->nbatch = 0;
}

void vd_open_done(struct vdiff *v)
{
    struct handover *h = v->ho;
    if (!h)
        return;
    if (v->side[VD_OPEN].nbatch)
        hand_over(v);
    pthread_mutex_lock(&h->mu);
    h->eof = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void vd_file_done(struct vdiff *v)
{
    struct handover *h = v ? v->ho : NULL;
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->closed = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* Fills the file side's window from the handover; waits while it holds fewer than NEED
 * entries and more may come. */
static void take(struct vdiff *v, size_t need)
{
    struct side *sd = &v->side[VD_FILE];
    struct handover *h = v->ho;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        size_t have = sd->wt - sd->wh, n = h->tail - h->head;
        if (n > WINDOW - have)
            n = WINDOW - have;
        for (size_t k = 0; k < n; k++)
            sd->win[(sd->wt + k) & (WINDOW - 1)] = h->q[(h->head + k) & (QUEUE - 1)];
        sd->wt += n;
        h->head += n;
        if (h->open_waits && QUEUE - (h->tail - h->head) >= QUEUE / 2) {
            h->open_waits = 0;
            pthread_cond_broadcast(&h->cv);
        }
        if (h->eof && h->head == h->tail)
            sd->open_done = 1;
        if (sd->open_done || sd->wt - sd->wh >= need)
            break;
        h->file_waits = 1;
        pthread_cond_wait(&h->cv, &h->mu);
    }
    pthread_mutex_unlock(&h->mu);
}

/* The window's entry D places ahead. */
static struct oentry *win_at(struct side *sd, size_t d)
{
    return &sd->win[(sd->wh + d) & (WINDOW - 1)];
}

/* How far pairing looks: the next NEAR open entries, and after an unpaired file entry the
 * next FAR, as CREDIT allows (a file in another order than the open versions must not cost
 * FAR compares an entry). Tops the window up first. */
static void reach(struct vdiff *v, size_t credit, size_t *near, size_t *far)
{
    struct side *sd = &v->side[VD_FILE];
    if (!sd->open_done && (sd->wt - sd->wh < NEAR || ++sd->since_topup >= TOPUP)) {
        sd->since_topup = 0;
        take(v, NEAR);
    }
    size_t have = sd->wt - sd->wh;
    *near = have < NEAR ? have : NEAR;
    *far = sd->last_unpaired && have > *near && credit >= FAR ? (have < FAR ? have : FAR)
                                                               : *near;
}

/* The file entry was paired with the window's entry D, which is then the last the window
 * drops (the ones before it are left to the join); LINE is the line hash of the file entry. */
static void paired_at(struct side *sd, size_t d, uint64_t line)
{
    struct oentry *o = win_at(sd, d);
    bits_set(&sd->paired, o->e.id);
    if (line && o->line != line && sd->nrefresh < REFRESH_MAX) {
        if (!sd->refresh_rid) {
            sd->refresh_rid = xmalloc(REFRESH_MAX * sizeof *sd->refresh_rid);
            sd->refresh_line = xmalloc(REFRESH_MAX * sizeof *sd->refresh_line);
        }
        sd->refresh_rid[sd->nrefresh] = o->e.id;
        sd->refresh_line[sd->nrefresh++] = line;
    }
    sd->wh += d + 1;
    sd->last_unpaired = 0;
}

/* The credit a file entry brings (see reach). */
static size_t credit_with(const struct side *sd)
{
    return sd->credit < (size_t)FAR * FAR_CREDIT ? sd->credit + FAR_CREDIT : sd->credit;
}

/* Compares the file entry E (of line hash LINE) with the open entries within reach (see
 * reach); 1 when it was paired with one of them. */
static int pair(struct vdiff *v, const struct entry *e, uint64_t line)
{
    struct side *sd = &v->side[VD_FILE];
    size_t look, far, d;
    sd->credit = credit_with(sd);
    reach(v, sd->credit, &look, &far);
    for (d = 0; d < far; d++)
        if (win_at(sd, d)->e.h1 == e->h1 && win_at(sd, d)->e.h2 == e->h2)
            break;
    if (d > look)
        sd->credit -= (d < far ? d : far) - look;
    if (d < far) {
        paired_at(sd, d, line);
        return 1;
    }
    sd->last_unpaired = 1;
    return 0;
}

int vd_pair_line(struct vdiff *v, uint64_t line)
{
    struct side *sd = &v->side[VD_FILE];
    size_t look, far, d;
    if (!v->ho || !line)
        return 0;
    size_t credit = credit_with(sd);
    reach(v, credit, &look, &far);
    for (d = 0; d < far; d++)
        if (win_at(sd, d)->line == line)
            break;
    if (d == far)
        return 0;   /* no credit is spent: pair() looks again */
    /* an earlier open entry of the same content, which pair() would take, changes nothing:
     * the join ends the later of two open versions of one content, paired or not */
    sd->credit = credit - (d > look ? d - look : 0);
    paired_at(sd, d, 0);
    return 1;
}

size_t vd_refreshes(const struct vdiff *v, const uint32_t **rid, const uint64_t **line)
{
    const struct side *sd = &v->side[VD_FILE];
    *rid = sd->refresh_rid;
    *line = sd->refresh_line;
    return sd->nrefresh;
}

unsigned long long vd_paired(const struct vdiff *v)
{
    return (unsigned long long)bits_count(&v->side[VD_FILE].paired);
}

/* The error context for a temporary file that failed with -errno RC: XV_EIO. */
static int spill_failed(const struct vdiff *v, int rc)
{
    return xv_error_set(XV_EIO, "cannot use a temporary file in '%s': %s", v->dir,
                        strerror(-rc));
}

int vd_add(struct vdiff *v, enum vd_side side, uint64_t h1, uint64_t h2, uint64_t line,
           uint32_t id)
{
    struct side *sd = &v->side[side];
    struct entry e = { h1, (uint32_t)h2, id };
    int rc;
    if (v->ho && side == VD_FILE && pair(v, &e, line))
        return 1;
    if (sd->inmem >= v->budget && (rc = spill(v, sd)) < 0)
        return spill_failed(v, rc);
    size_t p = v->bits ? h1 >> (64 - v->bits) : 0;
    sd->stage[p * STAGE + sd->nstage[p]] = e;
    if (++sd->nstage[p] == STAGE)
        unstage(sd, p);
    sd->inmem++;
    if (v->ho && side == VD_OPEN) {
        sd->batch[sd->nbatch++] = (struct oentry){ e, line };
        if (sd->nbatch == BATCH)
            hand_over(v);
    }
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
    if (side == VD_OPEN && v->ho && bits_has(&v->side[VD_FILE].paired, e->id)) {
        /* matched in step; a second open version of its content ends, as below, and the
         * file entry counts as it would have against the first */
        int was = v->state[i];
        v->state[i] = S_SEEN;
        if (was == S_EMPTY) {
            v->slot[i] = *e;
            return j->cb(j->ctx, VD_PAIRED_UNCHANGED, e->id);
        }
        int rc = j->cb(j->ctx, was == S_OPEN ? VD_PAIRED_UNCHANGED : VD_PAIRED_DUPLICATE, e->id);
        return rc < 0 ? rc : j->cb(j->ctx, VD_ENDED, e->id);
    }
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
    struct side *sd = &v->side[side];
    struct entry *buf = NULL;
    for (long c = sd->part[p].first; c >= 0; c = sd->chunk[c].next) {
        const struct chunk *ch = &sd->chunk[c];
        if (!buf)
            buf = xmalloc(READ_ENTRIES * sizeof *buf);
        for (size_t done = 0; done < ch->n;) {
            size_t n = ch->n - done < READ_ENTRIES ? ch->n - done : READ_ENTRIES;
            size_t want = n * sizeof *buf;
            ssize_t got = pread(sd->fd, buf, want, (off_t)(ch->off + done * sizeof *buf));
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
    for (size_t k = 0; k < sd->part[p].n; k++)
        if ((rc = join_one(v, side, &sd->part[p].e[k], j)) < 0)
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
    for (size_t p = 0; p < nparts(v); p++)
        for (int s = 0; s < 2; s++)
            unstage(&v->side[s], p);
    for (size_t p = 0; p < nparts(v) && rc == 0; p++) {
        size_t want = 2 * (v->side[0].part[p].total + v->side[1].part[p].total), cap = 16;
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
    return v->side[0].end + v->side[1].end;
}

void vd_free(struct vdiff *v)
{
    if (!v)
        return;
    for (int s = 0; s < 2; s++) {
        for (size_t p = 0; p < nparts(v); p++)
            free(v->side[s].part[p].e);
        free(v->side[s].part);
        free(v->side[s].stage);
        free(v->side[s].nstage);
        free(v->side[s].chunk);
        free(v->side[s].batch);
        free(v->side[s].win);
        free(v->side[s].paired.b);
        free(v->side[s].refresh_rid);
        free(v->side[s].refresh_line);
        if (v->side[s].fd >= 0)
            close(v->side[s].fd);
    }
    if (v->ho) {
        pthread_mutex_destroy(&v->ho->mu);
        pthread_cond_destroy(&v->ho->cv);
        free(v->ho->q);
        free(v->ho);
    }
    free(v->slot);
    free(v->state);
    free(v->dir);
    free(v);
}
