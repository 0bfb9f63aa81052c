/* cmd_exit.c: "xverify exit APPLICANT": one level's sign-off of an archived household's exit
 * from hardship (脱困). */
#include "../procedures/approve.h"
#include "cmd.h"

int cmd_exit(const struct args *a, struct xv_ctx *ctx)
{
    const char *reason = arg_value(a, "reason");
    if (!reason || !*reason)
        return xv_usage(a->cmd, "--reason TEXT is required");
    return xv_signoff(a, ctx, PROC_EXIT, reason);
}
