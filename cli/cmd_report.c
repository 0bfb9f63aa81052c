/* cmd_report.c: "xverify report [RUN]": (re)writes a run's report files from what it stored. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/run.h"
#include "../core/util.h"
#include "../reports/rpt.h"

int cmd_report(int argc, char **argv, struct xv_ctx *ctx)
{
    static const struct option opts[] = {
        { "out", required_argument, NULL, 'o' },
        { "county", required_argument, NULL, 'c' },
        { "unmasked", no_argument, NULL, 'u' },
        { NULL, 0, NULL, 0 },
    };
    struct rpt_opts ro = { RPT_DEFAULT_OUT, NULL, 0, 0 };
    long long run_id = 0;
    int c, rc;
    struct run r = { 0 };
    struct sbuf summary = SBUF_INIT;
    sqlite3 *db;
    while ((c = xv_getopt(ctx, "report", argc, argv, opts)) != -1) {
        switch (c) {
        case 'o': ro.out = optarg; break;
        case 'c': ro.county = optarg; break;
        case 'u': ro.unmasked = 1; break;
        case XV_OPT_HELP:
            return 0;
        default:
            return XV_EUSAGE;
        }
    }
    if (argc - optind > 1)
        return xv_usage("report", "unexpected argument '%s'", argv[optind + 1]);
    if (argc - optind == 1 && (rc = xv_parse_run("report", argv[optind], &run_id)) < 0)
        return rc;
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = run_open(db, run_id, &r)) < 0)
        goto done;
    rc = rpt_write(db, &r, &ro, &summary);
    if (rc == 0 || rc == XV_ENEEDS) {
        if (!ro.county)
            fputs(sbuf_str(&summary), stdout);
        printf("reports: %s/%lld%s/\n", ro.out, r.id, ro.unmasked ? "-unmasked" : "");
    }
done:
    run_free(&r);
    sbuf_free(&summary);
    return rc;
}
