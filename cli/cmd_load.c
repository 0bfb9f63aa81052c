/* cmd_load.c: "xverify load KIND FILE": one feed file into the store, with its summary. */
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/official.h"
#include "../core/policy.h"
#include "../ingest/loader.h"

int cmd_load(const struct args *a, struct xv_ctx *ctx)
{
    struct ldr_opts o = { 0 };
    struct ldr_result r;
    struct policy pol;
    sqlite3 *db;
    int rc;
    o.progress = 1;
    o.as_of = arg_value(a, "as-of");
    o.map = arg_value(a, "map");
    o.encoding = arg_value(a, "encoding");
    o.kind = a->operand[0];
    o.file = a->operand[1];
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    /* the quarantine limit is the official policy's (workflow.md), as for the nightly run */
    if ((rc = official_policy(db, &pol, NULL)) < 0)
        return rc;
    o.quarantine_limit = pol.v[P_QUARANTINE_LIMIT];
    policy_free(&pol);
    rc = ldr_run(db, &o, &r);
    if (rc == 0 || rc == XV_ENEEDS)
        ldr_print(stdout, &r);
    ldr_result_free(&r);
    return rc;
}
