/* summary.c: summary.txt, also printed at the end of a run. */

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

/* ---- summary ------------------------------------------------------------------------------ */

int rpt_summary_text(sqlite3 *db, const struct data *d, struct sbuf *b)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    const struct run *r = d->r;
    if ((rc = store_prepare(db, "SELECT started_at, link_seconds, rules_seconds, versions FROM "
                                "runs WHERE id=?", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return store_err(db, "reading the run");
    }
    sbuf_addf(b, "xverify run %lld as of %s (started %s)\n", r->id, r->as_of,
              sqlite3_column_text(st, 0));
    sbuf_addf(b, "policy sha256 %s\n", r->pol.sha256);
    double link_s = sqlite3_column_double(st, 1), rules_s = sqlite3_column_double(st, 2);
    sbuf_addf(b, "versions: %s\n", sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    if ((rc = store_prepare(db, "SELECT rl.kind, rl.load_id, l.as_of, l.sha256, l.file FROM "
                                "run_loads rl JOIN loads l ON l.id = rl.load_id WHERE "
                                "rl.run_id=? ORDER BY rl.load_id", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->id);
    sbuf_adds(b, "loads:\n");
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 4);
        const char *base = strrchr(file, '/');
        sbuf_addf(b, "  %-16s load %-4lld as of %s  sha256 %.12s  %s\n",
                  sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                  sqlite3_column_text(st, 2), sqlite3_column_text(st, 3), base ? base + 1 : file);
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(db, "reading the run's loads");
    int gates[3] = { 0, 0, 0 };
    for (long i = 0; i < d->ng; i++)
        gates[rpt_gate_index(d->g[i].gate)]++;
    sbuf_addf(b, "applications: %ld (BLOCK %d, REVIEW %d, CLEAR %d)\n", d->ng, gates[0],
              gates[1], gates[2]);
    sbuf_addf(b, "findings: %ld\n", d->nf);
    for (int rr = 0; rr < R_COUNT; rr++) {
        long n = 0;
        for (long i = 0; i < d->nf; i++)
            n += !strcmp(d->f[i].c[C_RULE], rule_code(rr));
        if (n)
            sbuf_addf(b, "  %-24s %ld\n", rule_code(rr), n);
    }
    sbuf_addf(b, "stages: linking %.2f s, rules %.2f s\n", link_s, rules_s);
    return 0;
}
