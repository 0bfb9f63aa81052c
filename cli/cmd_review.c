/* cmd_review.c: "xverify review FINGERPRINT": a reviewer dismisses or confirms one finding
 * (procedures/review.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../procedures/review.h"

int cmd_review(const struct args *a, struct xv_ctx *ctx)
{
    const char *decision = arg_value(a, "dismiss") ? "dismissed" : "confirmed";
    const char *by = arg_value(a, "by"), *level = arg_value(a, "level");
    const char *reason = arg_value(a, "reason"), *fp = a->operand[0];
    int rc;
    sqlite3 *db = NULL;
    if (!*by)
        return xv_usage(a->cmd, "--by NAME is required");
    if (!*reason)
        return xv_usage(a->cmd, "--reason TEXT is required");
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    struct review_req q = { fp, decision, by, level, reason };
    struct review_done d;
    if ((rc = review_decide(db, &q, &d)) < 0)
        return rc;
    printf("%s: %s %s of %s (%s, run %lld) at %s level by %s\n", fp, decision, d.rule, d.app,
           d.sev, d.run_id, level, by);
    if (!strcmp(d.rule, "LINK_UNCERTAIN"))
        printf("from the next run on, the record is %s while its content and the person's "
               "declared ID and name are unchanged\n",
               !strcmp(decision, "confirmed") ? "the person's (a link): the rules check it"
                                              : "not the person's (no link)");
    else
        printf("it holds while the evidence is unchanged; it influences approvals now; run "
               "reports show it from the next run on\n");
    review_done_free(&d);
    return 0;
}
