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

/* The statements a copy of the run's context prepared on its own connection, finalized. */
static void beside_close(struct ctx *c)
{
    linked_reader_close(&c->linked);
    for (int i = 0; i < RUN_MAX_KINDS; i++)
        sqlite3_finalize(c->fetch[i]);
    sqlite3_stmt *all[] = { c->app, c->status, c->std, c->decision, c->contact, c->visits,
                            c->spot, c->ins, c->gate };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
}

static void *beside_thread(void *arg)
{
    struct beside *b = arg;
    sqlite3 *db = NULL;
    xv_error_hold(1);
    if (store_open_beside(b->path, "checking the rules", &db) == 0) {
        b->c.db = db;
        b->fn(b);
        beside_close(&b->c);
    }
    xv_error_take(&b->rc, b->msg, sizeof b->msg);
    xv_error_hold(0);
    sqlite3_close(db);
    return NULL;
}

int rules_beside_start(struct ctx *c, struct beside *b, int (*fn)(struct beside *b), void *arg)
{
    memset(b, 0, sizeof *b);
    b->path = xstrdup(sqlite3_db_filename(c->db, "main"));
    b->fn = fn;
    b->arg = arg;
    b->c = *c;
    b->c.st = &b->st;
    b->c.tty = 0;
    /* the run's statements are its connection's: the thread prepares its own */
    memset(b->c.fetch, 0, sizeof b->c.fetch);
    b->c.app = b->c.status = b->c.std = b->c.decision = b->c.ins = b->c.gate = NULL;
    b->c.contact = b->c.visits = b->c.spot = NULL;
    memset(&b->c.linked, 0, sizeof b->c.linked);
    b->c.linked.set = c->linked.set;
    if (pthread_create(&b->thread, NULL, beside_thread, b) == 0)
        return 1;
    free(b->path);
    return 0;
}

int rules_beside_finish(struct beside *b, int rc)
{
    pthread_join(b->thread, NULL);
    free(b->path);
    if (rc == 0 && b->rc < 0) {
        xv_error_adopt(b->rc, b->msg);
        rc = xv_error_raise();
    }
    return rc;
}

/* ---- the applications ------------------------------------------------------------------ */

/* The second part of a full run's applications, evaluated beside the run (struct beside): what
 * the rules read of the store is committed (feeds, applications, statuses, decisions, visits),
 * and what is the run's own comes from memory (persons and links from the linker's set,
 * records from the cache, the scope's people and households from C->dups and C->hhx, all only
 * read while both parts run). Each application is kept evaluated, its findings settled; the
 * run stores them after its own part's, so the tables get every row in the order of one pass,
 * and the first error in application order is the one told. */
struct part {
    char **ids;
    size_t n;
    struct app *apps;        /* evaluated, trimmed (app_trim) */
    size_t done;
};

static int part_run(struct beside *b)
{
    struct part *p = b->arg;
    struct linked_set *set = b->c.linked.set;
    int rc = rules_prepare(&b->c);
    b->c.linked.set = set;
    for (; rc == 0 && p->done < p->n; p->done++) {
        struct app *a = &p->apps[p->done];
        if ((rc = evaluate(&b->c, p->ids[p->done], a)) < 0) {
            app_free(a);
            break;
        }
        app_trim(a);
    }
    return rc;
}

/* Stores part P's applications after the first part's (RC 0: it went well), and frees them. */
static int part_store(struct ctx *c, struct part *p, int rc)
{
    for (size_t i = 0; i < p->done && rc == 0; i++)
        rc = store(c, &p->apps[i]);
    for (size_t i = 0; i < p->done; i++)
        app_free(&p->apps[i]);
    free(p->apps);
    return rc;
}

int rules_check_all(struct ctx *c, int split)
{
    struct ids ids = { NULL, 0, 0 };
    struct beside b;
    struct part p = { NULL, 0, NULL, 0 };
    int rc = linked_applications(c->db, c->r->id, add_id, &ids), halves = 0;
    size_t mid = ids.n;
    if (rc == 0 && split && c->linked.set && ids.n >= 2) {
        /* from here on the set and the caches are only read */
        linked_set_ready(c->linked.set);
        for (int i = 0; i < RUN_MAX_KINDS; i++)
            linked_rows_ready(&c->cache[i]);
        /* the run's thread also stores every application: it takes a little less */
        mid = ids.n * 9 / 20;
        p = (struct part){ ids.v + mid, ids.n - mid, xcalloc(ids.n - mid, sizeof *p.apps), 0 };
        halves = rules_beside_start(c, &b, part_run, &p);
        if (!halves)
            mid = ids.n;
    }
    for (size_t i = 0; i < mid && rc == 0; i++)
        rc = check_app(c, ids.v[i]);
    if (halves)
        rc = rules_beside_finish(&b, rc);
    rc = part_store(c, &p, rc);
    for (size_t i = 0; i < ids.n; i++)
        free(ids.v[i]);
    free(ids.v);
    return rc;
}
