/* compare.c: comparison levels for IDs, names (by Unicode code point), dates, gender, region. */
#include <stdint.h>
#include <string.h>
#include "../core/utf8.h"
#include "../core/util.h"
#include "../core/policy.h"
#include "compare.h"

const char *const cmp_field_names[F_NFIELDS] = { "id", "name", "birth", "gender", "region" };

int cmp_id(const char *a, int av, const char *b, int bv)
{
    if (!a || !b)
        return ID_DIFF;
    if (!strcmp(a, b))
        return ID_EXACT;
    if (strlen(a) != 18 || strlen(b) != 18)
        return ID_DIFF;
    int one_invalid = !av || !bv;
    if (!one_invalid)
        return ID_OTHER;
    if (!memcmp(a, b, 17))
        return ID_CHECK;
    int diff[3], n = 0;
    for (int i = 0; i < 17; i++)
        if (a[i] != b[i]) {
            if (n == 2)
                return ID_DIFF;
            diff[n++] = i;
        }
    if (n == 1)
        return ID_EDIT;
    /* an adjacent transposition */
    if (diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]])
        return ID_EDIT;
    return ID_DIFF;
}

/* Decodes S into at most MAX code points; returns the count (MAX + 1 when longer). */
static int codepoints(const char *s, uint32_t *cp, int max)
{
    int n = 0;
    size_t len = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    while (len > 0) {
        uint32_t c;
        int l = utf8_decode(p, len, &c);
        if (l == 0)
            return max + 1;
        if (n == max)
            return max + 1;
        cp[n++] = c;
        p += l;
        len -= (size_t)l;
    }
    return n;
}

int cmp_name(const char *na, const char *ra, const char *nb, const char *rb)
{
    if (!na || !nb)
        return NAME_DIFF;
    if (!strcmp(na, nb)) {
        const char *xa = ra ? ra : na, *xb = rb ? rb : nb;
        return !strcmp(xa, xb) ? NAME_EXACT : NAME_NORM;
    }
    /* one character differs: same length (in characters), at least two, one position apart.
     * A Chinese name is 2-4 characters; siblings often share all but one. */
    uint32_t a[32], b[32];
    int la = codepoints(na, a, 31), lb = codepoints(nb, b, 31);
    if (la != lb || la < 2 || la > 31)
        return NAME_DIFF;
    int d = 0;
    for (int i = 0; i < la; i++)
        d += a[i] != b[i];
    return d == 1 ? NAME_ONE : NAME_DIFF;
}

int cmp_birth(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != 10 || strlen(b) != 10)
        return BIRTH_MISSING;
    if (!strcmp(a, b))
        return BIRTH_EXACT;
    int parts = (memcmp(a, b, 4) != 0) + (memcmp(a + 5, b + 5, 2) != 0) +
                (memcmp(a + 8, b + 8, 2) != 0);
    return parts == 1 ? BIRTH_ONE : BIRTH_DIFF;
}

int cmp_gender(const char *a, const char *b)
{
    if (!a || !b || !*a || !*b)
        return GENDER_MISSING;
    return !strcmp(a, b) ? GENDER_SAME : GENDER_DIFF;
}

int cmp_region(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != 6 || strlen(b) != 6)
        return REGION_MISSING;
    if (!strcmp(a, b))
        return REGION_COUNTY;
    return !memcmp(a, b, 4) ? REGION_CITY : REGION_DIFF;
}

const char *cmp_level_name(int field, int level)
{
    static const char *const id[] = { "exact", "check digit differs", "one digit differs",
                                      "different", "another valid ID" };
    static const char *const name[] = { "exact", "equal when normalised",
                                        "one character differs", "different" };
    static const char *const birth[] = { "exact", "one part differs", "different", "unknown" };
    static const char *const gender[] = { "same", "different", "unknown" };
    static const char *const region[] = { "same county", "same city", "different", "unknown" };
    switch (field) {
    case F_ID: return id[level];
    case F_NAME: return name[level];
    case F_BIRTH: return birth[level];
    case F_GENDER: return gender[level];
    default: return region[level];
    }
}

double cmp_weight(const struct policy *pol, int field, int level)
{
    static const int first[F_NFIELDS] = { P_ID_EXACT_M, P_NAME_EXACT_M, P_BIRTH_EXACT_M,
                                          P_GENDER_SAME_M, P_REGION_COUNTY_M };
    static const int missing[F_NFIELDS] = { -1, -1, BIRTH_MISSING, GENDER_MISSING,
                                            REGION_MISSING };
    if (field < 0 || field >= F_NFIELDS || level == missing[field])
        return 0;
    return policy_weight(pol, first[field] + 2 * level);
}
