/* writer.c: a bounded queue of row batches between the reading thread and a SQLite thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"
#include "writer.h"

#define BATCH_ROWS 2048
#define QUEUE 4

enum { V_NULL, V_INT, V_DOUBLE, V_TEXT, V_BLOB };

struct val {
    int idx, type;
    int64_t i;         /* V_INT; V_TEXT, V_BLOB: offset in the arena */
    double d;
    size_t n;          /* V_TEXT, V_BLOB length */
};

struct row {
    int op;
    size_t first, n;   /* its values */
};

struct batch {
    struct row *rows;
    size_t nrows;
    struct val *vals;
    size_t nvals, capvals;
    struct sbuf arena;
};

struct wr {
    sqlite3 *db;
    sqlite3_stmt *const *stmt;
    int nstmt;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch b[QUEUE];
    int head, count;   /* full batches waiting: b[head..head+count) */
    int fill;          /* the batch being filled by the reader */
    int done, err;
    size_t row_first;  /* the row being built starts at this value */
    int row_op, in_row;
};

static int write_batch(struct wr *w, struct batch *b)
{
    for (size_t r = 0; r < b->nrows; r++) {
        struct row *row = &b->rows[r];
        sqlite3_stmt *st = w->stmt[row->op];
        sqlite3_reset(st);
        for (size_t k = row->first; k < row->first + row->n; k++) {
            struct val *v = &b->vals[k];
            switch (v->type) {
            case V_NULL: sqlite3_bind_null(st, v->idx); break;
            case V_INT: sqlite3_bind_int64(st, v->idx, v->i); break;
            case V_DOUBLE: sqlite3_bind_double(st, v->idx, v->d); break;
            case V_BLOB:
                sqlite3_bind_blob(st, v->idx, b->arena.s + v->i, (int)v->n, SQLITE_STATIC);
                break;
            default:
                sqlite3_bind_text(st, v->idx, b->arena.s + v->i, (int)v->n, SQLITE_STATIC);
            }
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            return store_err(w->db, "storing a record");
    }
    return 0;
}

static void *run(void *arg)
{
    struct wr *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->count && !w->done)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->count && w->done)
            break;
        struct batch *b = &w->b[w->head];
        pthread_mutex_unlock(&w->mu);
        int rc = w->err ? 0 : write_batch(w, b);
        pthread_mutex_lock(&w->mu);
        if (rc < 0 && !w->err)
            __atomic_store_n(&w->err, rc, __ATOMIC_RELAXED);
        b->nrows = b->nvals = 0;
        sbuf_reset(&b->arena);
        w->head = (w->head + 1) % QUEUE;
        w->count--;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int wr_start(struct wr **out, sqlite3 *db, sqlite3_stmt *const *stmt, int nstmt)
{
    struct wr *w = xcalloc(1, sizeof *w);
    w->db = db;
    w->stmt = stmt;
    w->nstmt = nstmt;
    for (int i = 0; i < QUEUE; i++)
        w->b[i].rows = xmalloc(BATCH_ROWS * sizeof *w->b[i].rows);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        free(w);
        return error("cannot start the writer thread");
    }
    *out = w;
    return 0;
}

static struct batch *filling(struct wr *w)
{
    return &w->b[w->fill];
}

static struct val *push(struct wr *w, int idx, int type)
{
    struct batch *b = filling(w);
    if (b->nvals == b->capvals) {
        b->capvals = b->capvals ? b->capvals * 2 : 4096;
        b->vals = xrealloc(b->vals, b->capvals * sizeof *b->vals);
    }
    struct val *v = &b->vals[b->nvals++];
    v->idx = idx;
    v->type = type;
    return v;
}

void wr_row(struct wr *w, int op)
{
    w->row_op = op;
    w->row_first = filling(w)->nvals;
    w->in_row = 1;
}

void wr_null(struct wr *w, int idx)
{
    push(w, idx, V_NULL);
}

void wr_int(struct wr *w, int idx, int64_t i)
{
    push(w, idx, V_INT)->i = i;
}

void wr_double(struct wr *w, int idx, double d)
{
    push(w, idx, V_DOUBLE)->d = d;
}

static void bytes(struct wr *w, int idx, int type, const void *p, size_t n)
{
    struct batch *b = filling(w);
    size_t off = b->arena.len;
    sbuf_add(&b->arena, p, n);
    struct val *v = push(w, idx, type);
    v->i = (int64_t)off;
    v->n = n;
}

void wr_text(struct wr *w, int idx, const char *s, size_t n)
{
    bytes(w, idx, V_TEXT, s, n);
}

void wr_blob(struct wr *w, int idx, const void *p, size_t n)
{
    bytes(w, idx, V_BLOB, p, n);
}

void wr_cancel(struct wr *w)
{
    if (w->in_row)
        filling(w)->nvals = w->row_first;
    w->in_row = 0;
}

int wr_end(struct wr *w)
{
    struct batch *b = filling(w);
    int err;
    b->rows[b->nrows].op = w->row_op;
    b->rows[b->nrows].first = w->row_first;
    b->rows[b->nrows].n = b->nvals - w->row_first;
    b->nrows++;
    w->in_row = 0;
    if (b->nrows < BATCH_ROWS)   /* the lock is taken once a batch, not once a row */
        return __atomic_load_n(&w->err, __ATOMIC_RELAXED);
    pthread_mutex_lock(&w->mu);
    /* hand the batch over; wait for a free one */
    w->count++;
    pthread_cond_broadcast(&w->cv);
    while (w->count == QUEUE)
        pthread_cond_wait(&w->cv, &w->mu);
    w->fill = (w->head + w->count) % QUEUE;
    err = w->err;
    pthread_mutex_unlock(&w->mu);
    return err;
}

int wr_finish(struct wr *w)
{
    int err;
    pthread_mutex_lock(&w->mu);
    if (filling(w)->nrows) {
        while (w->count == QUEUE)
            pthread_cond_wait(&w->cv, &w->mu);
        w->count++;
    }
    w->done = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    err = w->err;
    for (int i = 0; i < QUEUE; i++) {
        free(w->b[i].rows);
        free(w->b[i].vals);
        sbuf_free(&w->b[i].arena);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return err;
}
