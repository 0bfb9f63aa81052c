/* verdict.c: severity and gate names, and the decisions table. */
#include <stdio.h>
#include <string.h>
#include "audit.h"
#include "store.h"
#include "util.h"
#include "verdict.h"

static const char *const sev_names[SEV_COUNT] = { "block", "review", "info" };
static const char *const gate_names[GATE_COUNT] = { "BLOCK", "REVIEW", "CLEAR" };

const char *sev_name(int sev)
{
    return sev >= 0 && sev < SEV_COUNT ? sev_names[sev] : "?";
}

int sev_parse(const char *s)
{
    for (int i = 0; s && i < SEV_COUNT; i++)
        if (!strcmp(s, sev_names[i]))
            return i;
    return -1;
}

int gate_of(const long n[SEV_COUNT])
{
    return n[SEV_BLOCK] ? GATE_BLOCK : n[SEV_REVIEW] ? GATE_REVIEW : GATE_CLEAR;
}

const char *gate_name(int gate)
{
    return gate >= 0 && gate < GATE_COUNT ? gate_names[gate] : "?";
}

int gate_parse(const char *s)
{
    for (int i = 0; s && i < GATE_COUNT; i++)
        if (!strcmp(s, gate_names[i]))
            return i;
    return -1;
}

int decision_add(sqlite3 *db, const struct decision *d)
{
    sqlite3_stmt *st = NULL;
    char at[21];
    utc_now(at);
    int rc = store_prepare(db, "INSERT INTO decisions(fingerprint,evidence,applicant_id,rule,"
                               "decision,by,level,reason,run_id,at,amount) "
                               "VALUES(?,?,?,?,?,?,?,?,?,?,?)", &st);
    if (rc < 0)
        return rc;
    const char *v[] = { d->fingerprint, d->evidence, d->applicant_id, d->rule, d->decision,
                        d->by, d->level, d->reason };
    for (int i = 0; i < 8; i++)
        store_bind_text(st, i + 1, v[i]);
    sqlite3_bind_int64(st, 9, d->run_id);
    store_bind_text(st, 10, at);
    if (d->has_amount)
        sqlite3_bind_double(st, 11, d->amount);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_err(db, "recording the decision");
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    struct sbuf detail = SBUF_INIT;
    sbuf_addf(&detail, "%s %s of %s %s by %s (%s level): %s", d->fingerprint, d->rule,
              d->applicant_id, d->decision, d->by, d->level, d->reason);
    rc = audit_append(db, "review", d->fingerprint, detail.s);
    sbuf_free(&detail);
    return rc;
}

int decision_last_seq(sqlite3 *db, long long *seq)
{
    int rc = store_int(db, "SELECT ifnull(max(seq), 0) FROM decisions", NULL, NULL, seq);
    return rc < 0 ? rc : 0;
}

int decision_now(sqlite3 *db, const char *fp, const char *ev, int has_amount, double amount,
                 double tol, char decision[16], char who[256], char why[512])
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT " DECISION_IN_FORCE("?1", "?2", "?3", "?4",
                               "(SELECT ifnull(max(seq), 0) FROM decisions)") ", "
                               "(SELECT by || ' (' || level || ' level) on ' || at FROM decisions "
                               "WHERE fingerprint = ?1 ORDER BY seq DESC LIMIT 1), "
                               "(SELECT reason FROM decisions WHERE fingerprint = ?1 "
                               "ORDER BY seq DESC LIMIT 1)", &st);
    if (rc < 0)
        return rc;
    store_bind_text(st, 1, fp);
    store_bind_text(st, 2, ev);
    if (has_amount)
        sqlite3_bind_double(st, 3, amount);
    sqlite3_bind_double(st, 4, tol);
    *who = *why = '\0';
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = store_err(db, "reading decisions");
    } else {
        const unsigned char *d = sqlite3_column_text(st, 0);
        snprintf(decision, 16, "%s", d ? (const char *)d : "open");
        if (strcmp(decision, "open")) {
            snprintf(who, 256, "%s", sqlite3_column_text(st, 1));
            snprintf(why, 512, "%s", sqlite3_column_text(st, 2));
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int decision_each_in_month(sqlite3 *db, long long seq, const char *month,
                           int (*fn)(void *ctx, const char *app, const char *fp,
                                     const char *date),
                           void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT applicant_id, fingerprint, substr(at, 1, 10) FROM "
                               "decisions WHERE seq <= ?1 AND substr(at, 1, 7) = ?2 ORDER BY seq",
                           &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, seq);
    store_bind_text(st, 2, month);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1),
                     (const char *)sqlite3_column_text(st, 2))) < 0)
            break;
    if (rc == 0 && s != SQLITE_DONE)
        rc = store_err(db, "reading decisions");
    sqlite3_finalize(st);
    return rc;
}
