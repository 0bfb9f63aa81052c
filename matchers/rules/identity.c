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
    const struct hh_member *m = NULL;
    size_t n = hh_members(c->hhx, hno, &m);
    for (size_t j = 0; j < n; j++) {
        long long rid = m[j].rid;
        const char *id = m[j].id;
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
    return 0;
}

/* ---- the households' members ------------------------------------------------------- */

static int cmp_member(const void *x, const void *y)
{
    const struct hh_member *a = x, *b = y;
    int d = strcmp(a->no, b->no);
    return d ? d : (a->rid > b->rid) - (a->rid < b->rid);
}

int rules_hh_build(struct ctx *c)
{
    sqlite3_stmt *st = NULL;
    struct hh_index *x = xcalloc(1, sizeof *x);
    size_t cap = 0;
    int rc, s;
    c->hhx = x;
    if ((rc = store_prepare(c->db, "SELECT household_no, rid, id_no FROM temp.xv_household "
                                   "WHERE household_no IS NOT NULL", &st)) < 0)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (x->n == cap) {
            cap = cap ? 2 * cap : 4096;
            x->v = xrealloc(x->v, cap * sizeof *x->v);
        }
        const char *no = (const char *)sqlite3_column_text(st, 0),
                   *id = (const char *)sqlite3_column_text(st, 2);
        x->v[x->n++] = (struct hh_member){ arena_strdup(&x->text, no), arena_strdup(&x->text, id),
                                           sqlite3_column_int64(st, 1) };
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(c->db, "reading households");
    if (x->n > 1)
        qsort(x->v, x->n, sizeof *x->v, cmp_member);
    return 0;
}

size_t hh_members(const struct hh_index *x, const char *no, const struct hh_member **out)
{
    size_t lo = 0, hi = x && no ? x->n : 0;
    while (lo < hi) {   /* the first member of NO */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->v[mid].no, no) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    while (lo + n < (x ? x->n : 0) && !strcmp(x->v[lo + n].no, no))
        n++;
    *out = n ? &x->v[lo] : NULL;
    return n;
}

void rules_hh_free(struct ctx *c)
{
    if (!c->hhx)
        return;
    free(c->hhx->v);
    arena_free(&c->hhx->text);
    free(c->hhx);
    c->hhx = NULL;
}

/* ---- duplicate applications ---------------------------------------------------------- */

/* The scope's people (temp.xv_scope_people), and each one's ID and resolved ID sorted: a
 * person whose IDs no other application names has no duplicate (most), and one who has is
 * answered from here as the table would answer (a query was a fifth of the rules' time, and
 * the rules of a full run are checked in two threads, one without the run's tables). */
struct dup_person {
    const char *app, *relation, *status, *id_no;   /* relation and id_no may be NULL */
};
struct dup_pair {
    const char *id;
    size_t person;
};
struct dup_index {
    struct dup_person *ps;
    size_t nps;
    struct dup_pair *p;
    size_t n;
    struct arena text;
};

static int cmp_dup_id(const void *a, const void *b)
{
    const struct dup_pair *x = a, *y = b;
    int d = strcmp(x->id, y->id);
    return d ? d : (x->person > y->person) - (x->person < y->person);
}

static const char *dup_text(struct dup_index *x, sqlite3_stmt *st, int i)
{
    return arena_strdup(&x->text, (const char *)sqlite3_column_text(st, i));
}

int rules_dups_build(struct ctx *c)
{
    sqlite3_stmt *st = NULL;
    struct dup_index *x = xcalloc(1, sizeof *x);
    size_t cap = 0, pcap = 0;
    int rc, s;
    c->dups = x;
    if ((rc = store_prepare(c->db, "SELECT applicant_id, relation, status, id_no, resolved FROM "
                                   "temp.xv_scope_people", &st)) < 0)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (x->nps == pcap) {
            pcap = pcap ? 2 * pcap : 4096;
            x->ps = xrealloc(x->ps, pcap * sizeof *x->ps);
        }
        struct dup_person *p = &x->ps[x->nps];
        *p = (struct dup_person){ dup_text(x, st, 0), dup_text(x, st, 1), dup_text(x, st, 2),
                                  dup_text(x, st, 3) };
        if (!p->app)
            p->app = "";
        const char *ids[2] = { p->id_no, dup_text(x, st, 4) };
        for (int j = 0; j < 2; j++) {
            if (!ids[j])
                continue;
            if (x->n == cap) {
                cap = cap ? 2 * cap : 8192;
                x->p = xrealloc(x->p, cap * sizeof *x->p);
            }
            x->p[x->n++] = (struct dup_pair){ ids[j], x->nps };
        }
        x->nps++;
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(c->db, "reading the people in scope");
    if (x->n > 1)
        qsort(x->p, x->n, sizeof *x->p, cmp_dup_id);
    return 0;
}

/* The first pair of ID in X (X->n when none). */
static size_t dup_first(const struct dup_index *x, const char *id)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->p[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* 1 when an application other than APP names ID (as a person's ID or resolved ID). */
static int dup_named_elsewhere(const struct dup_index *x, const char *id, const char *app)
{
    for (size_t i = dup_first(x, id); i < x->n && !strcmp(x->p[i].id, id); i++)
        if (strcmp(x->ps[x->p[i].person].app, app))
            return 1;
    return 0;
}

/* NULL before any text, as SQL orders them. */
static int cmp_text_null(const char *a, const char *b)
{
    return !a || !b ? (a != NULL) - (b != NULL) : strcmp(a, b);
}

static int cmp_dup_person(const void *x, const void *y, void *ctx)
{
    const struct dup_index *d = ctx;
    const struct dup_person *a = &d->ps[*(const size_t *)x], *b = &d->ps[*(const size_t *)y];
    int r = strcmp(a->app, b->app);
    if (!r)
        r = cmp_text_null(a->relation, b->relation);
    return r ? r : cmp_text_null(a->id_no, b->id_no);
}

void rules_dups_free(struct ctx *c)
{
    if (!c->dups)
        return;
    free(c->dups->ps);
    free(c->dups->p);
    arena_free(&c->dups->text);
    free(c->dups);
    c->dups = NULL;
}

int rules_duplicates(struct ctx *c, struct app *a)
{
    const struct dup_index *x = c->dups;
    size_t *hit = NULL, cap = 0;
    for (int i = 0; i < a->nps; i++) {
        const struct person *p = &a->ps[i];
        const char *resolved = p->hh >= 0 ? rec_value(&a->recs[p->hh], "id_no") : NULL;
        if (!dup_named_elsewhere(x, p->id, a->id) &&
            (!resolved || !dup_named_elsewhere(x, resolved, a->id)))
            continue;
        /* the people of other applications whose ID or resolved ID is either of this
         * person's, each once, by application, relation and ID */
        const char *ids[2] = { p->id, resolved ? resolved : p->id };
        size_t n = 0;
        for (int j = 0; j < 2; j++) {
            if (j == 1 && !strcmp(ids[1], ids[0]))
                break;
            for (size_t k = dup_first(x, ids[j]); k < x->n && !strcmp(x->p[k].id, ids[j]);
                 k++) {
                size_t who = x->p[k].person, seen = 0;
                if (!strcmp(x->ps[who].app, a->id))
                    continue;
                while (seen < n && hit[seen] != who)
                    seen++;
                if (seen < n)
                    continue;
                if (n == cap) {
                    cap = cap ? 2 * cap : 16;
                    hit = xrealloc(hit, cap * sizeof *hit);
                }
                hit[n++] = who;
            }
        }
        qsort_r(hit, n, sizeof *hit, cmp_dup_person, (void *)x);
        for (size_t k = 0; k < n; k++) {
            const struct dup_person *o = &x->ps[hit[k]];
            finding(c, a, R_DUPLICATE_APPLICATION, i, NULL, NULL,
                NULL, xstrdup(o->app), rules_say("%s，申请 %s", a->ps[i].relation, a->id),
                said2(rules_fmt("%s of %s (%s)", o->relation, o->app, o->status),
                      rules_fmt(msg_t("%s，申请 %s（%s）"), o->relation, o->app,
                                msg_t(o->status))));
        }
    }
    free(hit);
    return 0;
}
