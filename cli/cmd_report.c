/* cmd_report.c: "xverify report [RUN]": (re)writes a run's report files from what it stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/run.h"
#include "../core/util.h"
#include "../reports/rpt.h"

int cmd_report(const struct args *a, struct xv_ctx *ctx)
{
    const char *out = arg_value(a, "out");
    struct rpt_opts ro = { out ? out : RPT_DEFAULT_OUT, arg_value(a, "county"),
                           arg_value(a, "unmasked") != NULL, 0 };
    long long run_id = 0;
    int rc;
    struct run r = { 0 };
    struct sbuf summary = SBUF_INIT;
    sqlite3 *db;
    if (a->noperand == 1 && (rc = xv_parse_run(a->cmd, a->operand[0], &run_id)) < 0)
        return rc;
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = run_open(db, run_id, &r)) < 0)
        goto done;
    char subject[32];
    snprintf(subject, sizeof subject, "run %lld", r.id);
    if ((rc = xv_unmasked_audit(a, db, "reports written:", subject)) < 0)
        goto done;
    rc = rpt_write(db, &r, &ro, &summary);
    if (rc == 0 || rc == XV_ENEEDS) {
        if (!ro.county)
            fputs(sbuf_str(&summary), stdout);
        printf("reports: %s/%lld%s/\n", ro.out, r.id, ro.unmasked ? "-unmasked" : "");
    }
done:
    run_free(&r);
    sbuf_free(&summary);
    return rc;
}
