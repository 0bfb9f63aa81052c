/* policy.h: the policy: linkage m/u probabilities and thresholds, rule thresholds, limits,
 * with documented defaults that a "key = value" policy file overrides. */
#ifndef XV_POLICY_H
#define XV_POLICY_H

/* Every setting, in the order the effective policy is written out. */
enum {
    P_LINK_UPPER, P_LINK_LOWER,
    P_ID_EXACT_M, P_ID_EXACT_U, P_ID_CHECK_M, P_ID_CHECK_U, P_ID_EDIT_M, P_ID_EDIT_U,
    P_ID_DIFF_M, P_ID_DIFF_U,
    P_NAME_EXACT_M, P_NAME_EXACT_U, P_NAME_NORM_M, P_NAME_NORM_U, P_NAME_ONE_M, P_NAME_ONE_U,
    P_NAME_DIFF_M, P_NAME_DIFF_U,
    P_BIRTH_EXACT_M, P_BIRTH_EXACT_U, P_BIRTH_ONE_M, P_BIRTH_ONE_U, P_BIRTH_DIFF_M,
    P_BIRTH_DIFF_U,
    P_GENDER_SAME_M, P_GENDER_SAME_U, P_GENDER_DIFF_M, P_GENDER_DIFF_U,
    P_REGION_COUNTY_M, P_REGION_COUNTY_U, P_REGION_CITY_M, P_REGION_CITY_U,
    P_REGION_DIFF_M, P_REGION_DIFF_U,
    P_QUARANTINE_LIMIT,
    P_COUNT
};

struct policy {
    double v[P_COUNT];
    char *text;          /* the effective policy, one "key = value" a line, sorted as above */
    char sha256[65];     /* of text */
};

/* Fills P with the defaults, then the settings of PATH (NULL: defaults only). An unknown key
 * or a value that is not a number in range is an error naming FILE:LINE (XV_EUSAGE). */
int policy_load(const char *path, struct policy *p);
/* The same from an effective policy text (a run's), named NAME in messages. */
int policy_parse(const char *name, const char *text, struct policy *p);
void policy_free(struct policy *p);
/* log2(m/u) of setting pair M_INDEX, M_INDEX + 1. */
double policy_weight(const struct policy *p, int m_index);
/* The key of setting I. */
const char *policy_key(int i);

#endif
