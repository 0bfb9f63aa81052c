/* cmd_spotcheck.c: "xverify spotcheck APPLICANT": the field result of a household drawn in a
 * spot-check sample, recorded. */
#include <string.h>
#include "../core/err.h"
#include "../procedures/sample.h"
#include "cmd.h"

int cmd_spotcheck(const struct args *a, struct xv_ctx *ctx)
{
    const char *app = a->operand[0], *sample_s = arg_value(a, "sample"),
               *result = arg_value(a, "result"), *by = arg_value(a, "by"),
               *note = arg_value(a, "note");
    long long sample;
    sqlite3 *db;
    int rc;
    if ((rc = xv_parse_number(a->cmd, sample_s, "sample", &sample)) < 0)
        return rc;
    if (!*by)
        return xv_usage(a->cmd, "--by needs a name");
    if (!strcmp(result, "fail") && (!note || !*note))
        return xv_usage(a->cmd, "a failed spot check needs --note TEXT: what was found");
    if ((rc = xv_db(ctx, &db)) < 0 ||
        (rc = spotcheck_record(db, sample, app, result, by, note)) < 0)
        return rc;
    xv_printf("%s: spot check in sample %lld: %s, recorded by %s%s\n", app, sample, result, by,
              strcmp(result, "fail") ? "" : "; SPOTCHECK_FAILED (block) from the next run");
    return 0;
}
