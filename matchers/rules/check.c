/* check.c: every application of a run checked against the rules and stored, a full run's in
 * two threads. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/err.h"
#include "../../core/hooks.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "rules_int.h"

/* Reads application ID into A and evaluates every rule on it; its findings come settled. */
static int evaluate(struct ctx *c, const char *id, struct app *a)
{
    if (hook_fail_app(id))
        return error("checking application '%s': failed as $XVERIFY_FAIL_APP asks", id);
    int rc = app_read(c, id, a);
    /* an exited household in its relapse watch is checked for relapse only */
    if (rc == 0 && !strcmp(a->status, "exited")) {
        rules_relapse(c, a);
        rc = rules_spotcheck(c, a);
        goto settle;
    }
    if (rc == 0)
        rc = rules_identity(c, a);
    if (rc == 0)
        rc = rules_duplicates(c, a);
    if (rc == 0) {
        rules_assets(c, a);
        rc = rules_income(c, a);
    }
    if (rc == 0) {
        rules_exit(c, a);
        rc = rules_followup(c, a);
    }
    if (rc == 0)
        rc = rules_spotcheck(c, a);
settle:
    return rc < 0 ? rc : findings_settle(c, a);
}

/* Stores A's findings and gate, and counts it. */
static int store(struct ctx *c, const struct app *a)
{
    int rc = app_write(c, a);
    if (rc < 0)
        return rc;
    c->st->applications++;
    /* on a terminal, a progress line; logs (stderr not a terminal) get the summary only */
    if (c->tty && c->st->applications % 1000 == 0)
        fprintf(stderr, "\rxverify: rules: %ld applications checked, %ld findings",
                c->st->applications, c->st->findings);
    return 0;
}

static int check_app(struct ctx *c, const char *id)
{
    struct app a;
    memset(&a, 0, sizeof a);
    int rc = evaluate(c, id, &a);
    if (rc == 0)
        rc = store(c, &a);
    app_free(&a);
    return rc;
}

/* The applications' IDs, in ID order. */
struct ids {
    char **v;
    size_t n, cap;
};

static int add_id(void *ctx, const char *id)
{
    struct ids *x = ctx;
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 1024;
        x->v = xrealloc(x->v, x->cap * sizeof *x->v);
    }
    x->v[x->n++] = xstrdup(id);
    return 0;
}

/* ---- work beside the run --------------------------------------------------------------- */

static int beside_work(sqlite3 *db, void *arg)
{
    struct beside *b = arg;
    b->c.db = db;
    int rc = b->fn(b);
    rules_finalize(&b->c);   /* the statements it prepared on its connection */
    return rc;
}

static void beside_end(int rc, void *arg)
{
    struct beside *b = arg;
    (void)rc;   /* in b->job.rc */
    if (b->end)
        b->end(b);
}

int rules_beside_start(struct ctx *c, struct beside *b, const char *what,
                       int (*fn)(struct beside *b), void (*end)(struct beside *b), void *arg)
{
    memset(b, 0, sizeof *b);
    b->fn = fn;
    b->end = end;
    b->arg = arg;
    b->c = *c;
    b->c.st = &b->st;
    b->c.tty = 0;
    /* the run's statements are its connection's: the thread prepares its own (those
     * rules_finalize finalizes) */
    memset(b->c.fetch, 0, sizeof b->c.fetch);
    b->c.app = b->c.status = b->c.std = b->c.decision = b->c.ins = b->c.gate = NULL;
    b->c.contact = b->c.visits = b->c.spot = NULL;
    memset(&b->c.linked, 0, sizeof b->c.linked);
    b->c.linked.set = c->linked.set;
    return store_beside_start(&b->job, sqlite3_db_filename(c->db, "main"), what, beside_work,
                              beside_end, b);
}

void rules_beside_join(struct beside *b)
{
    store_beside_join(&b->job);
}

int rules_beside_finish(struct beside *b, int rc)
{
    return store_beside_finish(&b->job, rc);
}

/* ---- the applications ------------------------------------------------------------------ */

/* A full run's applications checked by two threads from one list (the second beside the run,
 * struct beside): each takes the next application no one has taken and evaluates it, and this
 * thread, between its own, stores those that are ready in ID order, so the tables get every row
 * in the order of one pass. What the rules read of the store is committed (feeds,
 * applications, statuses, decisions, visits), and what is the run's own comes from memory
 * (persons and links from the linker's set, records from the cache, the scope's people and
 * households from C->dups and C->hhx, all only read meanwhile). A failure stops both from
 * taking more; the first in application order is the one told (before it, every application
 * was taken, and is finished). */
struct shared {
    char **ids;
    size_t n;
    struct app *apps;        /* evaluated, trimmed (app_trim), until stored */
    signed char *state;      /* of each application: 0 not ready, 1 evaluated, -1 failed */
    size_t next;             /* the first application no one took */
    int stop, beside_done;
    size_t beside_failed;    /* where the thread beside failed (n: it did not) */
    pthread_mutex_t mu;
    pthread_cond_t ready;
};

/* The next application to evaluate, or -1. */
static long take(struct shared *s)
{
    pthread_mutex_lock(&s->mu);
    long i = s->stop || s->next >= s->n ? -1 : (long)s->next++;
    if (i == 0)
        pthread_cond_signal(&s->ready);   /* check_both waits for the first */
    pthread_mutex_unlock(&s->mu);
    return i;
}

/* Application I is evaluated (OK) or failed. */
static void put(struct shared *s, size_t i, int ok)
{
    pthread_mutex_lock(&s->mu);
    s->state[i] = ok ? 1 : -1;
    s->stop |= !ok;
    pthread_cond_signal(&s->ready);
    pthread_mutex_unlock(&s->mu);
}

/* The state of application I. */
static int state_of(struct shared *s, size_t i)
{
    pthread_mutex_lock(&s->mu);
    int st = s->state[i];
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* The state of application I, waiting while it is being evaluated beside. */
static int wait_for(struct shared *s, size_t i)
{
    pthread_mutex_lock(&s->mu);
    while (!s->state[i] && !s->beside_done && i < s->next)
        pthread_cond_wait(&s->ready, &s->mu);
    int st = s->state[i];
    pthread_mutex_unlock(&s->mu);
    return st;
}

static int evaluate_beside(struct beside *b)
{
    struct shared *s = b->arg;
    struct linked_set *set = b->c.linked.set;
    int rc = rules_prepare(&b->c);
    long i;
    b->c.linked.set = set;
    while (rc == 0 && (i = take(s)) >= 0) {
        if ((rc = evaluate(&b->c, s->ids[i], &s->apps[i])) < 0) {
            app_free(&s->apps[i]);
            pthread_mutex_lock(&s->mu);
            s->beside_failed = (size_t)i;
            pthread_mutex_unlock(&s->mu);
            put(s, (size_t)i, 0);
            break;
        }
        app_trim(&s->apps[i]);
        put(s, (size_t)i, 1);
    }
    return rc;
}

/* The thread beside is done: a failure outside an application (its connection, its
 * statements) fails the run as one at the first application would. */
static void evaluated_beside(struct beside *b)
{
    struct shared *s = b->arg;
    pthread_mutex_lock(&s->mu);
    if (b->job.rc < 0 && s->beside_failed >= s->n)
        s->beside_failed = 0;
    s->stop |= b->job.rc < 0;
    s->beside_done = 1;
    pthread_cond_signal(&s->ready);
    pthread_mutex_unlock(&s->mu);
}

/* Checks the applications of S in this thread and beside it (B, started). Returns the first
 * failure in application order. */
static int check_both(struct ctx *c, struct shared *s, struct beside *b)
{
    size_t stored = 0, failed = s->n;   /* where this thread failed */
    int rc = 0, code = 0;
    char msg[1024];
    xv_error_hold(1);   /* told once both are done, if it is the first */
    /* the thread beside takes the first application (it starts within milliseconds): then
     * both take part in every run, the small ones of the tests too */
    pthread_mutex_lock(&s->mu);
    while (s->next == 0 && !s->beside_done)
        pthread_cond_wait(&s->ready, &s->mu);
    pthread_mutex_unlock(&s->mu);
    while (rc == 0) {
        while (rc == 0 && stored < s->n && state_of(s, stored) == 1) {
            if ((rc = store(c, &s->apps[stored])) < 0)
                failed = stored;
            app_free(&s->apps[stored++]);
        }
        if (rc < 0)
            break;
        long i = take(s);
        if (i >= 0) {
            if ((rc = evaluate(c, s->ids[i], &s->apps[i])) < 0) {
                failed = (size_t)i;
                app_free(&s->apps[i]);
            } else {
                app_trim(&s->apps[i]);
            }
            put(s, (size_t)i, rc == 0);
        } else if (stored == s->n || wait_for(s, stored) != 1) {
            break;   /* all stored, or the next failed beside, or no one took it */
        }
    }
    xv_error_take(&code, msg, sizeof msg);
    xv_error_hold(0);
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_mutex_unlock(&s->mu);
    rules_beside_join(b);   /* its error is in B */
    if (failed < s->n && (s->beside_failed >= s->n || failed < s->beside_failed)) {
        xv_error_adopt(code, msg);
        rc = xv_error_raise();
    } else if (s->beside_failed < s->n) {
        xv_error_adopt(b->job.rc, b->job.msg);
        rc = xv_error_raise();
    } else {
        rc = 0;
    }
    for (size_t i = stored; i < s->n; i++)
        if (s->state[i] == 1)
            app_free(&s->apps[i]);
    return rc;
}

int rules_check_all(struct ctx *c, int split)
{
    struct ids ids = { NULL, 0, 0 };
    struct beside b;
    int rc = linked_applications(c->db, c->r->id, add_id, &ids), both = 0;
    struct shared s = { ids.v, ids.n, NULL, NULL, 0, 0, 0, ids.n, PTHREAD_MUTEX_INITIALIZER,
                        PTHREAD_COND_INITIALIZER };
    if (rc == 0 && split && c->linked.set && ids.n >= 2) {
        /* from here on the set and the caches are only read */
        linked_set_ready(c->linked.set);
        for (int i = 0; i < RUN_MAX_KINDS; i++)
            linked_rows_ready(&c->cache[i]);
        s.apps = xcalloc(ids.n, sizeof *s.apps);
        s.state = xcalloc(ids.n, 1);
        both = rules_beside_start(c, &b, "checking the rules", evaluate_beside,
                                  evaluated_beside, &s);
    }
    if (both)
        rc = check_both(c, &s, &b);
    for (size_t i = 0; i < ids.n && rc == 0 && !both; i++)
        rc = check_app(c, ids.v[i]);
    free(s.apps);
    free(s.state);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.ready);
    for (size_t i = 0; i < ids.n; i++)
        free(ids.v[i]);
    free(ids.v);
    return rc;
}
