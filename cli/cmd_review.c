/* cmd_review.c: "xverify review FINGERPRINT": a reviewer dismisses or confirms one finding
 * (procedures/review.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../procedures/review.h"

int cmd_review(int argc, char **argv, struct xv_ctx *ctx)
{
    static const struct option opts[] = {
        { "dismiss", no_argument, NULL, 'D' },
        { "confirm", no_argument, NULL, 'C' },
        { "by", required_argument, NULL, 'b' },
        { "level", required_argument, NULL, 'l' },
        { "reason", required_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 },
    };
    const char *decision = NULL, *by = NULL, *level = NULL, *reason = NULL;
    int c, rc;
    sqlite3 *db = NULL;
    while ((c = xv_getopt(ctx, "review", argc, argv, opts)) != -1) {
        switch (c) {
        case 'D':
        case 'C':
            if (decision)
                return xv_usage("review", "give one of --dismiss and --confirm");
            decision = c == 'D' ? "dismissed" : "confirmed";
            break;
        case 'b': by = optarg; break;
        case 'l': level = optarg; break;
        case 'r': reason = optarg; break;
        case XV_OPT_HELP:
            return 0;
        default:
            return XV_EUSAGE;
        }
    }
    if (argc - optind != 1)
        return xv_usage("review", "expected one FINGERPRINT");
    const char *fp = argv[optind];
    if (!decision)
        return xv_usage("review", "give --dismiss or --confirm");
    if (!by || !*by)
        return xv_usage("review", "--by NAME is required");
    if (!reason || !*reason)
        return xv_usage("review", "--reason TEXT is required");
    if (!level || (strcmp(level, "county") && strcmp(level, "city")))
        return xv_usage("review", "--level must be county or city");
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    struct review_req q = { fp, decision, by, level, reason };
    struct review_done d;
    if ((rc = review_decide(db, &q, &d)) < 0)
        return rc;
    printf("%s: %s %s of %s (%s, run %lld) at %s level by %s\n", fp, decision, d.rule, d.app,
           d.sev, d.run_id, level, by);
    printf("it holds while the evidence is unchanged; it influences approvals now; run reports "
           "show it from the next run on\n");
    review_done_free(&d);
    return 0;
}
