/* identity.c: the identity and household rules: IDs, the register, links, deaths, members,
 * duplicate applications. */

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

/* The LINK_UNCERTAIN finding of A's possible link R. */
static void link_uncertain(struct ctx *c, struct app *a, const struct rec *r)
{
    finding(c, a, R_LINK_UNCERTAIN, r->person, NULL, NULL, r, rec_key(r),
        rules_fmt("%s %s", a->ps[r->person].id, a->ps[r->person].name),
        rules_fmt("%s %s", rec_str(r, "id_no"), rec_str(r, "name")));
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
                xstrdup(p->id), xstrdup("not a valid ID number"));
        if (p->hh < 0)
            continue;
        const struct rec *h = &a->recs[p->hh];
        const char *hid = rec_value(h, "id_no"), *hname = rec_value(h, "name");
        if ((hid && strcmp(hid, p->id)) || (hname && strcmp(hname, p->name)))
            finding(c, a, R_IDENTITY_MISMATCH, i, NULL, NULL, h,
                rec_key(h), rules_fmt("%s %s", p->id, p->name),
                rules_fmt("%s %s", hid ? hid : "", hname ? hname : ""));
        if (p->deceased)
            finding_add(a, R_DECEASED, p->idx == 0 ? rules_sev(c, R_DECEASED)
                                           : rules_sev(c, R_SEV_DECEASED_MEMBER),
                i, NULL, NULL, h, rec_key(h), rules_fmt("%s", p->relation),
                rules_fmt("死亡%s%s", rec_value(h, "status_date") ? " " : "",
                    rec_str(h, "status_date")));
    }
    for (int i = 0; i < a->nrecs; i++) {
        const struct rec *r = &a->recs[i];
        if (r->possible)
            link_uncertain(c, a, r);
    }
    if (ap->hh < 0) {
        finding(c, a, R_NOT_IN_REGISTER, 0, NULL, NULL, NULL, NULL,
            rules_fmt("%s %s", ap->id, ap->name), xstrdup("no household record linked"));
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
                rules_fmt("%s of %s", p->relation, hno),
                mine ? rules_fmt("household %s", mine) : xstrdup("no household record linked"));
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
            rec_value(r, "name"), r, rec_key(r), xstrdup("not declared"),
            rules_fmt("%s %s %s", rec_value(r, "id_no"), rec_value(r, "name"),
                rec_str(r, "relation_to_head")));
    }
    if (s != SQLITE_DONE)
        return store_err(c->db, "reading the household");
    return 0;
}

int rules_duplicates(struct ctx *c, struct app *a)
{
    for (int i = 0; i < a->nps; i++) {
        sqlite3_stmt *st = c->dup;
        int s;
        sqlite3_reset(st);
        const struct person *p = &a->ps[i];
        const char *resolved = p->hh >= 0 ? rec_value(&a->recs[p->hh], "id_no") : NULL;
        sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, resolved ? resolved : p->id, -1, SQLITE_STATIC);
        while ((s = sqlite3_step(st)) == SQLITE_ROW)
            finding(c, a, R_DUPLICATE_APPLICATION, i, NULL, NULL,
                NULL, column_text_or(st, 0, ""), rules_fmt("%s of %s", a->ps[i].relation, a->id),
                rules_fmt("%s of %s (%s)", sqlite3_column_text(st, 1), sqlite3_column_text(st, 0),
                    sqlite3_column_text(st, 2)));
        if (s != SQLITE_DONE)
            return store_err(c->db, "reading other applications");
    }
    return 0;
}
