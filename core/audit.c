/* audit.c: the audit trail: appending a keyed, hash-chained entry, sealing an older trail,
 * verifying the chain, and the head an auditor keeps elsewhere. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "audit.h"
#include "err.h"
#include "seal.h"
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
    const char *const after_seq[] = { at, action, subject, detail, *actor ? actor : NULL };
    /* "%s\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s" and "\x1f%s" for the actor, a piece at a time:
     * every run hashes every entry again */
    sbuf_adds(&b, prev);
    sbuf_addc(&b, '\x1f');
    sbuf_add_decimal(&b, seq);
    for (int i = 0; i < 5 && after_seq[i]; i++) {
        sbuf_addc(&b, '\x1f');
        sbuf_adds(&b, after_seq[i]);
    }
    sha256_hex(b.s, b.len, out);
    sbuf_free(&b);
}

/* The seal of an entry is the keyed hash (seal_mac) of its chain hash and of the ties of the
 * rows it vouches for: "HASH\x1e" then each tie's line (audit_tie_line, in table and row
 * order), built in one buffer (an entry can vouch for 50,000 rows). This starts B. */
static void seal_start(struct sbuf *b, const char *hash)
{
    sbuf_reset(b);
    sbuf_adds(b, hash);
    sbuf_addc(b, '\x1e');
}

/* Appends entry SEQ after PREV, tying the rows written since the last entry. */
static int append_one(sqlite3 *db, long long seq, const char *prev, const char *action,
                      const char *subject, const char *detail, long long *nrows)
{
    sqlite3_stmt *st = NULL;
    struct sbuf ties = SBUF_INIT;
    char hash[65], mac[65], at[21], actor[64];
    int rc;
    utc_now(at);
    audit_actor(actor);
    audit_hash(prev, seq, at, action, subject, detail, actor, hash);
    seal_start(&ties, hash);
    if ((rc = audit_tie_new(db, seq, &ties, nrows)) < 0 || (rc = seal_mac(ties.s, ties.len, mac)) < 0)
        goto done;
    if ((rc = store_prepare(db, "INSERT INTO audit(seq,at,action,subject,detail,prev,hash,actor,"
                                "mac) VALUES(?,?,?,?,?,?,?,?,?)", &st)) < 0)
        goto done;
    if (store_bind(st, "itttttt" "tt", seq, at, action, subject, detail, prev, hash, actor,
                   mac) < 0 || sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "appending to the audit trail");
done:
    sqlite3_finalize(st);
    sbuf_free(&ties);
    return rc;
}

/* The last entry's number and hash (0 and "" for an empty trail), and how many entries are
 * not sealed. */
static int trail_end(sqlite3 *db, long long *seq, char prev[65], long long *unsealed)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *seq = 0;
    prev[0] = '\0';
    if ((rc = store_int(db, "SELECT count(*) FROM audit WHERE mac = ''", NULL, NULL,
                        unsealed)) < 0 ||
        (rc = store_prepare(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                            &st)) < 0)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        snprintf(prev, 65, "%s", sqlite3_column_text(st, 1));
    } else if (s != SQLITE_DONE) {
        rc = store_err(db, "reading the audit trail");
    }
    sqlite3_finalize(st);
    return rc < 0 ? rc : 0;
}

int audit_append(sqlite3 *db, const char *action, const char *subject, const char *detail)
{
    char prev[65];
    long long seq, unsealed, nrows = 0;
    int rc = trail_end(db, &seq, prev, &unsealed);
    if (rc < 0)
        return rc;
    if (unsealed)
        return xv_fail(XV_ELOCKED, "the audit trail holds %lld entries without a keyed seal "
                       "(a store from before keyed trails): verify and seal it once with "
                       "'xverify audit --seal'", unsealed);
    return append_one(db, seq + 1, prev, action, subject, detail, &nrows);
}

/* ---- verifying ---------------------------------------------------------------------------- */

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

/* The ties of entry SEQ from TIES (ordered by seq, table, row; *S its last step), appended
 * to B. */
static int entry_ties(sqlite3_stmt *ties, int *s, long long seq, struct sbuf *b)
{
    while (*s == SQLITE_ROW) {
        long long tseq = sqlite3_column_int64(ties, 0);
        if (tseq > seq)
            break;
        if (tseq < seq)
            return xv_fail(XV_ELOCKED, "audit: row %lld of '%s' is tied to entry %lld, which "
                           "is not in the trail", (long long)sqlite3_column_int64(ties, 2),
                           sqlite3_column_text(ties, 1), tseq);
        audit_tie_line(b, (const char *)sqlite3_column_text(ties, 1),
                       sqlite3_column_int64(ties, 2), sqlite3_column_int(ties, 3),
                       (const char *)sqlite3_column_text(ties, 4));
        *s = sqlite3_step(ties);
    }
    return 0;
}

/* A, then a space and B when B is not NULL, into OUT of SIZE bytes, cut as snprintf would
 * cut it (the head's fields are copied from every entry as the walk passes it). */
static void copy_text(char *out, size_t size, const char *a, const char *b)
{
    size_t n = 0;
    for (const char *p = a ? a : ""; *p && n + 1 < size; p++)
        out[n++] = *p;
    if (b && n + 1 < size)
        out[n++] = ' ';
    for (const char *p = b ? b : ""; *p && n + 1 < size; p++)
        out[n++] = *p;
    out[n] = '\0';
}

/* Walks the chain; with SEAL, gives every entry its keyed seal instead of checking it. */
static int walk(sqlite3 *db, struct audit_head *head, int seal)
{
    sqlite3_stmt *st = NULL, *ties = NULL, *put = NULL;
    struct sbuf tb = SBUF_INIT;
    int rc, s, ts = SQLITE_DONE;
    memset(head, 0, sizeof *head);
    if ((rc = store_prepare(db, "SELECT seq, at, action, subject, detail, prev, hash, actor, mac "
                                "FROM audit ORDER BY seq", &st)) < 0 ||
        (rc = store_prepare(db, "SELECT seq, tbl, row_id, ncols, hash FROM audit_ties "
                                "ORDER BY seq, tbl, row_id", &ties)) < 0 ||
        (seal && (rc = store_prepare(db, "UPDATE audit SET mac=? WHERE seq=?", &put)) < 0))
        goto done;
    ts = sqlite3_step(ties);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(st, 0);
        const char *hash = (const char *)sqlite3_column_text(st, 6);
        const unsigned char *mac = sqlite3_column_text(st, 8);
        char want[65];
        if ((rc = check_entry(st, head->entries + 1, head->hash)) < 0)
            goto done;
        seal_start(&tb, hash);
        if ((rc = entry_ties(ties, &ts, seq, &tb)) < 0 || (rc = seal_mac(tb.s, tb.len, want)) < 0)
            goto done;
        if (seal) {
            sqlite3_reset(put);
            store_bind(put, "ti", want, seq);
            if (sqlite3_step(put) != SQLITE_DONE) {
                rc = store_err(db, "sealing the audit trail");
                goto done;
            }
        } else if (!mac || !*mac) {
            rc = xv_fail(XV_ELOCKED, "audit trail broken at entry %lld (%s %s): it carries no "
                         "keyed seal (a store from before keyed trails is sealed once with "
                         "'xverify audit --seal')", seq, sqlite3_column_text(st, 2),
                         sqlite3_column_text(st, 3));
            goto done;
        } else if (strcmp((const char *)mac, want)) {
            rc = xv_fail(XV_ELOCKED, "audit trail broken at entry %lld (%s %s, %s): its seal "
                         "does not match: the entry, or the rows it vouches for, were rewritten "
                         "without the audit key (or this is not the key that sealed the trail)",
                         seq, sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                         sqlite3_column_text(st, 1));
            goto done;
        }
        head->entries++;
        copy_text(head->hash, sizeof head->hash, hash, NULL);
        copy_text(head->mac, sizeof head->mac, seal ? want : (const char *)mac, NULL);
        copy_text(head->at, sizeof head->at, (const char *)sqlite3_column_text(st, 1), NULL);
        copy_text(head->what, sizeof head->what, (const char *)sqlite3_column_text(st, 2),
                  (const char *)sqlite3_column_text(st, 3));
    }
    if (s != SQLITE_DONE || (ts != SQLITE_DONE && ts != SQLITE_ROW)) {
        rc = store_err(db, "reading the audit trail");
        goto done;
    }
    if (ts == SQLITE_ROW) {
        rc = xv_fail(XV_ELOCKED, "audit: rows are tied to entry %lld; the trail ends at entry "
                     "%lld: its tail was removed", (long long)sqlite3_column_int64(ties, 0),
                     head->entries);
        goto done;
    }
    if (!seal)
        rc = audit_check_ties(db, head->entries, &head->rows);
done:
    sqlite3_finalize(st);
    sqlite3_finalize(ties);
    sqlite3_finalize(put);
    sbuf_free(&tb);
    return rc;
}

int audit_verify(sqlite3 *db, struct audit_head *head)
{
    return walk(db, head, 0);
}

static int check_fn(sqlite3 *db, void *arg)
{
    return audit_verify(db, &((struct audit_check *)arg)->head);
}

int audit_check_start(sqlite3 *db, struct audit_check *c)
{
    char id[17];
    int rc;
    memset(c, 0, sizeof *c);
    if ((rc = seal_key_id(id)) < 0 || (rc = store_readable_beside(db)) < 0)
        return rc;
    if (rc == 1) {
        if (!store_beside_start(&c->job, sqlite3_db_filename(db, "main"),
                                "checking the audit trail", check_fn, NULL, c))
            return xv_fail(XV_ERR, "cannot start a thread to check the audit trail");
        return 0;
    }
    return c->rc = audit_verify(db, &c->head);
}

int audit_check_finish(struct audit_check *c)
{
    if (c->job.running)
        c->rc = store_beside_finish(&c->job, 0);
    return c->rc;
}

int audit_seal(sqlite3 *db, struct audit_head *head)
{
    long long unsealed = 0, sealed = 0, ties = 0, nrows = 0, seq;
    char prev[65], id[17];
    int rc;
    if ((rc = store_int(db, "SELECT count(*) FROM audit WHERE mac = ''", NULL, NULL,
                        &unsealed)) < 0 ||
        (rc = store_int(db, "SELECT count(*) FROM audit WHERE mac <> ''", NULL, NULL,
                        &sealed)) < 0 ||
        (rc = store_int(db, "SELECT count(*) FROM audit_ties", NULL, NULL, &ties)) < 0 ||
        (rc = seal_key_id(id)) < 0)
        return rc;
    /* a trail written before seals has entries and no seal or tie at all (a store of xverify
     * 0.1 has not even entries); anything else was sealed, and a seal removed since is no
     * reason to seal again */
    if (sealed || ties)
        return unsealed ? xv_fail(XV_ELOCKED, "audit --seal: the trail mixes sealed entries and "
                                  "%lld without a seal: seals were removed; nothing sealed",
                                  unsealed)
                        : xv_fail(XV_EUSAGE, "audit --seal: the trail is sealed already");
    /* the plain chain must hold before it is vouched for */
    if ((rc = walk(db, head, 1)) < 0)
        return rc;
    if ((rc = trail_end(db, &seq, prev, &unsealed)) < 0)
        return rc;
    struct sbuf d = SBUF_INIT;
    sbuf_addf(&d, "%lld entries of an unkeyed trail verified and sealed with key %s", seq, id);
    rc = append_one(db, seq + 1, prev, "seal", id, d.s, &nrows);
    sbuf_free(&d);
    return rc < 0 ? rc : walk(db, head, 0);
}

int audit_expect(const struct audit_head *head, sqlite3 *db, const char *want)
{
    char *end;
    long long n = strtoll(want, &end, 10);
    size_t len = strlen(end);
    if (n < 1 || *end != ':' || len != 65 || strspn(end + 1, "0123456789abcdef") != 64)
        return xv_fail(XV_EUSAGE, "audit: --expect takes a head as 'audit --head' prints it "
                       "(N:64 hex digits)");
    if (n > head->entries)
        return xv_fail(XV_ELOCKED, "audit: the trail ends at entry %lld, before the head kept "
                       "(entry %lld): its tail was removed", head->entries, n);
    long long same = 0;
    int rc;
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", n);
    if ((rc = store_int(db, "SELECT count(*) FROM audit WHERE seq = CAST(?1 AS INTEGER) AND "
                            "mac = ?2", seq, end + 1, &same)) < 0)
        return rc;
    if (!same)
        return xv_fail(XV_ELOCKED, "audit: entry %lld is not the one the head kept names: the "
                       "trail from there was rewritten", n);
    return 0;
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
