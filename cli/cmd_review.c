/* cmd_review.c: "xverify review FINGERPRINT": a reviewer dismisses or confirms one finding. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/audit.h"
#include "cmd.h"
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"

int cmd_review(int argc, char **argv, struct xv_ctx *ctx)
{
    static const struct option opts[] = {
        { "dismiss", no_argument, NULL, 'D' },
        { "confirm", no_argument, NULL, 'C' },
        { "by", required_argument, NULL, 'b' },
        { "level", required_argument, NULL, 'l' },
        { "reason", required_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 },
    };
    const char *decision = NULL, *by = NULL, *level = NULL, *reason = NULL;
    int c, rc, in_tx = 0;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *app = NULL, *rule = NULL, *sev = NULL, *evidence = NULL;
    long long run_id = 0;
    while ((c = xv_getopt(ctx, "review", argc, argv, opts)) != -1) {
        switch (c) {
        case 'D':
        case 'C':
            if (decision)
                return xv_usage("review", "give one of --dismiss and --confirm");
            decision = c == 'D' ? "dismissed" : "confirmed";
            break;
        case 'b': by = optarg; break;
        case 'l': level = optarg; break;
        case 'r': reason = optarg; break;
        case XV_OPT_HELP:
            return 0;
        default:
            return XV_EUSAGE;
        }
    }
    if (argc - optind != 1)
        return xv_usage("review", "expected one FINGERPRINT");
    const char *fp = argv[optind];
    if (!decision)
        return xv_usage("review", "give --dismiss or --confirm");
    if (!by || !*by)
        return xv_usage("review", "--by NAME is required");
    if (!reason || !*reason)
        return xv_usage("review", "--reason TEXT is required");
    if (!level || (strcmp(level, "county") && strcmp(level, "city")))
        return xv_usage("review", "--level must be county or city");
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = store_begin(db)) < 0)
        return rc;
    in_tx = 1;
    /* the finding as the latest run that found it shows it */
    if ((rc = store_prepare(db, "SELECT run_id, applicant_id, rule, severity, evidence FROM "
                                "findings WHERE fingerprint=? ORDER BY run_id DESC LIMIT 1",
                            &st)) < 0)
        goto done;
    sqlite3_bind_text(st, 1, fp, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        rc = xv_fail(XV_EUSAGE, "no finding has the fingerprint '%s'", fp);
        goto done;
    }
    if (s != SQLITE_ROW) {
        rc = store_err(db, "reading findings");
        goto done;
    }
    run_id = sqlite3_column_int64(st, 0);
    app = xstrdup((const char *)sqlite3_column_text(st, 1));
    rule = xstrdup((const char *)sqlite3_column_text(st, 2));
    sev = xstrdup((const char *)sqlite3_column_text(st, 3));
    evidence = xstrdup((const char *)sqlite3_column_text(st, 4));
    sqlite3_finalize(st);
    st = NULL;
    if (!strcmp(decision, "dismissed") && !strcmp(sev, "block") && strcmp(level, "city")) {
        rc = xv_fail(XV_ENEEDS, "review refused: '%s' (%s of %s) is a block finding, which "
                     "can be dismissed at city level only", fp, rule, app);
        goto done;
    }
    char at[21];
    utc_now(at);
    if ((rc = store_prepare(db, "INSERT INTO decisions(fingerprint,evidence,applicant_id,rule,"
                                "decision,by,level,reason,run_id,at) VALUES(?,?,?,?,?,?,?,?,?,?)",
                            &st)) < 0)
        goto done;
    const char *v[] = { fp, evidence, app, rule, decision, by, level, reason };
    for (int i = 0; i < 8; i++)
        sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, run_id);
    sqlite3_bind_text(st, 10, at, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = store_err(db, "recording the decision");
        goto done;
    }
    struct sbuf detail = SBUF_INIT;
    sbuf_addf(&detail, "%s %s of %s %s by %s (%s level): %s", fp, rule, app, decision, by, level,
              reason);
    rc = audit_append(db, "review", fp, detail.s);
    sbuf_free(&detail);
    if (rc < 0 || (rc = store_commit(db)) < 0)
        goto done;
    in_tx = 0;
    printf("%s: %s %s of %s (%s, run %lld) at %s level by %s\n", fp, decision, rule, app, sev,
           run_id, level, by);
    printf("it holds while the evidence is unchanged; it influences approvals now; run reports "
           "show it from the next run on\n");
done:
    sqlite3_finalize(st);
    if (in_tx)
        store_rollback(db);
    free(app);
    free(rule);
    free(sev);
    free(evidence);
    return rc;
}
