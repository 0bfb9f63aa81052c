/* cmd_approve.c: "xverify approve APPLICANT": one level's approval of the entry procedure
 * (procedures/approve.c); the report of a sign-off that exit and relieve print as well. */
#include <stdio.h>
#include "../core/err.h"
#include "../procedures/approve.h"
#include "cmd.h"

int xv_signoff(const struct args *a, struct xv_ctx *ctx, int proc, const char *reason)
{
    const char *by = arg_value(a, "by"), *app = a->operand[0];
    int rc, level = level_parse(arg_value(a, "level"));
    sqlite3 *db = NULL;
    struct approval ap;
    if (!*by)
        return xv_usage(a->cmd, "--by NAME is required");
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = signoff(db, proc, app, level, by, reason, &ap)) < 0)
        return rc;
    xv_printf("%s: %s at %s level by %s (%sin run %lld)\n", app, procedures[proc].done,
              level_name(level), by, proc == PROC_ENTRY ? "gate CLEAR " : "", ap.run_id);
    if (level == LEVEL_CITY)
        xv_printf("%s: public notice from %s to %s; %s from %s\n", app, ap.notice_from,
                  ap.notice_to, ap.status, ap.status_from);
    else
        xv_printf("%s: next: %s %s\n", app, level_name(level + 1),
                  proc == PROC_ENTRY ? "approval" : "sign-off");
    return 0;
}

int cmd_approve(const struct args *a, struct xv_ctx *ctx)
{
    return xv_signoff(a, ctx, PROC_ENTRY, "");
}
