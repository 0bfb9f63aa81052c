/* cmd_diff.c: "xverify diff RUN_A RUN_B": the findings and gates that changed from one run to
 * another. */
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"

/* Prints the rows of SQL (with runs ?1, ?2) as "MARK col1 col2 ...", IDs masked; returns how
 * many, or an XV_E* code. */
static long print_rows(sqlite3 *db, const char *sql, long long a, long long b, const char *mark)
{
    sqlite3_stmt *st = NULL;
    long n = 0;
    int rc = store_prepare(db, sql, &st), s;
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct sbuf line = SBUF_INIT, m = SBUF_INIT;
        sbuf_adds(&line, mark);
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            sbuf_addf(&line, " %s", t ? (const char *)t : "");
        }
        mask_text(line.s, 0, &m);
        printf("%s\n", m.s);
        sbuf_free(&line);
        sbuf_free(&m);
        n++;
    }
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? n : store_err(db, "comparing runs");
}

int cmd_diff(const struct args *args, struct xv_ctx *ctx)
{
    long long a, b;
    int rc;
    struct run ra = { 0 }, rb = { 0 };
    sqlite3 *db;
    if ((rc = xv_parse_run(args->cmd, args->operand[0], &a)) < 0 ||
        (rc = xv_parse_run(args->cmd, args->operand[1], &b)) < 0)
        return rc;
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = run_open(db, a, &ra)) < 0 || (rc = run_open(db, b, &rb)) < 0)
        goto done;
    printf("diff run %lld (as of %s) -> run %lld (as of %s)\n", a, ra.as_of, b, rb.as_of);
    /* a finding is the same when its fingerprint is; it changed when its evidence, severity
     * or decision did */
    static const char *const gone =
        "SELECT x.applicant_id, x.rule, x.severity, x.person_id_no, x.record_key, x.fingerprint "
        "FROM findings x WHERE x.run_id=?1 AND NOT EXISTS (SELECT 1 FROM findings y WHERE "
        "y.run_id=?2 AND y.applicant_id=x.applicant_id AND y.fingerprint=x.fingerprint) "
        "ORDER BY 1, 2, 6";
    static const char *const changed =
        "SELECT y.applicant_id, y.rule, x.severity || '->' || y.severity, x.decision || '->' || "
        "y.decision, 'found: ' || x.found || ' -> ' || y.found, y.fingerprint FROM findings x "
        "JOIN findings y ON y.run_id=?2 AND y.applicant_id=x.applicant_id AND "
        "y.fingerprint=x.fingerprint WHERE x.run_id=?1 AND (x.evidence<>y.evidence OR "
        "x.severity<>y.severity OR x.decision<>y.decision) ORDER BY 1, 2, 6";
    static const char *const gates =
        "SELECT ifnull(x.applicant_id, y.applicant_id), ifnull(x.gate, '(none)') || ' -> ' || "
        "ifnull(y.gate, '(none)') FROM (SELECT * FROM gates WHERE run_id=?1) x FULL JOIN "
        "(SELECT * FROM gates WHERE run_id=?2) y ON y.applicant_id=x.applicant_id "
        "WHERE x.gate IS NOT y.gate ORDER BY 1";
    long n[4];
    if ((n[0] = print_rows(db, gone, a, b, "- finding")) < 0 ||
        (n[1] = print_rows(db, gone, b, a, "+ finding")) < 0 ||
        (n[2] = print_rows(db, changed, a, b, "~ finding")) < 0 ||
        (n[3] = print_rows(db, gates, a, b, "~ gate")) < 0) {
        rc = (int)(n[0] < 0 ? n[0] : n[1] < 0 ? n[1] : n[2] < 0 ? n[2] : n[3]);
        goto done;
    }
    printf("%ld findings gone, %ld new, %ld changed; %ld gates changed\n", n[0], n[1], n[2],
           n[3]);
done:
    run_free(&ra);
    run_free(&rb);
    return rc;
}
