/* catalogue.h: the rule catalogue of the discrepancy rules: codes, groups and default
 * severities. */
#ifndef XV_CATALOGUE_H
#define XV_CATALOGUE_H
#include "../../core/verdict.h"

/* The rules, in the order of the catalogue's table. The severity of rule R is policy setting
 * P_SEV_FIRST + R; two more severities follow the rules: a deceased member's and a small
 * 个体工商户's. */
enum {
    R_ID_INVALID, R_NOT_IN_REGISTER, R_IDENTITY_MISMATCH, R_LINK_UNCERTAIN, R_DECEASED,
    R_UNDECLARED_MEMBER, R_MEMBER_NOT_IN_HOUSEHOLD, R_DUPLICATE_APPLICATION, R_VEHICLE,
    R_PROPERTY_MULTIPLE, R_PROPERTY_NONRESIDENTIAL, R_PROPERTY_UNDECLARED, R_HOUSING_AREA,
    R_BUSINESS, R_INCOME_UNDERSTATED, R_PENSION_UNDECLARED, R_PUBLIC_SECTOR,
    R_INCOME_ABOVE_STANDARD, R_STANDARD_MISSING, R_EXIT_ELIGIBLE, R_CONTACT_MISSING,
    R_VISIT_OVERDUE, R_RELAPSE_RISK, R_SPOTCHECK_FAILED,
    R_COUNT,
    R_SEV_DECEASED_MEMBER = R_COUNT, R_SEV_BUSINESS_SMALL,
    R_SEV_COUNT
};

/* The code of rule R, e.g. "VEHICLE"; NULL when out of range. */
const char *rule_code(int r);
/* The rule whose code is CODE, or -1. */
int rule_parse(const char *code);
/* Registers the catalogue's severity settings with the policy (core/policy.h); called once,
 * before any policy is read, by every program that reads one. */
void rules_catalogue_init(void);

#endif
