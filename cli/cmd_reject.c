/* cmd_reject.c: "xverify reject APPLICANT": an application refused at one level (不予建档). */
#include "../core/err.h"
#include "../procedures/approve.h"
#include "../procedures/ending.h"
#include "cmd.h"

int cmd_reject(const struct args *a, struct xv_ctx *ctx)
{
    const char *by = arg_value(a, "by"), *reason = arg_value(a, "reason"), *app = a->operand[0];
    int rc, level = level_parse(arg_value(a, "level"));
    sqlite3 *db;
    if (!*by || !reason || !*reason)
        return xv_usage(a->cmd, "--by NAME and --reason TEXT are required");
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = end_application(db, app, level, by, reason)) < 0)
        return rc;
    xv_printf("%s: rejected at %s level by %s; final\n", app, level_name(level), by);
    return 0;
}
