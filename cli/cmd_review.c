/* cmd_review.c: "xverify review FINGERPRINT": a reviewer dismisses or confirms one finding
 * (procedures/review.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../procedures/import.h"
#include "../procedures/review.h"

/* review --import FILE: the decisions of a returned file. */
static int import_file(const struct args *a, struct xv_ctx *ctx)
{
    const char *path = arg_value(a, "import");
    sqlite3 *db = NULL;
    int rc;
    if (a->noperand)
        return xv_usage(a->cmd, "a FINGERPRINT and --import exclude each other");
    if (arg_value(a, "reason"))
        return xv_usage(a->cmd, "with --import, each row gives its reason");
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    struct import_req q = { path, arg_value(a, "by"), arg_value(a, "level") };
    struct import_done d;
    if ((rc = review_import(db, &q, &d)) < 0)
        return rc;
    printf("%s: %ld dismissed, %ld confirmed at %s level by %s; %ld row(s) left open\n", path,
           d.decided[0], d.decided[1], q.level, q.by, d.left_open);
    printf("they hold while the evidence is unchanged; they influence approvals now; run "
           "reports show them from the next run on\n");
    return 0;
}

int cmd_review(const struct args *a, struct xv_ctx *ctx)
{
    const char *decision = arg_value(a, "dismiss") ? "dismissed" : "confirmed";
    const char *by = arg_value(a, "by"), *level = arg_value(a, "level");
    const char *reason = arg_value(a, "reason"), *fp = a->operand[0];
    int rc;
    sqlite3 *db = NULL;
    if (!*by)
        return xv_usage(a->cmd, "--by NAME is required");
    if (arg_value(a, "import"))
        return import_file(a, ctx);
    if (!fp)
        return xv_usage(a->cmd, "expected one FINGERPRINT");
    if (!reason || !*reason)
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
