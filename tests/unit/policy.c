/* policy.c: unit tests of core/policy.c and the rule catalogue's severity settings. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

void test_policy(void)
{
    struct policy p;
    CHECK(policy_load(NULL, &p) == 0 && p.v[P_LINK_UPPER] == 16, "defaults");
    double w = policy_weight(&p, P_ID_EXACT_M);
    CHECK(w > 19.8 && w < 19.9, "log2(0.95/1e-6) = %f", w);
    char *text = xstrdup(p.text);
    policy_free(&p);
    CHECK(policy_parse("t", text, &p) == 0 && !strcmp(p.text, text), "the text round-trips");
    policy_free(&p);
    free(text);
    CHECK(policy_parse("t", "link.upper = 20\n", &p) == 0 && p.v[P_LINK_UPPER] == 20,
          "override");
    policy_free(&p);
    fprintf(stderr, "(the next errors are expected)\n");
    CHECK(policy_parse("t", "link.uper = 20\n", &p) == XV_EUSAGE, "unknown key");
    CHECK(policy_parse("t", "link.upper = lots\n", &p) == XV_EUSAGE, "not a number");
    CHECK(policy_parse("t", "link.id.exact.m = 2\n", &p) == XV_EUSAGE, "m above 1");
    CHECK(policy_parse("t", "link.lower = 30\n", &p) == XV_EUSAGE, "lower above upper");
}

void test_rules_policy(void)
{
    struct policy p;
    CHECK(policy_load(NULL, &p) == 0, "defaults");
    CHECK(p.v[P_SEV_FIRST + R_VEHICLE] == SEV_BLOCK && p.v[P_SEV_FIRST + R_ID_INVALID] == SEV_REVIEW &&
          p.v[P_SEV_FIRST + R_EXIT_ELIGIBLE] == SEV_INFO &&
          p.v[P_SEV_FIRST + R_SEV_DECEASED_MEMBER] == SEV_REVIEW &&
          p.v[P_SEV_FIRST + R_SEV_BUSINESS_SMALL] == SEV_REVIEW, "default severities of rules.md");
    CHECK(p.v[P_HOUSING_AREA] == 40 && p.v[P_STANDARD_BAND] == 1.5 && p.v[P_WINDOW_MONTHS] == 3 &&
          p.v[P_EXIT_MONTHS] == 6 && p.v[P_INCOME_RATIO] == 0.2 && p.v[P_INCOME_GAP] == 200,
          "default thresholds of rules.md");
    CHECK(policy_list_has(&p, P_VEHICLE_EXEMPT, "普通二轮摩托车", 1), "a motorcycle is exempt");
    CHECK(policy_list_has(&p, P_VEHICLE_EXEMPT, "残疾人专用车", 1), "a disabled car is exempt");
    CHECK(!policy_list_has(&p, P_VEHICLE_EXEMPT, "小型轿车", 1), "a car is not");
    CHECK(!policy_list_has(&p, P_VEHICLE_EXEMPT, NULL, 1), "an unknown type is not");
    CHECK(policy_list_has(&p, P_PROPERTY_NONRESIDENTIAL, "商业", 0), "商业 is non-residential");
    CHECK(!policy_list_has(&p, P_PROPERTY_NONRESIDENTIAL, "商", 0), "exact items, not parts");
    CHECK(!strcmp(rule_code(R_VEHICLE), "VEHICLE") && !strcmp(rule_code(R_EXIT_ELIGIBLE),
          "EXIT_ELIGIBLE") && rule_code(R_COUNT) == NULL, "rule codes");
    CHECK(strstr(p.text, "\nseverity.DECEASED.member = review\n") &&
          strstr(p.text, "\nvehicle.exempt = 摩托车,残疾人\n"), "the effective text names them");
    char *text = xstrdup(p.text);
    policy_free(&p);
    CHECK(policy_parse("t", text, &p) == 0 && !strcmp(p.text, text), "the text round-trips");
    policy_free(&p);
    free(text);
    CHECK(policy_parse("t", "severity.VEHICLE = info\nvehicle.exempt = \n", &p) == 0 &&
          p.v[P_SEV_FIRST + R_VEHICLE] == SEV_INFO &&
          !policy_list_has(&p, P_VEHICLE_EXEMPT, "普通二轮摩托车", 1), "overrides; an empty list");
    policy_free(&p);
    fprintf(stderr, "(the next errors are expected)\n");
    CHECK(policy_parse("t", "severity.VEHICLE = high\n", &p) == XV_EUSAGE, "not a severity");
    CHECK(policy_parse("t", "exit.months = 0\n", &p) == XV_EUSAGE, "out of range");
    CHECK(policy_parse("t", "income.window_months = 1.5\n", &p) == XV_EUSAGE, "not whole");
}
