/* cmd_object.c: "xverify object APPLICANT": an objection (异议) during a public notice. */
#include "../core/err.h"
#include "../procedures/approve.h"
#include "../procedures/ending.h"
#include "cmd.h"

int cmd_object(const struct args *a, struct xv_ctx *ctx)
{
    const char *by = arg_value(a, "by"), *reason = arg_value(a, "reason"), *app = a->operand[0];
    struct objection o;
    sqlite3 *db;
    int rc;
    if (!*by || !reason || !*reason)
        return xv_usage(a->cmd, "--by NAME and --reason TEXT are required");
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = object_notice(db, app, by, reason, &o)) < 0)
        return rc;
    xv_printf("%s: objection recorded; the %s notice (to %s) stops, the county and city "
              "sign-offs are void\n", app, procedures[o.proc].name, o.notice_to);
    xv_printf("%s: back to '%s'; next: county sign-off\n", app, o.back_to);
    return 0;
}
