/* policy.c: the built-in defaults of every policy setting, policy files, and the effective text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "kv.h"
#include "policy.h"
#include "util.h"

struct def {
    const char *key;
    double value, min, max;
};

/* m: the share of true matches at that level; u: the share of non-matches. The weight of a
 * level is log2(m/u). Two IDs of two different people one digit apart are both valid, so the
 * near-miss ID levels count only when one side is invalid (matchers/compare.c), and an ID
 * that differs otherwise is strong evidence of another person. */
static const struct def defs[P_COUNT] = {
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
};

const char *policy_key(int i)
{
    return defs[i].key;
}

static int set(void *ctx, const char *key, const char *value, const char *file, long line)
{
    struct policy *p = ctx;
    for (int i = 0; i < P_COUNT; i++) {
        if (strcmp(defs[i].key, key))
            continue;
        char *end;
        double v = strtod(value, &end);
        if (!*value || *end || !isfinite(v) || v < defs[i].min || v > defs[i].max)
            return xv_fail_at(XV_EUSAGE, file, line, "'%s' must be a number from %g to %g, "
                              "not '%s'", key, defs[i].min, defs[i].max, value);
        if (strstr(key, ".u") == key + strlen(key) - 2 && v <= 0)
            return xv_fail_at(XV_EUSAGE, file, line, "'%s' must be above 0", key);
        p->v[i] = v;
        return 0;
    }
    return xv_fail_at(XV_EUSAGE, file, line, "unknown policy key '%s'", key);
}

static void finish(struct policy *p)
{
    struct sbuf b = SBUF_INIT;
    for (int i = 0; i < P_COUNT; i++)
        sbuf_addf(&b, "%s = %.17g\n", defs[i].key, p->v[i]);
    p->text = b.s;
    sha256_hex(b.s, b.len, p->sha256);
}

static void defaults(struct policy *p)
{
    memset(p, 0, sizeof *p);
    for (int i = 0; i < P_COUNT; i++)
        p->v[i] = defs[i].value;
}

static int check(struct policy *p, const char *name)
{
    if (p->v[P_LINK_LOWER] > p->v[P_LINK_UPPER])
        return xv_fail(XV_EUSAGE, "%s: link.lower (%g) is above link.upper (%g)", name,
                       p->v[P_LINK_LOWER], p->v[P_LINK_UPPER]);
    finish(p);
    return 0;
}

int policy_load(const char *path, struct policy *p)
{
    int rc;
    defaults(p);
    if (path && (rc = kv_parse_file(path, set, p)) < 0)
        return rc == XV_EDATA ? XV_EUSAGE : rc;
    return check(p, path ? path : "policy");
}

int policy_parse(const char *name, const char *text, struct policy *p)
{
    int rc;
    defaults(p);
    if ((rc = kv_parse_buf(name, text, strlen(text), set, p)) < 0)
        return rc;
    return check(p, name);
}

void policy_free(struct policy *p)
{
    free(p->text);
    p->text = NULL;
}

double policy_weight(const struct policy *p, int m)
{
    return log2(p->v[m] / p->v[m + 1]);
}
