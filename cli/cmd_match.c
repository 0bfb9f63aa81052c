/* cmd_match.c: "xverify match": one run: every application in scope linked, checked and
 * reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/msg.h"
#include "../core/util.h"
#include "../ingest/norm.h"
#include "drive.h"

int cmd_match(const struct args *a, struct xv_ctx *ctx)
{
    const char *as_of = arg_value(a, "as-of"), *policy_path = arg_value(a, "policy");
    const char *out = arg_value(a, "out");
    char date[11];
    int nonly, rc;
    char **only = arg_list(a, "applicant", &nonly);
    sqlite3 *db;
    if (as_of && (norm_date(as_of, date) < 0 || strcmp(date, as_of)))
        return xv_usage(a->cmd, "--as-of '%s' is not a date YYYY-MM-DD", as_of);
    char today[11];
    today_iso(today);
    if (as_of && strcmp(as_of, today) > 0)
        return xv_usage(a->cmd, "--as-of %s is later than today (%s): a run cannot see data "
                        "of days to come", as_of, today);
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    /* the parser took zh or en only */
    struct match_opts mo = { as_of, only, nonly, policy_path,
                             msg_lang_parse(arg_value(a, "lang")) };
    long long id;
    return drive_run(db, &mo, out, &id);
}
