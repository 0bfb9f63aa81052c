/* catalogue.c: the rule codes and their default severities, registered as policy settings. */
#include <string.h>
#include "../../core/policy.h"
#include "catalogue.h"

#define SEV(code, sev) [R_##code] = { "severity." #code, sev }

static const struct policy_severity severities[R_SEV_COUNT] = {
    /* identity */
    SEV(ID_INVALID, SEV_REVIEW),
    SEV(NOT_IN_REGISTER, SEV_REVIEW),
    SEV(IDENTITY_MISMATCH, SEV_REVIEW),
    SEV(LINK_UNCERTAIN, SEV_REVIEW),
    SEV(DECEASED, SEV_BLOCK),
    /* household */
    SEV(UNDECLARED_MEMBER, SEV_REVIEW),
    SEV(MEMBER_NOT_IN_HOUSEHOLD, SEV_INFO),
    SEV(DUPLICATE_APPLICATION, SEV_BLOCK),
    /* assets */
    SEV(VEHICLE, SEV_BLOCK),
    SEV(PROPERTY_MULTIPLE, SEV_BLOCK),
    SEV(PROPERTY_NONRESIDENTIAL, SEV_BLOCK),
    SEV(PROPERTY_UNDECLARED, SEV_REVIEW),
    SEV(HOUSING_AREA, SEV_REVIEW),
    SEV(BUSINESS, SEV_BLOCK),
    /* income */
    SEV(INCOME_UNDERSTATED, SEV_REVIEW),
    SEV(PENSION_UNDECLARED, SEV_REVIEW),
    SEV(PUBLIC_SECTOR, SEV_REVIEW),
    SEV(INCOME_ABOVE_STANDARD, SEV_REVIEW),
    SEV(STANDARD_MISSING, SEV_REVIEW),
    SEV(EXIT_ELIGIBLE, SEV_INFO),
    /* dynamic management (动态管理) */
    SEV(CONTACT_MISSING, SEV_INFO),
    SEV(VISIT_OVERDUE, SEV_INFO),
    SEV(RELAPSE_RISK, SEV_INFO),
    /* spot checks (抽查) */
    SEV(SPOTCHECK_FAILED, SEV_BLOCK),
    [R_SEV_DECEASED_MEMBER] = { "severity.DECEASED.member", SEV_REVIEW },
    [R_SEV_BUSINESS_SMALL] = { "severity.BUSINESS.small", SEV_REVIEW },
};

const char *rule_code(int r)
{
    if (r < 0 || r >= R_COUNT)
        return NULL;
    return severities[r].key + strlen("severity.");
}

int rule_parse(const char *code)
{
    for (int r = 0; code && r < R_COUNT; r++)
        if (!strcmp(rule_code(r), code))
            return r;
    return -1;
}

void rules_catalogue_init(void)
{
    policy_severities(severities, R_SEV_COUNT);
}
