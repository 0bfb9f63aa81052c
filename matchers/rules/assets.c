/* assets.c: the asset rules: vehicles, property, housing area, business registrations. */

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

static int active_property(const struct rec *r)
{
    return !r->possible && r->person >= 0 && !strcmp(r->k->name, "property") &&
           (rec_is(r, "status", "现势") || rec_is(r, "status", "查封"));
}

/* The first record of an active property with the same cert_no as R (jointly owned
 * property is listed once per owner). */
static int first_of_cert(const struct app *a, int i)
{
    for (int j = 0; j < i; j++)
        if (active_property(&a->recs[j]) &&
            !strcmp(rec_value(&a->recs[j], "cert_no"), rec_value(&a->recs[i], "cert_no")))
            return 0;
    return 1;
}

/* The homes of a finding that rests on all N of them, listed with it when more than one. */
static void homes_listed(struct app *a, const struct rec **homes, int n)
{
    for (int i = 0; n > 1 && i < n; i++)
        finding_record(a, homes[i]);
}

void rules_assets(struct ctx *c, struct app *a)
{
    int size = family_size(a), nres = 0;
    double area = 0;
    struct sbuf certs = SBUF_INIT;
    const struct rec *last_res = NULL, **homes = NULL;
    for (int i = 0; i < a->nrecs; i++) {
        const struct rec *r = &a->recs[i];
        if (r->possible || r->person < 0 || !in_family(&a->ps[r->person]))
            continue;
        const char *k = r->k->name;
        const char *vtype = !strcmp(k, "vehicle") ? rec_value(r, "vehicle_type") : NULL;
        if (!strcmp(k, "vehicle") && rec_is(r, "status", "正常") &&
            !policy_list_has(c->pol, P_VEHICLE_EXEMPT, vtype, 1))
            finding(c, a, R_VEHICLE, r->person, NULL, NULL, r, rec_key(r),
                rules_say("申报 %ld 辆机动车", a->decl_vehicles),
                said2(rules_fmt("%s %s", rec_value(r, "plate"), vtype ? vtype : "type unknown"),
                      rules_fmt("%s %s", rec_value(r, "plate"),
                                vtype ? vtype : msg_t("车型不详"))));
        if (active_property(r) && first_of_cert(a, i)) {
            const char *usage = rec_value(r, "usage");
            if (usage && !strcmp(usage, "住宅")) {
                int have;
                nres++;
                area += rec_num(r, "area", &have);
                sbuf_addf(&certs, "%s%s", certs.len ? "," : "", rec_value(r, "cert_no"));
                homes = xrealloc(homes, (size_t)nres * sizeof *homes);
                homes[nres - 1] = last_res = r;
            } else if (policy_list_has(c->pol, P_PROPERTY_NONRESIDENTIAL, usage, 0)) {
                finding(c, a, R_PROPERTY_NONRESIDENTIAL, r->person, NULL, NULL, r, rec_key(r),
                    rules_say("申报 %ld 处房产", a->decl_properties),
                    as_is(rules_fmt("%s %s %s", usage, rec_value(r, "status"),
                                    rec_str(r, "address"))));
            }
        }
        if (!strcmp(k, "business") && (rec_is(r, "status", "存续") || rec_is(r, "status", "在业") ||
                                      rec_is(r, "status", "开业"))) {
            int have;
            double cap = rec_num(r, "registered_capital", &have);
            int small = rec_is(r, "entity_type", "个体工商户") && have &&
                        cap < c->pol->v[P_BUSINESS_SMALL_CAPITAL];
            finding_add(a, R_BUSINESS, rules_sev(c, small ? R_SEV_BUSINESS_SMALL : R_BUSINESS),
                r->person, NULL, NULL, r, rec_key(r),
                said_word(a->decl_business ? "有" : "无"),
                have ? said2(rules_fmt("%s %s %s, capital %.2f 万元", rec_value(r, "role"),
                                 rec_str(r, "entity_type"), rec_value(r, "status"), cap),
                             rules_fmt(msg_t("%s %s %s，注册资本 %.2f 万元"), rec_value(r, "role"),
                                 rec_str(r, "entity_type"), rec_value(r, "status"), cap))
                     : rules_say("%s %s %s，注册资本不详", rec_value(r, "role"),
                           rec_str(r, "entity_type"), rec_value(r, "status")));
        }
    }
    if (nres >= c->pol->v[P_PROPERTY_MULTIPLE]) {
        finding(c, a, R_PROPERTY_MULTIPLE, 0, NULL, NULL, last_res,
            xstrdup(certs.s), rules_say("申报 %ld 处房产", a->decl_properties),
            rules_say("%d 处住宅", nres));
        homes_listed(a, homes, nres);
    }
    if (nres > a->decl_properties) {
        finding(c, a, R_PROPERTY_UNDECLARED, 0, NULL, NULL, last_res,
            xstrdup(certs.s), as_is(rules_fmt("%ld", a->decl_properties)),
            rules_say("%d 处住宅", nres));
        homes_listed(a, homes, nres);
    }
    if (nres && size > 0 && area / size > c->pol->v[P_HOUSING_AREA]) {
        finding(c, a, R_HOUSING_AREA, 0, NULL, NULL, last_res,
            xstrdup(certs.s),
            a->has_area ? rules_say("%.2f m²，%d 人", a->area, size) : rules_say("%d 人", size),
            rules_say("%.2f m²，%d 人：人均 %.2f m²", area, size, area / size));
        homes_listed(a, homes, nres);
    }
    sbuf_free(&certs);
    free(homes);
}
