/* cmd_rerun.c: "xverify rerun RUN": re-executes a past run on the data as it stood and compares
 * its reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../matchers/match.h"
#include "../reports/rpt.h"

int cmd_rerun(const struct args *a, struct xv_ctx *ctx)
{
    const char *out = arg_value(a, "out");
    struct rpt_opts ro = { out ? out : RPT_DEFAULT_OUT, NULL, 0, 1 };
    long long run_id = 0;
    int rc, in_tx = 0;
    struct run r = { 0 };
    char *now = run_versions();
    sqlite3 *db = NULL;
    if (a->noperand == 1 && (rc = xv_parse_run(a->cmd, a->operand[0], &run_id)) < 0)
        goto done;
    if ((rc = xv_db(ctx, &db)) < 0)
        goto done;
    /* everything happens in one transaction that is rolled back: the store is left as it was */
    if ((rc = store_begin(db)) < 0)
        goto done;
    in_tx = 1;
    if ((rc = run_open(db, run_id, &r)) < 0)
        goto done;
    if (strcmp(r.versions, now))
        printf("note: run %lld was made by: %s\nnote: this is: %s\n", r.id, r.versions, now);
    if ((rc = match_redo(db, &r, r.scope)) < 0)
        goto done;
    rc = rpt_write(db, &r, &ro, NULL);
    if (rc == 0)
        printf("run %lld re-executed: every report file is byte-identical (%s/%lld-rerun/)\n",
               r.id, ro.out, r.id);
    else if (rc == XV_ENEEDS)
        printf("run %lld re-executed: reports differ (%s/%lld-rerun/)\n", r.id, ro.out, r.id);
done:
    if (in_tx)
        store_rollback(db);
    run_free(&r);
    free(now);
    return rc;
}
