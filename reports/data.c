/* data.c: what a run's reports show, read from the store once: findings, gates, counties. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/hooks.h"
#include "../core/policy.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/catalogue.h"
#include "rpt_int.h"

/* ---- reading the run ------------------------------------------------------------------ */

static char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return xstrdup(t ? (const char *)t : "");
}

int rpt_read_data(sqlite3 *db, struct data *d)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    if ((rc = store_prepare(db,
             "SELECT run_id, applicant_id, county_code, rule, severity, person_id_no, "
             "person_name, feed, record_key, declared, found, ifnull(load_id, ''), "
             "CASE WHEN link_weight IS NULL THEN '' ELSE printf('%.3f', link_weight) END, "
             "fingerprint, decision, raw FROM findings WHERE run_id=? "
             "ORDER BY applicant_id, rule, idx IS NULL, idx, person_id_no, record_key, "
             "fingerprint", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, d->r->id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (d->nf % 256 == 0)
            d->f = xrealloc(d->f, (size_t)(d->nf + 256) * sizeof *d->f);
        struct frow *f = &d->f[d->nf++];
        for (int i = 0; i < NCOLS; i++) {
            const char *t = (const char *)sqlite3_column_text(st, i);
            struct sbuf b = SBUF_INIT;
            if (!t)
                t = "";
            if (i == C_PID) {
                char m[64];
                mask_id(t, d->unmasked, m, sizeof m);
                sbuf_adds(&b, m);
            } else if (i == C_KEY || i == C_DECLARED || i == C_FOUND || i == C_RAW) {
                mask_text(t, d->unmasked, &b);
            } else {
                sbuf_adds(&b, t);
            }
            f->c[i] = b.s ? b.s : xstrdup("");
        }
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(db, "reading findings");
    if ((rc = store_prepare(db, "SELECT applicant_id, county_code, name, gate, status, n_block, "
                                "n_review, n_info FROM gates WHERE run_id=? ORDER BY applicant_id",
                            &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, d->r->id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (d->ng % 256 == 0)
            d->g = xrealloc(d->g, (size_t)(d->ng + 256) * sizeof *d->g);
        struct grow *g = &d->g[d->ng++];
        g->app = col(st, 0);
        g->county = col(st, 1);
        g->name = col(st, 2);
        g->gate = col(st, 3);
        g->status = col(st, 4);
        for (int i = 0; i < 3; i++)
            g->n[i] = sqlite3_column_int(st, 5 + i);
        if (!d->ncounties || strcmp(d->counties[d->ncounties - 1], g->county)) {
            int seen = 0;
            for (int i = 0; i < d->ncounties && !seen; i++)
                seen = !strcmp(d->counties[i], g->county);
            if (!seen) {
                d->counties = xrealloc(d->counties, (size_t)(d->ncounties + 1) * sizeof(char *));
                d->counties[d->ncounties++] = g->county;
            }
        }
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(db, "reading gates");
    /* counties in code order, so that the files are written in the same order every time */
    for (int i = 1; i < d->ncounties; i++)
        for (int j = i; j > 0 && strcmp(d->counties[j - 1], d->counties[j]) > 0; j--) {
            char *t = d->counties[j];
            d->counties[j] = d->counties[j - 1];
            d->counties[j - 1] = t;
        }
    return 0;
}

void rpt_data_free(struct data *d)
{
    for (long i = 0; i < d->nf; i++)
        for (int j = 0; j < NCOLS; j++)
            free(d->f[i].c[j]);
    free(d->f);
    for (long i = 0; i < d->ng; i++) {
        free(d->g[i].app);
        free(d->g[i].county);
        free(d->g[i].name);
        free(d->g[i].gate);
        free(d->g[i].status);
    }
    free(d->g);
    free(d->counties);
}

/* The gate named GATE; CLEAR for a name this program does not know. */
int rpt_gate_index(const char *gate)
{
    int g = gate_parse(gate);
    return g < 0 ? GATE_CLEAR : g;
}
