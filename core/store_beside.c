/* store_beside.c: work done in a thread of its own on a read-only connection to a store's
 * file, beside a transaction of the store's own connection, its failure handed back to the
 * thread that joins it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "hooks.h"
#include "store.h"
#include "util.h"

#define BESIDE_BUSY_MS 5000   /* how long the thread's connection waits for a lock */

int store_readable_beside(sqlite3 *db)
{
    const char *path = sqlite3_db_filename(db, "main");
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "PRAGMA journal_mode", &st);
    if (rc < 0)
        return rc;
    int wal = sqlite3_step(st) == SQLITE_ROW &&
              !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    return wal && path && *path;
}

int store_open_beside(const char *path, const char *what, sqlite3 **db)
{
    *db = NULL;
    if (hook_fail_open(what))
        return xv_error_set(XV_EIO, "database: %s: %s", what, sqlite3_errstr(SQLITE_CANTOPEN));
    int s = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (s == SQLITE_OK && (s = sqlite3_busy_timeout(*db, BESIDE_BUSY_MS)) == SQLITE_OK)
        return 0;
    return xv_error_set(store_code(s) == XV_ELOCKED ? XV_ELOCKED : XV_EIO, "database: %s: %s",
                        what, *db ? sqlite3_errmsg(*db) : sqlite3_errstr(s));
}

/* The thread: its errors held, not printed; the work's result, failing closed. */
static void *beside_thread(void *arg)
{
    struct store_beside *b = arg;
    sqlite3 *db = NULL;
    int code = 0;
    xv_error_hold(1);
    int rc = store_open_beside(b->path, b->what, &db);
    if (rc == 0)
        rc = b->fn(db, b->arg);
    xv_error_take(&code, b->msg, sizeof b->msg);
    xv_error_hold(0);
    sqlite3_close(db);
    /* a failure is one whichever way it shows: a code returned without a message, or a
     * message recorded under a result of 0 */
    b->rc = code < 0 ? code : rc < 0 ? rc : 0;
    if (b->rc < 0 && !b->msg[0])
        snprintf(b->msg, sizeof b->msg, "%s failed", b->what);
    if (b->end)
        b->end(b->rc, b->arg);
    return NULL;
}

int store_beside_start(struct store_beside *b, const char *path, const char *what,
                       int (*fn)(sqlite3 *db, void *arg), void (*end)(int rc, void *arg),
                       void *arg)
{
    memset(b, 0, sizeof *b);
    b->path = xstrdup(path);
    b->what = what;
    b->fn = fn;
    b->end = end;
    b->arg = arg;
    if (pthread_create(&b->thread, NULL, beside_thread, b) != 0) {
        free(b->path);
        b->path = NULL;
        return 0;
    }
    b->running = 1;
    return 1;
}

void store_beside_join(struct store_beside *b)
{
    if (!b->running)
        return;
    pthread_join(b->thread, NULL);
    b->running = 0;
    free(b->path);
    b->path = NULL;
}

int store_beside_finish(struct store_beside *b, int rc)
{
    store_beside_join(b);
    if (rc < 0 || b->rc == 0)
        return rc;
    xv_error_adopt(b->rc, b->msg);
    return xv_error_raise();
}
