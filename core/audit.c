/* audit.c: the hash-chained audit trail: appending an entry, verifying the chain. */
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include "audit.h"
#include "err.h"
#include "store.h"
#include "util.h"

void audit_actor(char out[64])
{
    struct passwd pw, *got = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &got) == 0 && got)
        snprintf(out, 64, "%s", got->pw_name);
    else
        snprintf(out, 64, "uid %u", (unsigned)geteuid());
}

void audit_hash(const char *prev, long long seq, const char *at, const char *action,
                const char *subject, const char *detail, const char *actor, char out[65])
{
    struct sbuf b = SBUF_INIT;
    /* fields separated by 0x1F, which none of them can hold unnoticed: a changed separator
     * changes the hash as well; the actor is hashed when known (entries before version 5 of
     * the store have none, and keep their hashes) */
    sbuf_addf(&b, "%s\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s", prev, seq, at, action, subject, detail);
    if (*actor)
        sbuf_addf(&b, "\x1f%s", actor);
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
    char actor[64];
    audit_actor(actor);
    audit_hash(prev, seq, at, action, subject, detail, actor, hash);
    if ((rc = store_prepare(db, "INSERT INTO audit(seq,at,action,subject,detail,prev,hash,actor) "
                                "VALUES(?,?,?,?,?,?,?,?)", &st)) < 0)
        return rc;
    if (store_bind(st, "itttttt" "t", seq, at, action, subject, detail, prev, hash, actor) < 0 ||
        sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "appending to the audit trail");
    sqlite3_finalize(st);
    return rc;
}

/* Entry SEQ of ST's row must be the one expected after PREV: the next number, following PREV,
 * and matching its hash. */
static int check_entry(sqlite3_stmt *st, long long want, const char *prev)
{
    long long seq = sqlite3_column_int64(st, 0);
    const char *f[7];
    char h[65];
    for (int i = 0; i < 7; i++)
        f[i] = (const char *)sqlite3_column_text(st, i + 1);
    for (int i = 0; i < 7; i++)
        if (!f[i])
            return xv_fail(XV_ELOCKED, "audit trail broken at entry %lld: a field is missing",
                           seq);
    if (seq != want)
        return xv_fail(XV_ELOCKED, "audit trail broken at entry %lld: entry %lld is missing",
                       seq, want);
    if (strcmp(f[4], prev))
        return xv_fail(XV_ELOCKED, "audit trail broken at entry %lld (%s %s): it does not "
                       "follow entry %lld", seq, f[1], f[2], seq - 1);
    audit_hash(prev, seq, f[0], f[1], f[2], f[3], f[6], h);
    if (strcmp(h, f[5]))
        return xv_fail(XV_ELOCKED, "audit trail broken at entry %lld (%s %s, %s): its content "
                       "does not match its hash", seq, f[1], f[2], f[0]);
    return 0;
}

int audit_verify(sqlite3 *db, struct audit_head *head)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    memset(head, 0, sizeof *head);
    if ((rc = store_prepare(db, "SELECT seq, at, action, subject, detail, prev, hash, actor "
                                "FROM audit ORDER BY seq", &st)) < 0)
        return rc;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = check_entry(st, head->entries + 1, head->hash)) < 0)
            goto done;
        head->entries++;
        snprintf(head->hash, sizeof head->hash, "%s", sqlite3_column_text(st, 6));
        snprintf(head->at, sizeof head->at, "%s", sqlite3_column_text(st, 1));
        snprintf(head->what, sizeof head->what, "%s %s", sqlite3_column_text(st, 2),
                 sqlite3_column_text(st, 3));
    }
    if (s != SQLITE_DONE)
        rc = store_err(db, "reading the audit trail");
done:
    sqlite3_finalize(st);
    return rc;
}

int audit_each(sqlite3 *db, long long since, audit_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT seq, at, action, subject, detail, actor FROM audit "
                               "WHERE seq > ? ORDER BY seq", &st), s;
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, since);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *f[5];
        for (int i = 0; i < 5; i++) {
            const unsigned char *t = sqlite3_column_text(st, i + 1);
            f[i] = t ? (const char *)t : "";
        }
        if ((rc = fn(ctx, sqlite3_column_int64(st, 0), f[0], f[1], f[2], f[3], f[4])) < 0)
            break;
    }
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    return s == SQLITE_DONE ? 0 : store_err(db, "reading the audit trail");
}
