/* cmd_withdraw.c: "xverify withdraw APPLICANT": the applicant's withdrawal (已撤回), recorded. */
#include "../core/err.h"
#include "../procedures/ending.h"
#include "cmd.h"

int cmd_withdraw(const struct args *a, struct xv_ctx *ctx)
{
    const char *by = arg_value(a, "by"), *reason = arg_value(a, "reason"), *app = a->operand[0];
    sqlite3 *db;
    int rc;
    if (!*by || !reason || !*reason)
        return xv_usage(a->cmd, "--by NAME and --reason TEXT are required");
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = end_application(db, app, -1, by, reason)) < 0)
        return rc;
    xv_printf("%s: withdrawn, recorded by %s; final\n", app, by);
    return 0;
}
