/* cmd_show.c: "xverify show APPLICANT": every link of an application explained field by field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../matchers/rules/findings.h"
#include "../matchers/compare.h"

static int show_link(sqlite3 *db, const struct run *r, sqlite3_stmt *ln, int unmasked)
{
    const char *kind = (const char *)sqlite3_column_text(ln, 1);
    long long rid = sqlite3_column_int64(ln, 2);
    const struct kind *k = kind_find(kind);
    sqlite3_stmt *st = NULL;
    struct sbuf sql = SBUF_INIT;
    int rc;
    if (!k || !kind_is_feed(k))
        return error("unknown feed '%s' in links", kind);
    sbuf_addf(&sql, "SELECT load_id, line, raw, %s, id_no, name FROM %s WHERE rid=?",
              k->key, k->name);
    rc = store_prepare(db, sql.s, &st);
    sbuf_free(&sql);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, rid);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return error("record %lld of '%s' is missing", rid, kind);
    }
    const char *raw = (const char *)sqlite3_column_text(st, 2);
    const char *p;
    size_t n;
    char idm[64], rawid[64], rawname[128];
    mask_id((const char *)sqlite3_column_text(st, 4), unmasked, idm, sizeof idm);
    if (store_raw_field(raw, kind_col(k, "id_no"), &p, &n)) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 60 ? n : 60), p);
        mask_id(tmp, unmasked, rawid, sizeof rawid);
    } else {
        snprintf(rawid, sizeof rawid, "%s", idm);
    }
    if (store_raw_field(raw, kind_col(k, "name"), &p, &n))
        snprintf(rawname, sizeof rawname, "%.*s", (int)(n < 120 ? n : 120), p);
    else
        snprintf(rawname, sizeof rawname, "%s", sqlite3_column_text(st, 5));
    printf("  %s %s (load %lld, line %lld): %s, weight %.3f\n", kind, sqlite3_column_text(st, 3),
           sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_text(ln, 3),
           sqlite3_column_double(ln, 4));
    double sum = 0;
    for (int f = 0; f < F_NFIELDS; f++) {
        int level = sqlite3_column_int(ln, 5 + f);
        double w = cmp_weight(&r->pol, f, level);
        sum += w;
        printf("    %-7s %-24s %+8.3f", cmp_field_names[f], cmp_level_name(f, level), w);
        if (f == F_ID)
            printf("  feed: %s", rawid);
        else if (f == F_NAME)
            printf("  feed: %s", rawname);
        printf("\n");
    }
    printf("    %-7s %-24s %+8.3f\n", "sum", "", sum);
    sqlite3_finalize(st);
    return 0;
}

static int show_gate(void *ctx, const struct gate_row *g)
{
    (void)ctx;
    printf("gate %s: %ld block, %ld review, %ld info findings open\n", g->gate, g->n[SEV_BLOCK],
           g->n[SEV_REVIEW], g->n[SEV_INFO]);
    return 0;
}

static int show_finding(void *ctx, const struct finding_row *f)
{
    int unmasked = *(const int *)ctx;
    char idm[64];
    struct sbuf t = SBUF_INIT, m = SBUF_INIT;
    mask_id(f->pid, unmasked, idm, sizeof idm);
    sbuf_addf(&t, "  %-6s %s %s %s", f->severity, f->rule, idm, f->pname);
    if (*f->feed)
        sbuf_addf(&t, " [%s %s]", f->feed, f->key);
    sbuf_addf(&t, ": declared '%s', found '%s' (%s, %s)", f->declared, f->found, f->fingerprint,
              f->decision);
    mask_text(t.s, unmasked, &m);
    printf("%s\n", m.s);
    sbuf_free(&t);
    sbuf_free(&m);
    return 0;
}

/* The application's gate in run R and its findings, in report order. */
static int show_findings(sqlite3 *db, const struct run *r, const char *app, int unmasked)
{
    int rc = gates_each(db, r->id, app, show_gate, NULL);
    return rc < 0 ? rc : findings_each(db, r->id, app, show_finding, &unmasked);
}

int cmd_show(const struct args *a, struct xv_ctx *ctx)
{
    long long run_id = 0;
    int rc, unmasked = arg_value(a, "unmasked") != NULL;
    struct run r = { 0 };
    sqlite3 *db;
    sqlite3_stmt *ps = NULL, *ln = NULL;
    const char *app = a->operand[0], *run_s = arg_value(a, "run");
    if (run_s && (rc = xv_parse_run(a->cmd, run_s, &run_id)) < 0)
        return rc;
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = run_open(db, run_id, &r)) < 0)
        goto done;
    if ((rc = store_prepare(db, "SELECT idx, relation, name, id_no, id_valid, birth_date FROM "
                                "persons WHERE run_id=? AND applicant_id=? ORDER BY idx",
                            &ps)) < 0)
        goto done;
    if ((rc = store_prepare(db, "SELECT idx, kind, rid, class, weight, lv_id, lv_name, "
                                "lv_birth, lv_gender, lv_region FROM links WHERE run_id=? AND "
                                "applicant_id=? AND idx=? ORDER BY class DESC, kind, rid",
                            &ln)) < 0)
        goto done;
    sqlite3_bind_int64(ps, 1, r.id);
    sqlite3_bind_text(ps, 2, app, -1, SQLITE_STATIC);
    int s, persons = 0;
    while ((s = sqlite3_step(ps)) == SQLITE_ROW) {
        if (!persons++)
            printf("application %s, run %lld as of %s (policy %.12s; link at %g, possible at "
                   "%g)\n", app, r.id, r.as_of, r.pol.sha256, r.pol.v[P_LINK_UPPER],
                   r.pol.v[P_LINK_LOWER]);
        char idm[64];
        mask_id((const char *)sqlite3_column_text(ps, 3), unmasked, idm, sizeof idm);
        printf("person %d %s %s %s (ID %s)\n", sqlite3_column_int(ps, 0),
               sqlite3_column_text(ps, 1), sqlite3_column_text(ps, 2), idm,
               sqlite3_column_int(ps, 4) ? "valid" : "not valid");
        sqlite3_reset(ln);
        sqlite3_bind_int64(ln, 1, r.id);
        sqlite3_bind_text(ln, 2, app, -1, SQLITE_STATIC);
        sqlite3_bind_int(ln, 3, sqlite3_column_int(ps, 0));
        int links = 0;
        while ((s = sqlite3_step(ln)) == SQLITE_ROW) {
            links++;
            if ((rc = show_link(db, &r, ln, unmasked)) < 0)
                goto done;
        }
        if (s != SQLITE_DONE) {
            rc = store_err(db, "reading links");
            goto done;
        }
        if (!links)
            printf("  no feed record linked\n");
    }
    if (s != SQLITE_DONE) {
        rc = store_err(db, "reading persons");
        goto done;
    }
    if (!persons) {
        rc = xv_fail(XV_EUSAGE, "no application '%s' in run %lld", app, r.id);
        goto done;
    }
    rc = show_findings(db, &r, app, unmasked);
done:
    sqlite3_finalize(ps);
    sqlite3_finalize(ln);
    run_free(&r);
    return rc;
}
