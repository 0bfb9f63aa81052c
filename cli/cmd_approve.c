/* cmd_approve.c: "xverify approve APPLICANT": one level's approval (procedures/approve.c). */
#include <stdio.h>
#include "../core/err.h"
#include "../procedures/approve.h"
#include "cmd.h"

int cmd_approve(const struct args *a, struct xv_ctx *ctx)
{
    const char *by = arg_value(a, "by"), *app = a->operand[0];
    int rc, level = level_parse(arg_value(a, "level"));
    sqlite3 *db = NULL;
    struct approval ap;
    if (!*by)
        return xv_usage(a->cmd, "--by NAME is required");
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = approve(db, app, level, by, &ap)) < 0)
        return rc;
    printf("%s: approved at %s level by %s (gate CLEAR in run %lld)\n", app, level_name(level),
           by, ap.run_id);
    if (level == LEVEL_CITY)
        printf("%s: public notice from %s; archived from %s\n", app, ap.notice_from,
               ap.archived_from);
    else
        printf("%s: next: %s approval\n", app, level_name(level + 1));
    return 0;
}
