/* policy.c: the built-in defaults of every policy setting, policy files, and the effective text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "kv.h"
#include "policy.h"
#include "util.h"
#include "verdict.h"

enum { T_NUM, T_LIST, T_SEV };

struct def {
    const char *key;
    double value, min, max;
    int type;
    const char *text;      /* T_LIST: the default list */
};

/* m: the share of true matches at that level; u: the share of non-matches. The weight of a
 * level is log2(m/u). Two IDs of two different people one digit apart are both valid, so the
 * near-miss ID levels count only when one side is invalid (matchers/compare.c), and an ID
 * that differs otherwise is strong evidence of another person. */
static const struct def defs[P_SEV_FIRST] = {
    [P_LINK_UPPER] = { "link.upper", 16, -100, 100 },
    [P_LINK_LOWER] = { "link.lower", 10, -100, 100 },
    [P_ID_EXACT_M] = { "link.id.exact.m", 0.95, 0, 1 },
    [P_ID_EXACT_U] = { "link.id.exact.u", 0.000001, 0, 1 },
    [P_ID_CHECK_M] = { "link.id.check_digit.m", 0.005, 0, 1 },
    [P_ID_CHECK_U] = { "link.id.check_digit.u", 0.000001, 0, 1 },
    [P_ID_EDIT_M] = { "link.id.one_digit.m", 0.03, 0, 1 },
    [P_ID_EDIT_U] = { "link.id.one_digit.u", 0.0001, 0, 1 },
    [P_ID_DIFF_M] = { "link.id.different.m", 0.00001, 0, 1 },
    [P_ID_DIFF_U] = { "link.id.different.u", 0.9999, 0, 1 },
    /* both IDs valid and different: estimated by tests/estimate on the benchmark's city
     * (479,364 true pairs, none of them; 8,285 of 8,320 candidate non-matches) */
    [P_ID_OTHER_M] = { "link.id.other_valid.m", 0.00000209, 0, 1 },
    [P_ID_OTHER_U] = { "link.id.other_valid.u", 0.9957, 0, 1 },
    [P_NAME_EXACT_M] = { "link.name.exact.m", 0.9, 0, 1 },
    [P_NAME_EXACT_U] = { "link.name.exact.u", 0.001, 0, 1 },
    [P_NAME_NORM_M] = { "link.name.normalised.m", 0.07, 0, 1 },
    [P_NAME_NORM_U] = { "link.name.normalised.u", 0.0005, 0, 1 },
    [P_NAME_ONE_M] = { "link.name.one_character.m", 0.02, 0, 1 },
    [P_NAME_ONE_U] = { "link.name.one_character.u", 0.01, 0, 1 },
    [P_NAME_DIFF_M] = { "link.name.different.m", 0.01, 0, 1 },
    [P_NAME_DIFF_U] = { "link.name.different.u", 0.9885, 0, 1 },
    [P_BIRTH_EXACT_M] = { "link.birth.exact.m", 0.97, 0, 1 },
    [P_BIRTH_EXACT_U] = { "link.birth.exact.u", 0.00005, 0, 1 },
    [P_BIRTH_ONE_M] = { "link.birth.one_part.m", 0.02, 0, 1 },
    [P_BIRTH_ONE_U] = { "link.birth.one_part.u", 0.002, 0, 1 },
    [P_BIRTH_DIFF_M] = { "link.birth.different.m", 0.01, 0, 1 },
    [P_BIRTH_DIFF_U] = { "link.birth.different.u", 0.998, 0, 1 },
    [P_GENDER_SAME_M] = { "link.gender.same.m", 0.99, 0, 1 },
    [P_GENDER_SAME_U] = { "link.gender.same.u", 0.5, 0, 1 },
    [P_GENDER_DIFF_M] = { "link.gender.different.m", 0.01, 0, 1 },
    [P_GENDER_DIFF_U] = { "link.gender.different.u", 0.5, 0, 1 },
    [P_REGION_COUNTY_M] = { "link.region.county.m", 0.8, 0, 1 },
    [P_REGION_COUNTY_U] = { "link.region.county.u", 0.11, 0, 1 },
    [P_REGION_CITY_M] = { "link.region.city.m", 0.15, 0, 1 },
    [P_REGION_CITY_U] = { "link.region.city.u", 0.6, 0, 1 },
    [P_REGION_DIFF_M] = { "link.region.different.m", 0.05, 0, 1 },
    [P_REGION_DIFF_U] = { "link.region.different.u", 0.29, 0, 1 },
    [P_QUARANTINE_LIMIT] = { "quarantine.limit", 0.10, 0, 1 },
    /* rules.md */
    [P_WINDOW_MONTHS] = { "income.window_months", 3, 1, 24 },
    [P_INCOME_RATIO] = { "income.understated.ratio", 0.20, 0, 100 },
    [P_INCOME_GAP] = { "income.understated.min_yuan", 200, 0, 1e9 },
    [P_PENSION_TOLERANCE] = { "pension.tolerance_yuan", 10, 0, 1e9 },
    [P_PROPERTY_MULTIPLE] = { "property.multiple", 2, 1, 1000 },
    [P_HOUSING_AREA] = { "housing.area_per_person", 40, 0, 1e6 },
    [P_BUSINESS_SMALL_CAPITAL] = { "business.small_capital_wan", 10, 0, 1e9 },
    [P_STANDARD_BAND] = { "standard.band", 1.5, 0, 100 },
    [P_STANDARD_BAND_ACCIDENT] = { "standard.band_accident", 3, 0, 100 },
    [P_EXIT_MONTHS] = { "exit.months", 6, 1, 60 },
    [P_NOTICE_DAYS] = { "notice.days", 7, 0, 365 },
    [P_DECISION_TOLERANCE] = { "decision.tolerance", 0.10, 0, 10 },
    [P_RELAPSE_MONTHS] = { "relapse.months", 12, 0, 120 },
    [P_VEHICLE_EXEMPT] = { "vehicle.exempt", 0, 0, 0, T_LIST, "摩托车,残疾人" },
    [P_PROPERTY_NONRESIDENTIAL] = { "property.nonresidential", 0, 0, 0, T_LIST,
                                    "商业,办公,工业" },
};

static const struct policy_severity *sevs;
static int nsevs;

void policy_severities(const struct policy_severity *s, int n)
{
    sevs = s;
    nsevs = n < P_MAX - P_SEV_FIRST ? n : P_MAX - P_SEV_FIRST;
}

int policy_count(void)
{
    return P_SEV_FIRST + nsevs;
}

/* The definition of setting I: a severity's is made in *TMP. */
static const struct def *def_of(int i, struct def *tmp)
{
    if (i < P_SEV_FIRST)
        return &defs[i];
    *tmp = (struct def){ sevs[i - P_SEV_FIRST].key, sevs[i - P_SEV_FIRST].deflt, 0, 2, T_SEV,
                         NULL };
    return tmp;
}

int policy_list_has(const struct policy *p, int i, const char *text, int substring)
{
    const char *s = p->s[i];
    if (!s || !text)
        return 0;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n > 0) {
            if (substring ? memmem(text, strlen(text), s, n) != NULL
                          : strlen(text) == n && !memcmp(text, s, n))
                return 1;
        }
        if (!e)
            break;
        s = e + 1;
    }
    return 0;
}

const char *policy_key(int i)
{
    struct def tmp;
    return def_of(i, &tmp)->key;
}

static int set(void *ctx, const char *key, const char *value, const char *file, long line)
{
    struct policy *p = ctx;
    struct def tmp;
    for (int i = 0; i < policy_count(); i++) {
        const struct def *d = def_of(i, &tmp);
        if (!d->key || strcmp(d->key, key))
            continue;
        if (d->type == T_LIST) {
            /* items are trimmed of spaces; an empty list is allowed (nothing exempt) */
            struct sbuf b = SBUF_INIT;
            for (const char *q = value; *q; q++)
                if (*q != ' ' && *q != '\t')
                    sbuf_addc(&b, *q);
            free(p->s[i]);
            p->s[i] = xstrdup(sbuf_str(&b));
            sbuf_free(&b);
            return 0;
        }
        if (d->type == T_SEV) {
            int v = sev_parse(value);
            if (v < 0)
                return xv_fail_at(XV_EUSAGE, file, line, "'%s' must be block, review or info",
                                  key);
            p->v[i] = v;
            return 0;
        }
        char *end;
        double v = strtod(value, &end);
        if (!*value || *end || !isfinite(v) || v < d->min || v > d->max)
            return xv_fail_at(XV_EUSAGE, file, line, "'%s' must be a number from %g to %g", key,
                              d->min, d->max);
        if (strstr(key, ".u") == key + strlen(key) - 2 && v <= 0)
            return xv_fail_at(XV_EUSAGE, file, line, "'%s' must be above 0", key);
        p->v[i] = v;
        return 0;
    }
    return xv_fail_at(XV_EUSAGE, file, line, "unknown policy key '%.64s'", key);
}

static void finish(struct policy *p)
{
    struct sbuf b = SBUF_INIT;
    struct def tmp;
    for (int i = 0; i < policy_count(); i++) {
        const struct def *d = def_of(i, &tmp);
        if (d->type == T_LIST)
            sbuf_addf(&b, "%s = %s\n", d->key, p->s[i]);
        else if (d->type == T_SEV)
            sbuf_addf(&b, "%s = %s\n", d->key, sev_name((int)p->v[i]));
        else
            sbuf_addf(&b, "%s = %.17g\n", d->key, p->v[i]);
    }
    p->text = b.s;
    sha256_hex(b.s, b.len, p->sha256);
}

static void defaults(struct policy *p)
{
    struct def tmp;
    memset(p, 0, sizeof *p);
    for (int i = 0; i < policy_count(); i++) {
        const struct def *d = def_of(i, &tmp);
        p->v[i] = d->value;
        if (d->type == T_LIST)
            p->s[i] = xstrdup(d->text);
    }
}

static int check(struct policy *p, const char *name)
{
    if (p->v[P_LINK_LOWER] > p->v[P_LINK_UPPER]) {
        policy_free(p);
        return xv_fail(XV_EUSAGE, "%s: link.lower (%g) is above link.upper (%g)", name,
                       p->v[P_LINK_LOWER], p->v[P_LINK_UPPER]);
    }
    static const int whole[] = { P_WINDOW_MONTHS, P_EXIT_MONTHS, P_NOTICE_DAYS,
                                 P_PROPERTY_MULTIPLE };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        if (p->v[whole[i]] != floor(p->v[whole[i]])) {
            int rc = xv_fail(XV_EUSAGE, "%s: '%s' must be a whole number, not %g", name,
                             defs[whole[i]].key, p->v[whole[i]]);
            policy_free(p);
            return rc;
        }
    finish(p);
    return 0;
}

int policy_load(const char *path, struct policy *p)
{
    int rc;
    defaults(p);
    if (path && (rc = kv_parse_file(path, set, p)) < 0) {
        policy_free(p);
        return rc == XV_EDATA ? XV_EUSAGE : rc;
    }
    return check(p, path ? path : "policy");
}

int policy_parse(const char *name, const char *text, struct policy *p)
{
    int rc;
    defaults(p);
    if ((rc = kv_parse_buf(name, text, strlen(text), set, p)) < 0) {
        policy_free(p);
        return rc;
    }
    return check(p, name);
}

void policy_free(struct policy *p)
{
    free(p->text);
    p->text = NULL;
    for (int i = 0; i < P_MAX; i++) {
        free(p->s[i]);
        p->s[i] = NULL;
    }
}

double policy_weight(const struct policy *p, int m)
{
    return log2(p->v[m] / p->v[m + 1]);
}
