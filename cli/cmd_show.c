/* cmd_show.c: "xverify show APPLICANT": every link of an application explained field by field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/mask.h"
#include "../core/kinds.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/findings.h"
#include "../matchers/compare.h"
#include "../matchers/linked.h"

struct showing {
    sqlite3 *db;
    const struct run *r;
    const char *app;
    int unmasked;
    int persons, links;
    struct linked_reader lr;
};

/* One link, field by field, with the record as the feed wrote it. */
static int show_link(void *ctx, const struct linked_link *l)
{
    struct showing *sh = ctx;
    sqlite3 *db = sh->db;
    const struct run *r = sh->r;
    int unmasked = sh->unmasked;
    const char *kind = l->kind;
    long long rid = l->rid;
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
    xv_printf("  %s %s (load %lld, line %lld): %s, weight %.3f\n", kind, sqlite3_column_text(st, 3),
           sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           l->decided == LINKED_CONFIRMED   ? "match (a possible link a reviewer confirmed)"
           : l->decided == LINKED_DISMISSED ? "no link (a possible link a reviewer dismissed)"
           : l->match                       ? "match"
                                            : "possible",
           l->weight);
    double sum = 0;
    for (int f = 0; f < F_NFIELDS; f++) {
        int level = l->lv[f];
        double w = cmp_weight(&r->pol, f, level);
        sum += w;
        xv_printf("    %-7s %-24s %+8.3f", cmp_field_names[f], cmp_level_name(f, level), w);
        if (f == F_ID)
            xv_printf("  feed: %s%s", rawid,
                   l->via_resolved ? " (against the resolved ID, the person's household record's)"
                                   : "");
        else if (f == F_NAME)
            xv_printf("  feed: %s", rawname);
        xv_printf("\n");
    }
    xv_printf("    %-7s %-24s %+8.3f\n", "sum", "", sum);
    sqlite3_finalize(st);
    sh->links++;
    return 0;
}

static int show_gate(void *ctx, const struct gate_row *g)
{
    (void)ctx;
    xv_printf("gate %s: %ld block, %ld review, %ld info findings open\n", g->gate, g->n[SEV_BLOCK],
           g->n[SEV_REVIEW], g->n[SEV_INFO]);
    return 0;
}

struct finding_show {
    sqlite3 *db;
    const struct run *r;
    int unmasked;
};

/* A finding with the decision in force now: the one approval counts. */
static int show_finding(void *ctx, const struct finding_row *f)
{
    const struct finding_show *fs = ctx;
    int unmasked = fs->unmasked;
    char idm[64], decision[16], who[256], why[512];
    struct sbuf t = SBUF_INIT, m = SBUF_INIT;
    int rc = decision_now(fs->db, f->fingerprint, f->evidence, f->has_amount, f->amount,
                          fs->r->pol.v[P_DECISION_TOLERANCE], decision, who, why);
    if (rc < 0)
        return rc;
    mask_id(f->pid, unmasked, idm, sizeof idm);
    /* the text masked before the fingerprint is added: a fingerprint is never masked */
    sbuf_addf(&t, "  %-6s %s %s %s", f->severity, f->rule, idm, f->pname);
    if (*f->feed)
        sbuf_addf(&t, " [%s %s]", f->feed, f->key);
    sbuf_addf(&t, ": declared '%s', found '%s' (", f->declared, f->found);
    mask_text(t.s, unmasked, &m);
    sbuf_addf(&m, "%s, %s", f->fingerprint, decision);
    if (strcmp(decision, "open")) {
        sbuf_reset(&t);
        sbuf_addf(&t, "; %s by %s: %s", decision, who, why);
        sbuf_adds(&m, ")");
        mask_text(t.s, unmasked, &m);
    } else {
        sbuf_adds(&m, ")");
    }
    xv_println(m.s, 0);
    sbuf_free(&t);
    sbuf_free(&m);
    return 0;
}

/* The application's gate in run R and its findings, in report order. */
static int show_findings(sqlite3 *db, const struct run *r, const char *app, int unmasked)
{
    struct finding_show fs = { db, r, unmasked };
    int rc = gates_each(db, r->id, app, show_gate, NULL);
    return rc < 0 ? rc : findings_each(db, r->id, app, show_finding, &fs);
}

/* One person, then their links. */
static int show_person(void *ctx, const struct linked_person *p)
{
    struct showing *sh = ctx;
    const struct run *r = sh->r;
    if (!sh->persons++)
        xv_printf("application %s, run %lld as of %s (policy %.12s; link at %g, possible at %g)\n",
               sh->app, r->id, r->as_of, r->pol.sha256, r->pol.v[P_LINK_UPPER],
               r->pol.v[P_LINK_LOWER]);
    char idm[64];
    mask_id(p->id_no, sh->unmasked, idm, sizeof idm);
    xv_printf("person %d %s %s %s (ID %s)\n", p->idx, p->relation, p->name, idm,
           p->id_valid ? "valid" : "not valid");
    sh->links = 0;
    int rc = linked_links(&sh->lr, sh->app, p->idx, LINKED_BY_CLASS, show_link, sh);
    if (rc == 0 && !sh->links)
        xv_printf("  no feed record linked\n");
    return rc;
}

int cmd_show(const struct args *a, struct xv_ctx *ctx)
{
    long long run_id = 0;
    int rc;
    struct run r = { 0 };
    struct showing sh = { 0 };
    sqlite3 *db;
    const char *app = a->operand[0], *run_s = arg_value(a, "run");
    if (run_s && (rc = xv_parse_run(a->cmd, run_s, &run_id)) < 0)
        return rc;
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    sh.db = db;
    sh.r = &r;
    sh.app = app;
    sh.unmasked = arg_value(a, "unmasked") != NULL;
    if ((rc = run_open(db, run_id, &r)) < 0 ||
        (rc = xv_unmasked_audit(a, db, "application shown:", app)) < 0 ||
        (rc = linked_reader_open(db, r.id, &sh.lr)) < 0 ||
        (rc = linked_persons(&sh.lr, app, show_person, &sh)) < 0)
        goto done;
    if (!sh.persons) {
        rc = xv_fail(XV_EUSAGE, "no application '%s' in run %lld", app, r.id);
        goto done;
    }
    rc = show_findings(db, &r, app, sh.unmasked);
done:
    linked_reader_close(&sh.lr);
    run_free(&r);
    return rc;
}
