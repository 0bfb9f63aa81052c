/* rules.c: unit tests of matchers/rules: fingerprints and the gate. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

void test_fingerprints(void)
{
    char a[17], b[17], c[17];
    rules_fingerprint("VEHICLE", "A001", "340102198003152310", "皖A12345", 0, a);
    rules_fingerprint("VEHICLE", "A001", "340102198003152310", "皖A12345", 0, b);
    CHECK(!strcmp(a, b) && strlen(a) == 16 && strspn(a, "0123456789abcdef") == 16,
          "stable, 16 hex digits: %s", a);
    rules_fingerprint("VEHICLE", "A001", "340102198003152310", "皖A12346", 0, c);
    CHECK(strcmp(a, c), "another record key, another fingerprint");
    rules_fingerprint("VEHICLE", "A001", "340102198003152310", "皖A12345", 1, c);
    CHECK(strcmp(a, c), "a repeat is told apart");
    rules_fingerprint("VEHICLE", "A00", "1340102198003152310", "皖A12345", 0, c);
    CHECK(strcmp(a, c), "fields do not run into each other");
    CHECK(!strcmp(gate_name(GATE_BLOCK), "BLOCK") && !strcmp(gate_name(GATE_CLEAR), "CLEAR"),
          "gate names");
}

void test_gates(void)
{
    long none[SEV_COUNT] = { 0, 0, 0 }, info[SEV_COUNT] = { 0, 0, 4 };
    long review[SEV_COUNT] = { 0, 1, 4 }, block[SEV_COUNT] = { 1, 3, 0 };
    CHECK(gate_of(none) == GATE_CLEAR && gate_of(info) == GATE_CLEAR, "info alone is CLEAR");
    CHECK(gate_of(review) == GATE_REVIEW && gate_of(block) == GATE_BLOCK, "the worst decides");
    for (int g = 0; g < GATE_COUNT; g++)
        CHECK(gate_parse(gate_name(g)) == g, "gate %d round trip", g);
    for (int s = 0; s < SEV_COUNT; s++)
        CHECK(sev_parse(sev_name(s)) == s, "severity %d round trip", s);
    CHECK(gate_parse("clear") == -1 && sev_parse("BLOCK") == -1 && sev_parse(NULL) == -1,
          "names are exact");
    CHECK(!strcmp(gate_name(GATE_COUNT), "?") && !strcmp(sev_name(-1), "?"), "out of range");
    for (int r = 0; r < R_COUNT; r++)
        CHECK(rule_parse(rule_code(r)) == r, "rule %d round trip", r);
    CHECK(rule_parse("VEHICLES") == -1 && rule_code(R_COUNT) == NULL, "unknown rules");
}
