/* schema.c: the store's tables, versioned: creating them, and upgrading an older store. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "kinds.h"
#include "store.h"
#include "util.h"

#include "bkeys.h"
#include "schema.h"

static const char *const base_schema =
    "CREATE TABLE loads("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " file TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " map_sha256 TEXT NOT NULL DEFAULT '',"
    " as_of TEXT NOT NULL,"
    " format TEXT NOT NULL,"
    " encoding TEXT NOT NULL,"
    " loaded_at TEXT NOT NULL,"
    " rows_read INTEGER NOT NULL DEFAULT 0,"
    " rows_added INTEGER NOT NULL DEFAULT 0,"
    " rows_unchanged INTEGER NOT NULL DEFAULT 0,"
    " rows_closed INTEGER NOT NULL DEFAULT 0,"
    " rows_duplicate INTEGER NOT NULL DEFAULT 0,"
    " rows_quarantined INTEGER NOT NULL DEFAULT 0,"
    " unknown_columns TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX loads_kind ON loads(kind, as_of);"
    "CREATE INDEX loads_sha ON loads(sha256);"
    "CREATE TABLE quarantine("
    " load_id INTEGER NOT NULL REFERENCES loads(id),"
    " line INTEGER NOT NULL,"
    " record INTEGER NOT NULL,"
    " reason TEXT NOT NULL,"
    " raw TEXT NOT NULL);"
    "CREATE INDEX quarantine_load ON quarantine(load_id);"
    "CREATE TABLE app_status("
    " seq INTEGER PRIMARY KEY,"
    " applicant_id TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " from_date TEXT NOT NULL,"
    " load_id INTEGER,"
    " source TEXT NOT NULL);"
    "CREATE INDEX app_status_app ON app_status(applicant_id, seq);"
    /* a run: what it saw (as-of date, the newest load and status change it could see, the
     * load of each kind it used) and how it decided (the effective policy) */
    "CREATE TABLE runs("
    " id INTEGER PRIMARY KEY,"
    " as_of TEXT NOT NULL,"
    " horizon INTEGER NOT NULL,"
    " status_seq INTEGER NOT NULL,"
    " scope TEXT NOT NULL,"
    " policy TEXT NOT NULL,"
    " policy_sha256 TEXT NOT NULL,"
    " versions TEXT NOT NULL,"
    " started_at TEXT NOT NULL,"
    " applications INTEGER NOT NULL DEFAULT 0,"
    " persons INTEGER NOT NULL DEFAULT 0,"
    " links INTEGER NOT NULL DEFAULT 0,"
    " possible INTEGER NOT NULL DEFAULT 0,"
    " seconds REAL NOT NULL DEFAULT 0);"
    "CREATE TABLE run_loads("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " kind TEXT NOT NULL,"
    " load_id INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " PRIMARY KEY(run_id, kind));"
    /* the people of each application in a run: idx 0 is the applicant */
    "CREATE TABLE persons("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " applicant_id TEXT NOT NULL,"
    " idx INTEGER NOT NULL,"
    " relation TEXT NOT NULL,"
    " id_no TEXT NOT NULL,"
    " id_valid INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " raw_name TEXT NOT NULL,"
    " birth_date TEXT,"
    " gender TEXT,"
    " county_code TEXT,"
    " PRIMARY KEY(run_id, applicant_id, idx));"
    /* person-record pairs scored at or above link.lower: class 'match' or 'possible' (or, once a
     * reviewer decided a possible one, 'confirmed' or 'dismissed'), the
     * weight and the level of each field (matchers/compare.h) */
    "CREATE TABLE links("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " applicant_id TEXT NOT NULL,"
    " idx INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " rid INTEGER NOT NULL,"
    " class TEXT NOT NULL,"
    " weight REAL NOT NULL,"
    " lv_id INTEGER NOT NULL,"
    " lv_name INTEGER NOT NULL,"
    " lv_birth INTEGER NOT NULL,"
    " lv_gender INTEGER NOT NULL,"
    " lv_region INTEGER NOT NULL);"
    "CREATE INDEX links_person ON links(run_id, applicant_id, idx, kind, rid);";

/* Version 2: rules, findings, gates, review decisions, approvals, report hashes and the
 * audit trail. Applied on a new database after the base schema, and on a version-1
 * database as its upgrade. */
static const char *const schema_v2 =
    "ALTER TABLE runs ADD COLUMN decision_seq INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN link_seconds REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN rules_seconds REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN findings INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE persons ADD COLUMN declared_income REAL;"
    /* one row per finding of a run; idx is the application's person (NULL for findings on
     * the application or on someone it did not declare); evidence is the SHA-256 of what
     * the finding shows, so that a decision carries over only while it is unchanged */
    "CREATE TABLE findings("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " applicant_id TEXT NOT NULL,"
    " county_code TEXT NOT NULL,"
    " rule TEXT NOT NULL,"
    " severity TEXT NOT NULL,"
    " idx INTEGER,"
    " person_id_no TEXT NOT NULL,"
    " person_name TEXT NOT NULL,"
    " feed TEXT NOT NULL,"
    " rid INTEGER,"
    " record_key TEXT NOT NULL,"
    " declared TEXT NOT NULL,"
    " found TEXT NOT NULL,"
    " raw TEXT NOT NULL,"
    " load_id INTEGER,"
    " link_weight REAL,"
    " fingerprint TEXT NOT NULL,"
    " evidence TEXT NOT NULL,"
    " decision TEXT NOT NULL,"
    " PRIMARY KEY(run_id, applicant_id, fingerprint));"
    "CREATE INDEX findings_fp ON findings(fingerprint, run_id);"
    "CREATE TABLE gates("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " applicant_id TEXT NOT NULL,"
    " county_code TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " gate TEXT NOT NULL,"
    " n_block INTEGER NOT NULL,"
    " n_review INTEGER NOT NULL,"
    " n_info INTEGER NOT NULL,"
    " PRIMARY KEY(run_id, applicant_id));"
    "CREATE INDEX gates_app ON gates(applicant_id, run_id);"
    "CREATE TABLE decisions("
    " seq INTEGER PRIMARY KEY,"
    " fingerprint TEXT NOT NULL,"
    " evidence TEXT NOT NULL,"
    " applicant_id TEXT NOT NULL,"
    " rule TEXT NOT NULL,"
    " decision TEXT NOT NULL,"
    " by TEXT NOT NULL,"
    " level TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " run_id INTEGER NOT NULL,"
    " at TEXT NOT NULL);"
    "CREATE INDEX decisions_fp ON decisions(fingerprint, seq);"
    "CREATE TABLE approvals("
    " seq INTEGER PRIMARY KEY,"
    " applicant_id TEXT NOT NULL,"
    " level TEXT NOT NULL,"
    " by TEXT NOT NULL,"
    " run_id INTEGER NOT NULL,"
    " status_seq INTEGER NOT NULL,"
    " at TEXT NOT NULL);"
    "CREATE INDEX approvals_app ON approvals(applicant_id, seq);"
    "CREATE TABLE run_reports("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " file TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " PRIMARY KEY(run_id, file));"
    /* every load, run, decision, approval and status change; hash = SHA-256 of the previous
     * entry's hash and this entry's fields (core/audit.c) */
    "CREATE TABLE audit("
    " seq INTEGER PRIMARY KEY,"
    " at TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " detail TEXT NOT NULL,"
    " prev TEXT NOT NULL,"
    " hash TEXT NOT NULL);";

/* One table per kind: the record version (the load that brought it), its content hash, the
 * raw fields and the normalised columns. raw holds the source's values in canonical column
 * order separated by 0x1F; a value equal to its normalised text is stored as a single 0x1E,
 * and raw is NULL when every value is.
 * <kind>_end says which load ended a version (loads of a kind come in as-of order, so load
 * ids order time): a version is visible as of load L when load_id <= L and it has no end
 * at or before L. Ends live in a narrow table of their own, not in a column of the wide one,
 * because a reload ends versions scattered over the whole feed: setting a column rewrote one
 * 64 KiB page per ended version (1.7 s for 10,000 ends, and 640 MB more WAL at commit),
 * where an end row is a few bytes. No foreign key: checking one would read those pages.
 * A view <kind>_history adds to_load and the dates. */
static void kind_table(struct sbuf *b, const struct kind *k)
{
    sbuf_addf(b, "CREATE TABLE %s("
                 " rid INTEGER PRIMARY KEY,"
                 " load_id INTEGER NOT NULL,"
                 " line INTEGER NOT NULL,"
                 " h1 INTEGER NOT NULL,"
                 " h2 INTEGER NOT NULL,"
                 " raw TEXT", k->name);
    for (int i = 0; i < k->ncols; i++) {
        const struct column *c = &k->cols[i];
        const char *type = "TEXT";
        if (c->type == CT_YUAN || c->type == CT_WAN || c->type == CT_AREA)
            type = "REAL";
        else if (c->type == CT_INT || c->type == CT_BOOL)
            type = "INTEGER";
        sbuf_addf(b, ", %s %s", c->name, type);
        if (col_has_valid(c))
            sbuf_addf(b, ", %s_valid INTEGER", c->name);
    }
    sbuf_adds(b, ");");
}

/* What version 3 adds to a kind's table: its ends, the key index of an upsert kind, the
 * history view. */
static void kind_extras(struct sbuf *b, const struct kind *k)
{
    sbuf_addf(b, "CREATE TABLE %s_end(rid INTEGER PRIMARY KEY, to_load INTEGER NOT NULL);",
              k->name);
    if (k->upsert)
        sbuf_addf(b, "CREATE INDEX %s_key ON %s(applicant_id);", k->name, k->name);
    sbuf_addf(b, "CREATE VIEW %s_history AS SELECT t.*, x.to_load, a.as_of AS from_date,"
                 " e.as_of AS to_date FROM %s t JOIN loads a ON a.id = t.load_id"
                 " LEFT JOIN %s_end x ON x.rid = t.rid LEFT JOIN loads e ON e.id = x.to_load;",
              k->name, k->name, k->name);
}

/* What version 4 adds: every version's content hash once more, STORE_HASH_RIDS rids a row
 * (see store.h), so that a reload reads 24 bytes a version, not its whole row. */
static void kind_hashes(struct sbuf *b, const struct kind *k)
{
    sbuf_addf(b, "CREATE TABLE %s_hash(chunk INTEGER PRIMARY KEY, hashes BLOB NOT NULL);",
              k->name);
}

/* What version 9 adds to a feed's: <kind>_keys, every version's blocking keys (bkeys.h). */
static void kind_keys(struct sbuf *b, const struct kind *k)
{
    if (kind_is_feed(k))
        sbuf_addf(b, "CREATE TABLE %s_keys(chunk INTEGER PRIMARY KEY, keys BLOB NOT NULL);",
                  k->name);
}

/* Version 5: official runs and the installed policies. */
static const char *const schema_v5 =
    "ALTER TABLE runs ADD COLUMN official INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE policies("
    " seq INTEGER PRIMARY KEY,"
    " text TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " installed_at TEXT NOT NULL,"
    " installed_by TEXT NOT NULL);"
    "ALTER TABLE audit ADD COLUMN actor TEXT NOT NULL DEFAULT '';"
    /* the amount an income finding rests on, and the one a decision on it was taken at */
    "ALTER TABLE findings ADD COLUMN amount REAL;"
    "ALTER TABLE decisions ADD COLUMN amount REAL;";

/* Version 6: a run's coverage month; how a link was scored. */
static const char *const schema_v6 =
    "ALTER TABLE runs ADD COLUMN coverage_month TEXT;"
    /* a link scored with the person's resolved ID (their household record's) */
    "ALTER TABLE links ADD COLUMN via_resolved INTEGER NOT NULL DEFAULT 0;";

/* Version 7: the audit trail's keyed seals and its ties to the rows it vouches for
 * (core/audit_ties.c); the digest of a run's findings and gates, which approval re-checks. */
static const char *const schema_v7 =
    "ALTER TABLE audit ADD COLUMN mac TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE audit_ties("
    " tbl TEXT NOT NULL,"
    " row_id INTEGER NOT NULL,"
    " seq INTEGER NOT NULL,"
    " ncols INTEGER NOT NULL,"
    " hash TEXT NOT NULL,"
    " PRIMARY KEY(tbl, row_id)) WITHOUT ROWID;"
    "CREATE INDEX audit_ties_seq ON audit_ties(seq, tbl, row_id);"
    "ALTER TABLE runs ADD COLUMN findings_sha256 TEXT;"
    /* the procedure a sign-off belongs to (entry, exit, relief; workflow.md) and its reason */
    "ALTER TABLE approvals ADD COLUMN procedure TEXT NOT NULL DEFAULT 'entry';"
    "ALTER TABLE approvals ADD COLUMN reason TEXT NOT NULL DEFAULT '';"
    /* spot checks (core/spotcheck.c): a sample drawn, its households in drawn order, each
     * field result; a run sees the results up to its spot_seq */
    "CREATE TABLE samples("
    " id INTEGER PRIMARY KEY,"
    " county_code TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " requested INTEGER NOT NULL,"
    " drawn INTEGER NOT NULL,"
    " seed TEXT NOT NULL,"
    " by TEXT NOT NULL,"
    " on_date TEXT NOT NULL,"
    " at TEXT NOT NULL);"
    "CREATE TABLE sample_members("
    " id INTEGER PRIMARY KEY,"
    " sample_id INTEGER NOT NULL REFERENCES samples(id),"
    " ord INTEGER NOT NULL,"
    " applicant_id TEXT NOT NULL,"
    " UNIQUE(sample_id, applicant_id));"
    "CREATE TABLE spotchecks("
    " seq INTEGER PRIMARY KEY,"
    " sample_id INTEGER NOT NULL REFERENCES samples(id),"
    " applicant_id TEXT NOT NULL,"
    " result TEXT NOT NULL,"
    " by TEXT NOT NULL,"
    " note TEXT NOT NULL,"
    " at TEXT NOT NULL,"
    " UNIQUE(sample_id, applicant_id));"
    "CREATE INDEX spotchecks_app ON spotchecks(applicant_id, seq);"
    "ALTER TABLE runs ADD COLUMN spot_seq INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN sample_seq INTEGER NOT NULL DEFAULT 0;";

/* Version 8: the language of a run's files for people; the figures a gate rests on (family
 * size, verified per-capita income, standard, tier); what a finding shows people: its texts in
 * the run's language and every evidence record it rests on (the canonical declared and found
 * texts, which the evidence hash reads, stay as they are). */
static const char *const schema_v8 =
    "ALTER TABLE runs ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh';"
    "ALTER TABLE gates ADD COLUMN family_size INTEGER;"
    "ALTER TABLE gates ADD COLUMN per_capita REAL;"
    "ALTER TABLE gates ADD COLUMN standard REAL;"
    "ALTER TABLE gates ADD COLUMN tier TEXT;"
    "ALTER TABLE findings ADD COLUMN shown_declared TEXT;"
    "ALTER TABLE findings ADD COLUMN shown_found TEXT;"
    "ALTER TABLE findings ADD COLUMN records TEXT;";

/* Version 10: each fingerprint's first and last run, which the reports and the review ask
 * for, kept in a table as large as the fingerprints are many. An index of every finding by
 * fingerprint (findings_fp) answered them before: each run's findings went into it at places
 * all over it, so that a run wrote most of its pages again, and it grew with every run kept. */
static const char *const schema_v10 =
    "CREATE TABLE finding_runs("
    " fingerprint TEXT PRIMARY KEY,"
    " applicant_id TEXT NOT NULL,"
    " first_run INTEGER NOT NULL,"
    " last_run INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO finding_runs " SCHEMA_FINDING_RUNS ";"
    "DROP INDEX findings_fp;";

/* Version 11: no index of the gates by application (gates_app). Each run's 50,000 gates went
 * into it at places all over it, so that a run wrote most of its pages again and the cost
 * grew with every run kept; the runs that checked an application are found through the
 * gates' own key (run, application) instead (gates_runs_of). */
static const char *const schema_v11 = "DROP INDEX gates_app;";

/* Version 12: the trail's entries without a seal, indexed (none in a sealed trail). Every
 * entry appended first counts them (core/audit.c: an unkeyed trail is sealed before it is
 * written to); without the index that count read the whole trail, so a review import of N
 * decisions, an entry each, read it N times. */
static const char *const schema_v12 = "CREATE INDEX audit_unsealed ON audit(seq) WHERE mac = '';";

/* Version 3 on a database of version 1 or 2: the to_load column moves into <kind>_end. The
 * column is dropped after its index and view, which name it. */
static void schema_v3(struct sbuf *b)
{
    for (int i = 0; i < xv_nkinds; i++) {
        const struct kind *k = &xv_kinds[i];
        if (k->since > 3)
            continue;
        sbuf_addf(b, "DROP VIEW %s_history;", k->name);
        if (k->upsert)
            sbuf_addf(b, "DROP INDEX %s_key;", k->name);
        kind_extras(b, k);
        sbuf_addf(b, "INSERT INTO %s_end(rid, to_load) SELECT rid, to_load FROM %s "
                     "WHERE to_load IS NOT NULL ORDER BY rid;", k->name, k->name);
        sbuf_addf(b, "ALTER TABLE %s DROP COLUMN to_load;", k->name);
    }
}

/* Runs the schema SQL of B and sets the schema version, in one transaction, if the database
 * is still at version FROM (another process may have done it while this one waited); then,
 * when HASHES, fills every kind's new <kind>_hash from its table, and when KEYS every feed's
 * new <kind>_keys. */
static int apply_schema(sqlite3 *db, struct sbuf *b, int from, int hashes, int keys)
{
    int rc;
    long long ver = 0;
    sbuf_addf(b, "PRAGMA application_id=%d; PRAGMA user_version=%d;", STORE_APP_ID,
              STORE_SCHEMA_VERSION);
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = store_int(db, "PRAGMA user_version", NULL, NULL, &ver)) < 0)
        goto fail;
    if (ver == from) {
        if ((rc = store_exec(db, sbuf_str(b))) < 0)
            goto fail;
        for (int i = 0; hashes && i < xv_nkinds; i++)
            if ((rc = store_hash_rebuild(db, xv_kinds[i].name)) < 0)
                goto fail;
        for (int i = 0; keys && i < xv_nkinds; i++)
            if (kind_is_feed(&xv_kinds[i]) && (rc = bkeys_rebuild(db, &xv_kinds[i])) < 0)
                goto fail;
    }
    return store_commit(db);
fail:
    store_rollback(db);
    return rc;
}

int schema_create(sqlite3 *db)
{
    struct sbuf b = SBUF_INIT;
    sbuf_adds(&b, base_schema);
    for (int i = 0; i < xv_nkinds; i++) {
        kind_table(&b, &xv_kinds[i]);
        kind_extras(&b, &xv_kinds[i]);
        kind_hashes(&b, &xv_kinds[i]);
        kind_keys(&b, &xv_kinds[i]);
    }
    sbuf_adds(&b, schema_v2);
    sbuf_adds(&b, schema_v5);
    sbuf_adds(&b, schema_v6);
    sbuf_adds(&b, schema_v7);
    sbuf_adds(&b, schema_v8);
    sbuf_adds(&b, schema_v10);
    sbuf_adds(&b, schema_v11);
    sbuf_adds(&b, schema_v12);
    int rc = apply_schema(db, &b, 0, 0, 0);
    sbuf_free(&b);
    return rc;
}

/* Brings a database of version FROM (1: xverify 0.1) up to this version. */
int schema_upgrade(sqlite3 *db, int from)
{
    struct sbuf b = SBUF_INIT;
    if (from < 2)
        sbuf_adds(&b, schema_v2);
    if (from < 3)
        schema_v3(&b);
    for (int i = 0; from < 4 && i < xv_nkinds; i++)
        if (xv_kinds[i].since <= 4)
            kind_hashes(&b, &xv_kinds[i]);
    if (from < 5)
        sbuf_adds(&b, schema_v5);
    if (from < 6)
        sbuf_adds(&b, schema_v6);
    if (from < 7)
        sbuf_adds(&b, schema_v7);
    if (from < 8)
        sbuf_adds(&b, schema_v8);
    for (int i = 0; from < 9 && i < xv_nkinds; i++)
        if (xv_kinds[i].since <= from)
            kind_keys(&b, &xv_kinds[i]);
    if (from < 10)
        sbuf_adds(&b, schema_v10);
    if (from < 11)
        sbuf_adds(&b, schema_v11);
    if (from < 12)
        sbuf_adds(&b, schema_v12);
    /* the kinds that came after the store's version get their tables */
    for (int i = 0; i < xv_nkinds; i++) {
        if (xv_kinds[i].since > from) {
            kind_table(&b, &xv_kinds[i]);
            kind_extras(&b, &xv_kinds[i]);
            kind_hashes(&b, &xv_kinds[i]);
            kind_keys(&b, &xv_kinds[i]);
        }
    }
    int rc = apply_schema(db, &b, from, from < 4, from < 9);
    sbuf_free(&b);
    return rc;
}

