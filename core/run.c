/* run.c: creates and reads runs, with what each one saw: loads, status changes, policy. */
#include <csv.h>
#include <gnu/libc-version.h>
#include <libxml/parser.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "err.h"
#include "loads.h"
#include "msg.h"
#include "run.h"
#include "spotcheck.h"
#include "status.h"
#include "store.h"
#include "util.h"
#include "verdict.h"

#ifndef OPENCC_VERSION
#define OPENCC_VERSION "unknown"
#endif

char *run_versions(void)
{
    struct sbuf b = SBUF_INIT;
    char pcre[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    sbuf_addf(&b, "xverify %s; sqlite %s; libxml2 %s; pcre2 %s; libcsv %d.%d.%d; opencc %s; "
                  "glibc %s", XV_VERSION, sqlite3_libversion(), xmlParserVersion, pcre,
              CSV_MAJOR, CSV_MINOR, CSV_RELEASE, OPENCC_VERSION, gnu_get_libc_version());
    return b.s;
}

/* The as-of date of the newest load. */
static int newest_as_of(sqlite3 *db, char out[11])
{
    long long id;
    int rc = loads_newest(db, NULL, &id, out);
    if (rc == 0 && !id)
        rc = xv_fail(XV_EUSAGE, "nothing is loaded yet: load the feeds first");
    return rc;
}

struct pinning {
    sqlite3 *db;
    sqlite3_stmt *ins;
    long long run;
};

static int pin_load(void *ctx, const char *kind, long long id, const char *sha256)
{
    struct pinning *p = ctx;
    sqlite3_reset(p->ins);
    if (store_bind(p->ins, "itit", p->run, kind, id, sha256) < 0 ||
        sqlite3_step(p->ins) != SQLITE_DONE)
        return store_err(p->db, "recording the run's loads");
    return 0;
}

int run_create(sqlite3 *db, const char *as_of, const char *scope, const struct policy *pol,
               int official_policy, int lang, struct run *r)
{
    sqlite3_stmt *st = NULL;
    char *versions = run_versions(), date[11];
    int rc;
    memset(r, 0, sizeof *r);
    if ((rc = newest_as_of(db, date)) < 0)
        goto done;
    /* official: the official policy on the default date (workflow.md) */
    int official = official_policy && (!as_of || !strcmp(as_of, date));
    as_of = as_of ? as_of : date;
    snprintf(r->as_of, sizeof r->as_of, "%s", as_of);
    if ((rc = loads_newest(db, NULL, &r->horizon, NULL)) < 0 ||
        (rc = status_last_seq(db, &r->status_seq)) < 0 ||
        (rc = decision_last_seq(db, &r->decision_seq)) < 0 ||
        (rc = spot_last_seq(db, &r->spot_seq, &r->sample_seq)) < 0)
        goto done;
    if ((rc = store_prepare(db, "INSERT INTO runs(as_of,horizon,status_seq,scope,policy,"
                                "policy_sha256,versions,started_at,decision_seq,official,spot_seq,"
                                "sample_seq,lang) VALUES(?,?,?,?,?,?,?,"
                                "strftime('%Y-%m-%dT%H:%M:%SZ','now'),?,?,?,?,?)",
                            &st)) < 0)
        goto done;
    if (store_bind(st, "tiittttiiiit", as_of, r->horizon, r->status_seq, scope, pol->text,
                   pol->sha256, versions, r->decision_seq, (long long)official, r->spot_seq,
                   r->sample_seq, msg_lang_name(lang)) < 0 ||
        sqlite3_step(st) != SQLITE_DONE) {
        rc = store_err(db, "recording the run");
        goto done;
    }
    long long id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    st = NULL;
    /* per kind, the newest load as of the date */
    if ((rc = store_prepare(db, "INSERT INTO run_loads(run_id,kind,load_id,sha256) "
                                "VALUES(?,?,?,?)", &st)) < 0)
        goto done;
    struct pinning pin = { db, st, id };
    if ((rc = loads_as_of(db, as_of, r->horizon, pin_load, &pin)) < 0)
        goto done;
    sqlite3_finalize(st);
    st = NULL;
    rc = run_open(db, id, r);
done:
    sqlite3_finalize(st);
    free(versions);
    return rc;
}

int run_open(sqlite3 *db, long long id, struct run *r)
{
    sqlite3_stmt *st = NULL;
    int rc;
    memset(r, 0, sizeof *r);
    if (id == 0) {
        if ((rc = store_int(db, "SELECT ifnull(max(id), 0) FROM runs", NULL, NULL, &id)) < 0)
            return rc;
        if (id == 0)
            return xv_fail(XV_EUSAGE, "there is no run yet: run 'xverify match' first");
    }
    if ((rc = store_prepare(db, "SELECT as_of, horizon, status_seq, policy, decision_seq, scope, "
                                "versions, started_at, ifnull(link_seconds, 0), "
                                "ifnull(rules_seconds, 0), official, coverage_month, "
                                "ifnull(findings_sha256, ''), spot_seq, sample_seq, lang FROM runs "
                                "WHERE id=?",
                            &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return xv_fail(XV_EUSAGE, "there is no run %lld", id);
    }
    r->id = id;
    snprintf(r->as_of, sizeof r->as_of, "%s", sqlite3_column_text(st, 0));
    r->horizon = sqlite3_column_int64(st, 1);
    r->status_seq = sqlite3_column_int64(st, 2);
    r->decision_seq = sqlite3_column_int64(st, 4);
    r->scope = xstrdup((const char *)sqlite3_column_text(st, 5));
    r->versions = xstrdup((const char *)sqlite3_column_text(st, 6));
    snprintf(r->started_at, sizeof r->started_at, "%s", sqlite3_column_text(st, 7));
    /* ISO dates compare as text */
    snprintf(r->status_on, sizeof r->status_on, "%.10s",
             strncmp(r->started_at, r->as_of, 10) > 0 ? r->started_at : r->as_of);
    r->link_seconds = sqlite3_column_double(st, 8);
    r->rules_seconds = sqlite3_column_double(st, 9);
    r->official = sqlite3_column_int(st, 10);
    r->has_coverage = sqlite3_column_type(st, 11) != SQLITE_NULL;
    snprintf(r->coverage, sizeof r->coverage, "%s",
             r->has_coverage ? (const char *)sqlite3_column_text(st, 11) : "");
    snprintf(r->findings_sha256, sizeof r->findings_sha256, "%s", sqlite3_column_text(st, 12));
    r->spot_seq = sqlite3_column_int64(st, 13);
    r->sample_seq = sqlite3_column_int64(st, 14);
    r->lang = msg_lang_parse((const char *)sqlite3_column_text(st, 15));
    if (r->lang < 0) {
        sqlite3_finalize(st);
        return xv_fail(XV_ELOCKED, "run %lld: its language is not one xverify writes", id);
    }
    rc = policy_parse("the run's policy", (const char *)sqlite3_column_text(st, 3), &r->pol);
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = store_prepare(db, "SELECT kind, load_id FROM run_loads WHERE run_id=?", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const struct kind *k = kind_find((const char *)sqlite3_column_text(st, 0));
        if (k)
            r->load_of[k - xv_kinds] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return 0;
}

int run_latest_official(sqlite3 *db, long long *id)
{
    *id = 0;
    int rc = store_int(db, "SELECT ifnull(max(id), 0) FROM runs WHERE official = 1", NULL, NULL,
                       id);
    return rc < 0 ? rc : 0;
}

int run_ids_each(sqlite3 *db, int (*fn)(void *ctx, long long id), void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT id FROM runs ORDER BY id DESC", &st), s;
    if (rc < 0)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, sqlite3_column_int64(st, 0))) != 0)
            break;
    sqlite3_finalize(st);
    if (rc != 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, "reading runs");
}

int run_started_on(sqlite3 *db, long long id, char date[11])
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT substr(started_at, 1, 10) FROM runs WHERE id=?", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(date, 11, "%s", sqlite3_column_text(st, 0));
    else
        rc = xv_fail(XV_EUSAGE, "there is no run %lld", id);
    sqlite3_finalize(st);
    return rc;
}

void run_free(struct run *r)
{
    policy_free(&r->pol);
    free(r->scope);
    free(r->versions);
    r->scope = r->versions = NULL;
}

int run_record(sqlite3 *db, struct run *r, const struct run_counts *c)
{
    long long id = r->id;
    sqlite3_stmt *up = NULL;
    int rc = store_prepare(db, "UPDATE runs SET applications=?, persons=?, links=?, possible=?, "
                               "seconds=?, link_seconds=?, rules_seconds=?, findings=?, "
                               "coverage_month=?, findings_sha256=? WHERE id=?", &up);
    if (rc < 0)
        return rc;
    /* stage times recorded to the 1/100 s that summary.txt shows, so it can be written again */
    if (store_bind(up, "iiiiddditti", (long long)c->applications, (long long)c->persons,
                   (long long)c->links, (long long)c->possible, c->seconds,
                   (double)llround(c->link_seconds * 100) / 100,
                   (double)llround(c->rules_seconds * 100) / 100, (long long)c->findings,
                   r->coverage, c->findings_sha256, id) < 0 ||
        sqlite3_step(up) != SQLITE_DONE)
        rc = store_err(db, "recording the run");
    sqlite3_finalize(up);
    r->link_seconds = (double)llround(c->link_seconds * 100) / 100;
    r->rules_seconds = (double)llround(c->rules_seconds * 100) / 100;
    snprintf(r->findings_sha256, sizeof r->findings_sha256, "%s", c->findings_sha256);
    return rc;
}

int run_is_current(sqlite3 *db, const struct run *r, struct sbuf *why)
{
    for (int i = 0; i < xv_nkinds; i++) {
        long long newest = 0;
        int rc = loads_newest(db, xv_kinds[i].name, &newest, NULL);
        if (rc < 0)
            return rc;
        if (newest > r->load_of[i]) {
            sbuf_addf(why, "run %lld is older than load %lld of '%s': run 'xverify match' first",
                      r->id, newest, xv_kinds[i].name);
            return 0;
        }
    }
    return 1;
}

int run_loads_each(sqlite3 *db, long long run,
                   int (*fn)(void *ctx, const char *kind, long long load, const char *sha256),
                   void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT kind, load_id, sha256 FROM run_loads WHERE run_id=? "
                               "ORDER BY load_id", &st), s;
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, run);
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                     (const char *)sqlite3_column_text(st, 2))) < 0)
            break;
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, "reading the run's loads");
}

struct run_checking {
    sqlite3 *db;
    long long run;
    struct sbuf *problems;
    int n;
};

static int check_load(void *ctx, const char *kind, long long load, const char *sha256)
{
    struct run_checking *c = ctx;
    struct load_row l;
    int rc = loads_get(c->db, load, &l);
    if (rc == 0) {
        sbuf_addf(c->problems, "run %lld: its load %lld of '%s' is missing\n", c->run, load, kind);
        c->n++;
        return 0;
    }
    if (rc < 0)
        return rc;
    if (strcmp(l.sha256, sha256) || strcmp(l.kind, kind)) {
        sbuf_addf(c->problems, "run %lld: load %lld of '%s' is not the one it used (hash or kind "
                  "changed)\n", c->run, load, kind);
        c->n++;
    }
    return 0;
}

int run_check(sqlite3 *db, struct sbuf *problems, long long *runs)
{
    long long last = 0;
    int rc = store_int(db, "SELECT ifnull(max(id), 0) FROM runs", NULL, NULL, &last), n = 0;
    if (rc < 0)
        return rc;
    *runs = 0;
    for (long long id = 1; id <= last; id++) {
        struct run_checking c = { db, id, problems, 0 };
        if ((rc = run_loads_each(db, id, check_load, &c)) < 0)
            return rc;
        n += c.n;
        ++*runs;
    }
    return n;
}
