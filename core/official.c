/* official.c: the policies table: the official policy and its installations. */
#include <stdio.h>
#include <string.h>
#include "audit.h"
#include "err.h"
#include "official.h"
#include "store.h"
#include "util.h"

int official_policy(sqlite3 *db, struct policy *p, long long *installed)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT seq, text FROM policies ORDER BY seq DESC LIMIT 1", &st);
    if (rc < 0)
        return rc;
    int s = sqlite3_step(st);
    if (installed)
        *installed = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (s == SQLITE_ROW)
        rc = policy_parse("the official policy", (const char *)sqlite3_column_text(st, 1), p);
    else if (s == SQLITE_DONE)
        rc = policy_load(NULL, p);
    else
        rc = store_err(db, "reading the official policy");
    sqlite3_finalize(st);
    return rc;
}

int official_install(sqlite3 *db, const char *path, const char *by, char old[65], char new[65])
{
    struct policy was = { 0 }, pol = { 0 };
    sqlite3_stmt *st = NULL;
    struct sbuf detail = SBUF_INIT;
    char at[21];
    int rc;
    if ((rc = policy_load(path, &pol)) < 0 || (rc = official_policy(db, &was, NULL)) < 0)
        goto done;
    snprintf(old, 65, "%s", was.sha256);
    snprintf(new, 65, "%s", pol.sha256);
    utc_now(at);
    if ((rc = store_prepare(db, "INSERT INTO policies(text, sha256, installed_at, installed_by) "
                                "VALUES(?,?,?,?)", &st)) < 0)
        goto done;
    if (store_bind(st, "tttt", pol.text, pol.sha256, at, by) < 0 ||
        sqlite3_step(st) != SQLITE_DONE) {
        rc = store_err(db, "installing the policy");
        goto done;
    }
    sbuf_addf(&detail, "by %s: official policy %s -> %s", by, was.sha256, pol.sha256);
    rc = audit_append(db, "policy", pol.sha256, sbuf_str(&detail));
done:
    sqlite3_finalize(st);
    sbuf_free(&detail);
    policy_free(&was);
    policy_free(&pol);
    return rc;
}
