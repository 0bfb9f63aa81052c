/* findings.c: an application's findings stored with their fingerprints, evidence hashes and
 * the decisions in force, and its gate. */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/err.h"
#include "../../core/status.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "../../core/verdict.h"
#include "../../ingest/norm.h"
#include "rules_int.h"

/* ---- storing ------------------------------------------------------------------------- */

void rules_fingerprint(const char *rule, const char *app, const char *person, const char *key,
                       int n, char out[17])
{
    struct sbuf b = SBUF_INIT;
    char h[65];
    sbuf_addf(&b, "%s\x1f%s\x1f%s\x1f%s", rule, app, person, key);
    if (n > 0)
        sbuf_addf(&b, "\x1f%d", n);
    sha256_hex(b.s, b.len, h);
    sbuf_free(&b);
    memcpy(out, h, 16);
    out[16] = '\0';
}

static int cmp_finding(const void *x, const void *y)
{
    const struct finding *a = x, *b = y;
    int c = strcmp(rule_code(a->rule), rule_code(b->rule));
    if (c)
        return c;
    int ia = a->idx < 0 ? 1 << 30 : a->idx, ib = b->idx < 0 ? 1 << 30 : b->idx;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    if ((c = strcmp(a->pid, b->pid)))
        return c;
    if ((c = strcmp(a->key, b->key)))
        return c;
    return a->ev < b->ev ? -1 : a->ev > b->ev;
}

/* The decision in force on the finding FP with evidence EV, among those the run can see. */
static int decision_of(struct ctx *c, const char *fp, const char *ev, const char **decision)
{
    sqlite3_stmt *d = c->decision;
    sqlite3_reset(d);
    sqlite3_bind_text(d, 1, fp, -1, SQLITE_STATIC);
    sqlite3_bind_int64(d, 2, c->r->decision_seq);
    sqlite3_bind_text(d, 3, ev, -1, SQLITE_STATIC);
    if (sqlite3_step(d) != SQLITE_ROW)
        return store_err(c->db, "reading decisions");
    const char *got = (const char *)sqlite3_column_text(d, 0);
    *decision = !strcmp(got, "dismissed") ? "dismissed" : !strcmp(got, "confirmed") ? "confirmed"
                                                                                  : "open";
    return 0;
}

/* Binds an integer, or NULL when HAVE is 0. */
static void bind_int_or_null(sqlite3_stmt *st, int i, int have, long long v)
{
    if (have)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Stores finding I of A with its fingerprint FP, evidence hash EV and DECISION. */
static int store_finding(struct ctx *c, const struct app *a, int i, const char *fp,
                         const char *ev, const char *decision)
{
    const struct finding *f = &a->fs[i];
    const struct rec *evr = f->ev >= 0 ? &a->recs[f->ev] : NULL;
    sqlite3_stmt *st = c->ins;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, c->r->id);
    const char *text[] = { a->id, a->county, rule_code(f->rule), sev_name(f->sev) };
    for (int k = 0; k < 4; k++)
        sqlite3_bind_text(st, 2 + k, text[k], -1, SQLITE_STATIC);
    bind_int_or_null(st, 6, f->idx >= 0, f->idx);
    sqlite3_bind_text(st, 7, f->pid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, f->pname, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, evr ? evr->k->name : "", -1, SQLITE_STATIC);
    bind_int_or_null(st, 10, evr != NULL, evr ? evr->rid : 0);
    sqlite3_bind_text(st, 11, f->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, f->declared, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, f->found, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, evr ? evr->raw : "", -1, SQLITE_STATIC);
    bind_int_or_null(st, 15, evr != NULL, evr ? evr->load : 0);
    if (evr && !isnan(evr->weight))
        sqlite3_bind_double(st, 16, evr->weight);
    else
        sqlite3_bind_null(st, 16);
    sqlite3_bind_text(st, 17, fp, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 18, ev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 19, decision, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_err(c->db, "storing a finding");
    c->st->findings++;
    c->st->by_rule[f->rule]++;
    return 0;
}

/* Stores A's gate from N, its findings in force counted by severity. */
static int store_gate(struct ctx *c, const struct app *a, const long n[SEV_COUNT])
{
    int gate = gate_of(n);
    c->st->gates[gate]++;
    sqlite3_stmt *st = c->gate;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, c->r->id);
    const char *text[] = { a->id, a->county, a->name, a->status, gate_name(gate) };
    for (int k = 0; k < 5; k++)
        sqlite3_bind_text(st, 2 + k, text[k], -1, SQLITE_STATIC);
    for (int k = 0; k < SEV_COUNT; k++)
        sqlite3_bind_int64(st, 7 + k, n[k]);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_err(c->db, "storing a gate");
    return 0;
}

int app_store(struct ctx *c, struct app *a)
{
    long n[SEV_COUNT] = { 0, 0, 0 };
    int rc;
    if (a->nfs > 1)
        qsort(a->fs, (size_t)a->nfs, sizeof *a->fs, cmp_finding);
    for (int i = 0; i < a->nfs; i++) {
        const struct finding *f = &a->fs[i];
        const struct rec *evr = f->ev >= 0 ? &a->recs[f->ev] : NULL;
        const char *decision = "open";
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup += a->fs[j].rule == f->rule && !strcmp(a->fs[j].pid, f->pid) &&
                   !strcmp(a->fs[j].key, f->key);
        char fp[17], ev[65];
        rules_fingerprint(rule_code(f->rule), a->id, f->pid, f->key, dup, fp);
        struct sbuf e = SBUF_INIT;
        sbuf_addf(&e, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", sev_name(f->sev),
                  evr ? evr->k->name : "", f->key, f->declared, f->found,
                  evr ? evr->raw : "");
        sha256_hex(e.s, e.len, ev);
        sbuf_free(&e);
        if ((rc = decision_of(c, fp, ev, &decision)) < 0 ||
            (rc = store_finding(c, a, i, fp, ev, decision)) < 0)
            return rc;
        if (strcmp(decision, "dismissed"))
            n[f->sev]++;
    }
    return store_gate(c, a, n);
}
