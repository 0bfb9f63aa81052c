/* identity.c: the identity and household rules: IDs, the register, links, deaths, members,
 * duplicate applications. */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../core/err.h"
#include "../../core/msg.h"
#include "../../core/status.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "../../core/verdict.h"
#include "../../ingest/norm.h"
#include "rules_int.h"

/* The LINK_UNCERTAIN finding of A's possible link R. */
static void link_uncertain(struct ctx *c, struct app *a, const struct rec *r)
{
    finding(c, a, R_LINK_UNCERTAIN, r->person, NULL, NULL, r, rec_key(r),
        as_is(rules_fmt("%s %s", a->ps[r->person].id, a->ps[r->person].name)),
        as_is(rules_fmt("%s %s", rec_str(r, "id_no"), rec_str(r, "name"))));
}

/* The segment of an ID of LEN characters that position I (from 0) is in. */
static const char *id_segment(size_t len, size_t i)
{
    size_t birth = len == 15 ? 12 : 14;
    return i < 6 ? msg_t("地区码") : i < birth ? msg_t("出生日期")
           : i < birth + 3 ? msg_t("顺序码") : msg_t("校验码");
}

void rules_id_difference(const char *a, const char *b, int names_differ, struct sbuf *out)
{
    size_t la = strlen(a), lb = strlen(b), pos[2] = { 0, 0 }, n = 0;
    sbuf_adds(out, msg_t("差异："));
    if (la != lb) {
        sbuf_adds(out, msg_t("号码长度不同"));
    } else {
        for (size_t i = 0; i < la; i++)
            if (a[i] != b[i]) {
                if (n < 2)
                    pos[n] = i;
                n++;
            }
        if (n == 0)
            sbuf_adds(out, msg_t("号码相同"));
        else if (n == 1 && la == 18 && pos[0] == 17)
            sbuf_adds(out, msg_t("校验码不同"));
        else if (n == 1)
            sbuf_addf(out, msg_t("%s第 %d 位不同（替换）"), id_segment(la, pos[0]),
                      (int)pos[0] + 1);
        else if (n == 2 && pos[1] == pos[0] + 1 && a[pos[0]] == b[pos[1]] &&
                 a[pos[1]] == b[pos[0]])
            sbuf_addf(out, msg_t("%s第 %d、%d 位互换"), id_segment(la, pos[0]), (int)pos[0] + 1,
                      (int)pos[1] + 1);
        else {
            sbuf_addf(out, msg_t("%d 位不同，在"), (int)n);
            const char *last = NULL;
            for (size_t i = 0; i < la; i++)
                if (a[i] != b[i] && id_segment(la, i) != last) {
                    sbuf_addf(out, "%s%s", last ? msg_t("、") : "", id_segment(la, i));
                    last = id_segment(la, i);
                }
        }
    }
    if (names_differ)
        sbuf_adds(out, msg_t("；姓名不同"));
}

int rules_link_decisions(struct ctx *c, struct app *a)
{
    int rc;
    for (int i = 0; i < a->nrecs; i++)
        if (a->recs[i].possible)
            link_uncertain(c, a, &a->recs[i]);
    if ((rc = findings_settle(c, a)) < 0)
        return rc;
    for (int i = 0; i < a->nfs && rc == 0; i++) {
        const struct finding *f = &a->fs[i];
        const struct rec *r = &a->recs[f->ev];
        if (strcmp(f->decision, "open"))
            rc = linked_decide(&c->linked, a->id, f->idx, r->k->name, r->rid,
                               !strcmp(f->decision, "confirmed") ? LINKED_CONFIRMED
                                                                 : LINKED_DISMISSED);
    }
    return rc;
}

int rules_identity(struct ctx *c, struct app *a)
{
    struct person *ap = &a->ps[0];
    for (int i = 0; i < a->nps; i++) {
        struct person *p = &a->ps[i];
        if (!p->id_valid)
            finding(c, a, R_ID_INVALID, i, NULL, NULL, NULL, NULL,
                as_is(xstrdup(p->id)), rules_say("不是有效的身份证号"));
        if (p->hh < 0)
            continue;
        const struct rec *h = &a->recs[p->hh];
        const char *hid = rec_value(h, "id_no"), *hname = rec_value(h, "name");
        if ((hid && strcmp(hid, p->id)) || (hname && strcmp(hname, p->name))) {
            /* people read how the IDs differ, which masking would hide */
            struct sbuf shown = SBUF_INIT;
            sbuf_addf(&shown, "%s %s%s", hid ? hid : "", hname ? hname : "", msg_t("（"));
            rules_id_difference(p->id, hid ? hid : p->id, hname && strcmp(hname, p->name), &shown);
            sbuf_adds(&shown, msg_t("）"));
            finding(c, a, R_IDENTITY_MISMATCH, i, NULL, NULL, h,
                rec_key(h), as_is(rules_fmt("%s %s", p->id, p->name)),
                said2(rules_fmt("%s %s", hid ? hid : "", hname ? hname : ""), shown.s));
        }
        if (p->deceased) {
            const char *on = rec_value(h, "status_date");
            finding_add(a, R_DECEASED, p->idx == 0 ? rules_sev(c, R_DECEASED)
                                           : rules_sev(c, R_SEV_DECEASED_MEMBER),
                i, NULL, NULL, h, rec_key(h), as_is(rules_fmt("%s", p->relation)),
                said2(rules_fmt("死亡%s%s", on ? " " : "", on ? on : ""),
                      rules_fmt(msg_t("死亡%s%s"), on ? " " : "", on ? on : "")));
        }
    }
    for (int i = 0; i < a->nrecs; i++) {
        const struct rec *r = &a->recs[i];
        if (r->possible)
            link_uncertain(c, a, r);
    }
    if (ap->hh < 0) {
        finding(c, a, R_NOT_IN_REGISTER, 0, NULL, NULL, NULL, NULL,
            as_is(rules_fmt("%s %s", ap->id, ap->name)), rules_say("未关联到户籍记录"));
        return 0;
    }
    /* the applicant's household: who is registered there, who is declared */
    const struct rec *h = &a->recs[ap->hh];
    const char *hno = rec_value(h, "household_no");
    for (int i = 1; i < a->nps; i++) {
        struct person *p = &a->ps[i];
        const char *mine = p->hh >= 0 ? rec_value(&a->recs[p->hh], "household_no") : NULL;
        if (!mine || strcmp(mine, hno))
            finding(c, a, R_MEMBER_NOT_IN_HOUSEHOLD, i, NULL,
                NULL, p->hh >= 0 ? &a->recs[p->hh] : NULL,
                p->hh >= 0 ? rec_key(&a->recs[p->hh]) : NULL,
                rules_say("%s，户号 %s", p->relation, hno),
                mine ? rules_say("户号 %s", mine) : rules_say("未关联到户籍记录"));
    }
    sqlite3_stmt *st = c->hh;
    int s;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, hno, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long long rid = sqlite3_column_int64(st, 0);
        const char *id = (const char *)sqlite3_column_text(st, 1);
        int declared = 0;
        for (int i = 0; i < a->nrecs && !declared; i++)
            declared = !a->recs[i].possible && a->recs[i].rid == rid &&
                       !strcmp(a->recs[i].k->name, "household");
        for (int i = 0; i < a->nps && !declared; i++)
            declared = id && !strcmp(a->ps[i].id, id);
        if (declared)
            continue;
        /* someone registered but not declared: the evidence is their record */
        int rc;
        if ((rc = app_fetch(c, a, "household", rid, 0, 1, NAN)) < 0)
            return rc;
        struct rec *r = &a->recs[a->nrecs - 1];
        r->person = -1;
        finding(c, a, R_UNDECLARED_MEMBER, -1, rec_value(r, "id_no"),
            rec_value(r, "name"), r, rec_key(r), rules_say("未申报"),
            as_is(rules_fmt("%s %s %s", rec_value(r, "id_no"), rec_value(r, "name"),
                rec_str(r, "relation_to_head"))));
    }
    if (s != SQLITE_DONE)
        return store_err(c->db, "reading the household");
    return 0;
}

/* Every ID and resolved ID of the scope's people (temp.xv_scope_people) with its
 * application, sorted by ID: a person whose IDs no other application names has no duplicate,
 * and the duplicate query need not be asked (it was a fifth of the rules' time). */
struct dup_pair {
    const char *id, *app;
};
struct dup_index {
    struct dup_pair *p;
    size_t n;
    char *text;   /* the strings, each ended by a NUL */
};

static int cmp_dup_id(const void *a, const void *b)
{
    return strcmp(((const struct dup_pair *)a)->id, ((const struct dup_pair *)b)->id);
}

static int dup_index_build(struct ctx *c)
{
    sqlite3_stmt *st = NULL;
    struct sbuf text = SBUF_INIT;
    size_t *off = NULL, n = 0, cap = 0;
    int rc, s;
    if ((rc = store_prepare(c->db, "SELECT applicant_id, id_no FROM temp.xv_scope_people WHERE "
                                   "id_no IS NOT NULL UNION SELECT applicant_id, resolved FROM "
                                   "temp.xv_scope_people WHERE resolved IS NOT NULL",
                            &st)) < 0)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n + 2 > cap) {
            cap = cap ? 2 * cap : 4096;
            off = xrealloc(off, cap * sizeof *off);
        }
        for (int j = 0; j < 2; j++) {
            const char *t = (const char *)sqlite3_column_text(st, j);
            off[n++] = text.len;
            sbuf_add(&text, t ? t : "", strlen(t ? t : "") + 1);
        }
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        free(off);
        sbuf_free(&text);
        return store_err(c->db, "reading the people in scope");
    }
    struct dup_index *x = xcalloc(1, sizeof *x);
    x->text = text.s;
    x->n = n / 2;
    x->p = xmalloc((x->n ? x->n : 1) * sizeof *x->p);
    for (size_t i = 0; i < x->n; i++)
        x->p[i] = (struct dup_pair){ x->text + off[2 * i + 1], x->text + off[2 * i] };
    qsort(x->p, x->n, sizeof *x->p, cmp_dup_id);
    free(off);
    c->dups = x;
    return 0;
}

/* 1 when an application other than APP names ID (as a person's ID or resolved ID). */
static int dup_named_elsewhere(const struct dup_index *x, const char *id, const char *app)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {   /* the first pair of ID */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->p[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < x->n && !strcmp(x->p[lo].id, id); lo++)
        if (strcmp(x->p[lo].app, app))
            return 1;
    return 0;
}

void rules_dups_free(struct ctx *c)
{
    if (!c->dups)
        return;
    free(c->dups->p);
    free(c->dups->text);
    free(c->dups);
    c->dups = NULL;
}

int rules_duplicates(struct ctx *c, struct app *a)
{
    int rc;
    if (!c->dups && (rc = dup_index_build(c)) < 0)
        return rc;
    for (int i = 0; i < a->nps; i++) {
        sqlite3_stmt *st = c->dup;
        int s;
        sqlite3_reset(st);
        const struct person *p = &a->ps[i];
        const char *resolved = p->hh >= 0 ? rec_value(&a->recs[p->hh], "id_no") : NULL;
        if (!dup_named_elsewhere(c->dups, p->id, a->id) &&
            (!resolved || !dup_named_elsewhere(c->dups, resolved, a->id)))
            continue;   /* the query would find no row */
        sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, resolved ? resolved : p->id, -1, SQLITE_STATIC);
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            const char *rel = (const char *)sqlite3_column_text(st, 1),
                       *other = (const char *)sqlite3_column_text(st, 0),
                       *status = (const char *)sqlite3_column_text(st, 2);
            finding(c, a, R_DUPLICATE_APPLICATION, i, NULL, NULL,
                NULL, column_text_or(st, 0, ""), rules_say("%s，申请 %s", a->ps[i].relation, a->id),
                said2(rules_fmt("%s of %s (%s)", rel, other, status),
                      rules_fmt(msg_t("%s，申请 %s（%s）"), rel, other, msg_t(status))));
        }
        if (s != SQLITE_DONE)
            return store_err(c->db, "reading other applications");
    }
    return 0;
}
