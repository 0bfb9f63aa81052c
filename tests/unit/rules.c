/* rules.c: unit tests of matchers/rules: fingerprints, the gate, how two IDs differ, the runs
 * that checked an application. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../matchers/rules/findings.h"
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

/* The difference of A and B as rules_id_difference says it in LANG. */
static const char *differ(int lang, const char *a, const char *b, int names)
{
    static struct sbuf out;
    sbuf_reset(&out);
    msg_set_lang(lang);
    rules_id_difference(a, b, names, &out);
    msg_set_lang(MSG_ZH);
    return sbuf_str(&out);
}

void test_id_difference(void)
{
    const char *id = "340102198003152310";
    const struct { const char *b; int names; const char *zh, *en; } cases[] = {
        { "340102198003152310", 1, "差异：号码相同；姓名不同",
          "differs: the same ID number; the name differs" },
        { "340102198003152311", 0, "差异：校验码不同", "differs: the check digit differs" },
        { "340103198003152310", 0, "差异：地区码第 6 位不同（替换）",
          "differs: region code, digit 6 differs (substitution)" },
        { "340102198030152310", 0, "差异：出生日期第 11、12 位互换",
          "differs: birth date, digits 11 and 12 transposed" },
        { "340102198003152130", 0, "差异：顺序码第 16、17 位互换",
          "differs: sequence code, digits 16 and 17 transposed" },
        { "350102198003152319", 0, "差异：2 位不同，在地区码、校验码",
          "differs: 2 digits differ, in: region code, check digit" },
        { "340102800315231", 0, "差异：号码长度不同",
          "differs: the lengths differ (15 and 18 digits)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *zh = differ(MSG_ZH, id, cases[i].b, cases[i].names);
        CHECK(!strcmp(zh, cases[i].zh), "%s: %s", cases[i].b, zh);
        const char *en = differ(MSG_EN, id, cases[i].b, cases[i].names);
        CHECK(!strcmp(en, cases[i].en), "%s: %s", cases[i].b, en);
        CHECK(!strstr(zh, "3401") && !strstr(en, "3401"), "no digit of either ID");
    }
}

/* gates_runs_of's callback: the runs seen, in order, and what to return at STOP (0: go on). */
struct seen {
    long long runs[8];
    int n;
    long long stop;
    int ret;
};

static int see_run(void *ctx, long long run)
{
    struct seen *s = ctx;
    if (s->n < 8)
        s->runs[s->n++] = run;
    return run == s->stop ? s->ret : 0;
}

void test_gates_runs_of(void)
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK &&
          sqlite3_exec(db, "CREATE TABLE runs(id INTEGER PRIMARY KEY);"
                           "CREATE TABLE gates(run_id INTEGER, applicant_id TEXT, "
                           "PRIMARY KEY(run_id, applicant_id));"
                           "INSERT INTO runs VALUES(1), (2), (3), (4), (5), (12);"
                           "INSERT INTO gates VALUES(1, 'A'), (2, 'B'), (3, 'A'), (3, 'B'), "
                           "(4, 'A'), (12, 'B');", NULL, NULL, NULL) == SQLITE_OK,
          "runs and gates");
    struct seen s = { { 0 }, 0, 0, 0 };
    CHECK(gates_runs_of(db, "A", see_run, &s) == 0 && s.n == 3 && s.runs[0] == 4 &&
          s.runs[1] == 3 && s.runs[2] == 1, "A's runs, newest first: %d of them", s.n);
    s = (struct seen){ { 0 }, 0, 3, 1 };
    CHECK(gates_runs_of(db, "B", see_run, &s) == 1 && s.n == 2 && s.runs[0] == 12 &&
          s.runs[1] == 3, "a nonzero return stops the walk and is returned");
    s = (struct seen){ { 0 }, 0, 12, XV_EIO };
    CHECK(gates_runs_of(db, "B", see_run, &s) == XV_EIO && s.n == 1, "an error too");
    s = (struct seen){ { 0 }, 0, 0, 0 };
    CHECK(gates_runs_of(db, "C", see_run, &s) == 0 && s.n == 0, "no run checked C");
    sqlite3_close(db);
}
