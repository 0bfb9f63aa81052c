/* sample.c: drawing a spot-check sample reproducibly, and recording field results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/loads.h"
#include "../core/run.h"
#include "../core/status.h"
#include "../core/store.h"
#include "../core/util.h"
#include "approve.h"
#include "reviewers.h"
#include "sample.h"

void sample_rows_free(struct sample_row *rows, long n)
{
    for (long i = 0; i < n; i++) {
        free(rows[i].app);
        free(rows[i].name);
        free(rows[i].id_no);
    }
    free(rows);
}

struct drawn {
    struct sample_row row;
    XXH64_hash_t key;
};

static int cmp_drawn(const void *a, const void *b)
{
    const struct drawn *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->row.app, y->row.app);
}

/* The applications of S's county whose status on S->on, with every change recorded so far,
 * is S's status: from the newest applicant load, into *ALL (*N of them). */
static int population(sqlite3 *db, const struct spot_sample *s, struct drawn **all, long *n)
{
    sqlite3_stmt *st = NULL;
    long long load = 0, seq = 0;
    int rc;
    if ((rc = loads_newest(db, "applicant", &load, NULL)) < 0 ||
        (rc = status_last_seq(db, &seq)) < 0)
        return rc;
    if ((rc = store_prepare(db, "SELECT a.applicant_id, a.name, a.id_no FROM applicant a WHERE "
                                "a.county_code = ?1 AND " RUN_VISIBLE("applicant", "a", "?2")
                                " AND " STATUS_AS_OF("a.applicant_id", "?3", "?4") " = ?5 "
                                "ORDER BY a.applicant_id", &st)) < 0)
        return rc;
    if (store_bind(st, "tiitt", s->county, load, seq, s->on, s->status) < 0)
        goto fail;
    XXH64_hash_t key = XXH3_64bits(s->seed, strlen(s->seed));
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n % 256 == 0)
            *all = xrealloc(*all, (size_t)(*n + 256) * sizeof **all);
        struct drawn *d = &(*all)[(*n)++];
        d->row.app = xstrdup((const char *)sqlite3_column_text(st, 0));
        d->row.name = xstrdup((const char *)sqlite3_column_text(st, 1));
        d->row.id_no = xstrdup((const char *)sqlite3_column_text(st, 2));
        d->key = XXH3_64bits_withSeed(d->row.app, strlen(d->row.app), key);
    }
    if (r != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    return 0;
fail:
    rc = store_err(db, "reading the households to sample");
    sqlite3_finalize(st);
    return rc;
}

int sample_draw(sqlite3 *db, struct spot_sample *s, struct sample_row **rows, long *n)
{
    struct drawn *all = NULL;
    long nall = 0;
    struct sbuf d = SBUF_INIT;
    int rc;
    *rows = NULL;
    *n = 0;
    today_iso(s->on);
    struct reviewer_act act = { s->by, LEVEL_COUNTY, s->county, "sample" };
    if ((rc = reviewer_check_any(db, &act)) < 0 || (rc = population(db, s, &all, &nall)) < 0)
        goto done;
    if (!nall) {
        rc = xv_fail(XV_ENEEDS, "sample refused: county '%s' has no household with status '%s' "
                     "on %s", s->county, s->status, s->on);
        goto done;
    }
    qsort(all, (size_t)nall, sizeof *all, cmp_drawn);
    long take = s->requested < nall ? (long)s->requested : nall;
    char **apps = xmalloc((size_t)take * sizeof *apps);
    for (long i = 0; i < take; i++)
        apps[i] = all[i].row.app;
    rc = spot_sample_add(db, s, apps, take);
    free(apps);
    if (rc < 0)
        goto done;
    sbuf_addf(&d, "county %s, status %s on %s, %lld asked, %ld drawn of %ld, seed ", s->county,
              s->status, s->on, s->requested, take, nall);
    sbuf_adds(&d, s->seed);
    sbuf_addf(&d, ", by %s:", s->by);
    for (long i = 0; i < take; i++)
        sbuf_addf(&d, " %s", all[i].row.app);
    struct sbuf subj = SBUF_INIT;
    sbuf_addf(&subj, "sample %lld", s->id);
    rc = audit_append(db, "sample", subj.s, d.s);
    sbuf_free(&subj);
    if (rc < 0)
        goto done;
    *rows = xmalloc((size_t)take * sizeof **rows);
    for (long i = 0; i < take; i++) {
        (*rows)[i] = all[i].row;
        all[i].row = (struct sample_row){ NULL, NULL, NULL };
    }
    *n = take;
done:
    for (long i = 0; i < nall; i++) {
        free(all[i].row.app);
        free(all[i].row.name);
        free(all[i].row.id_no);
    }
    free(all);
    sbuf_free(&d);
    return rc;
}

int spotcheck_record(sqlite3 *db, long long sample, const char *app, const char *result,
                     const char *by, const char *note)
{
    struct spot_sample s;
    struct sbuf d = SBUF_INIT;
    int rc;
    memset(&s, 0, sizeof s);
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = spot_sample_get(db, sample, &s)) < 0)
        goto fail;
    if ((rc = spot_sample_has(db, sample, app)) <= 0) {
        if (rc == 0)
            rc = xv_fail(XV_ENEEDS, "spot check refused: '%s' was not drawn in sample %lld", app,
                         sample);
        goto fail;
    }
    if ((rc = spot_result_has(db, sample, app)) != 0) {
        if (rc > 0)
            rc = xv_fail(XV_ENEEDS, "spot check refused: '%s' already has a result in sample "
                         "%lld", app, sample);
        goto fail;
    }
    struct reviewer_act act = { by, LEVEL_COUNTY, s.county, "spot check" };
    if ((rc = reviewer_check_any(db, &act)) < 0 ||
        (rc = spot_result_add(db, sample, app, result, by, note)) < 0)
        goto fail;
    sbuf_addf(&d, "sample %lld: %s by %s", sample, result, by);
    if (note && *note)
        sbuf_addf(&d, ": %s", note);
    if ((rc = audit_append(db, "spotcheck", app, d.s)) < 0)
        goto fail;
    sbuf_free(&d);
    spot_sample_free(&s);
    return store_commit(db);
fail:
    store_rollback(db);
    sbuf_free(&d);
    spot_sample_free(&s);
    return rc;
}
