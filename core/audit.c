/* audit.c: appends entries to the hash-chained audit trail. */
#include <stdio.h>
#include <string.h>
#include "audit.h"
#include "err.h"
#include "store.h"
#include "util.h"

void audit_hash(const char *prev, long long seq, const char *at, const char *action,
                const char *subject, const char *detail, char out[65])
{
    struct sbuf b = SBUF_INIT;
    /* fields separated by 0x1F, which none of them can hold unnoticed: a changed separator
     * changes the hash as well */
    sbuf_addf(&b, "%s\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s", prev, seq, at, action, subject, detail);
    sha256_hex(b.s, b.len, out);
    sbuf_free(&b);
}

int audit_append(sqlite3 *db, const char *action, const char *subject, const char *detail)
{
    sqlite3_stmt *st = NULL;
    char prev[65] = "", hash[65], at[21];
    long long seq = 1;
    int rc;
    utc_now(at);
    if ((rc = store_prepare(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                            &st)) < 0)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        seq = sqlite3_column_int64(st, 0) + 1;
        snprintf(prev, sizeof prev, "%s", sqlite3_column_text(st, 1));
    } else if (s != SQLITE_DONE) {
        rc = store_err(db, "reading the audit trail");
    }
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    audit_hash(prev, seq, at, action, subject, detail, hash);
    if ((rc = store_prepare(db, "INSERT INTO audit(seq,at,action,subject,detail,prev,hash) "
                                "VALUES(?,?,?,?,?,?,?)", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, hash, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "appending to the audit trail");
    sqlite3_finalize(st);
    return rc;
}
