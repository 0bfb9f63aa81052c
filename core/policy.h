/* policy.h: the policy: linkage m/u probabilities and thresholds, rule thresholds, limits,
 * with documented defaults that a "key = value" policy file overrides. */
#ifndef XV_POLICY_H
#define XV_POLICY_H

/* Every setting, in the order the effective policy is written out. */
enum {
    P_LINK_UPPER, P_LINK_LOWER,
    P_ID_EXACT_M, P_ID_EXACT_U, P_ID_CHECK_M, P_ID_CHECK_U, P_ID_EDIT_M, P_ID_EDIT_U,
    P_ID_DIFF_M, P_ID_DIFF_U, P_ID_OTHER_M, P_ID_OTHER_U,
    P_NAME_EXACT_M, P_NAME_EXACT_U, P_NAME_NORM_M, P_NAME_NORM_U, P_NAME_ONE_M, P_NAME_ONE_U,
    P_NAME_DIFF_M, P_NAME_DIFF_U,
    P_BIRTH_EXACT_M, P_BIRTH_EXACT_U, P_BIRTH_ONE_M, P_BIRTH_ONE_U, P_BIRTH_DIFF_M,
    P_BIRTH_DIFF_U,
    P_GENDER_SAME_M, P_GENDER_SAME_U, P_GENDER_DIFF_M, P_GENDER_DIFF_U,
    P_REGION_COUNTY_M, P_REGION_COUNTY_U, P_REGION_CITY_M, P_REGION_CITY_U,
    P_REGION_DIFF_M, P_REGION_DIFF_U,
    P_QUARANTINE_LIMIT,
    /* rules.md: thresholds */
    P_WINDOW_MONTHS, P_INCOME_RATIO, P_INCOME_GAP, P_PENSION_TOLERANCE, P_PROPERTY_MULTIPLE,
    P_HOUSING_AREA, P_BUSINESS_SMALL_CAPITAL, P_STANDARD_BAND, P_STANDARD_BAND_ACCIDENT,
    P_EXIT_MONTHS, P_NOTICE_DAYS, P_DECISION_TOLERANCE, P_RELAPSE_MONTHS,
    /* rules.md: lists (comma-separated) */
    P_VEHICLE_EXEMPT, P_PROPERTY_NONRESIDENTIAL,
    /* rules.md: severities (block, review or info), "severity.<CODE>" settings as the rule
     * catalogue registers them (policy_severities), in its order */
    P_SEV_FIRST,
    P_MAX = P_SEV_FIRST + 32
};

/* A severity setting: its key ("severity.VEHICLE") and its default SEV_* (core/verdict.h). */
struct policy_severity {
    const char *key;
    int deflt;
};
/* Registers the severity settings, setting P_SEV_FIRST + i being S[i] (at most P_MAX -
 * P_SEV_FIRST; S stays the caller's and must live as long as the program). The rule
 * catalogue does this before any policy is read (rules_catalogue_init); until then a policy
 * has no severity settings. */
void policy_severities(const struct policy_severity *s, int n);
/* The number of settings: P_SEV_FIRST plus the severities registered. */
int policy_count(void);

struct policy {
    double v[P_MAX];     /* numbers; for a severity its SEV_* value */
    char *s[P_MAX];      /* lists: the text as given (owned) */
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
/* 1 when an item of list setting I is a substring of TEXT (SUBSTRING) or equals it. */
int policy_list_has(const struct policy *p, int i, const char *text, int substring);

#endif
