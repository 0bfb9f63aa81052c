/* cmd_load.c: "xverify load KIND FILE": one feed file into the store, with its summary. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../ingest/loader.h"

int cmd_load(int argc, char **argv, struct xv_ctx *ctx)
{
    static const struct option opts[] = {
        { "as-of", required_argument, NULL, 'a' },
        { "map", required_argument, NULL, 'm' },
        { "encoding", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    struct ldr_opts o = { 0 };
    struct ldr_result r;
    sqlite3 *db;
    int c, rc;
    o.quarantine_limit = 0.10;
    o.progress = 1;
    while ((c = xv_getopt(ctx, "load", argc, argv, opts)) != -1) {
        switch (c) {
        case 'a': o.as_of = optarg; break;
        case 'm': o.map = optarg; break;
        case 'e': o.encoding = optarg; break;
        case XV_OPT_HELP:
            return 0;
        default:
            return XV_EUSAGE;
        }
    }
    if (argc - optind != 2)
        return xv_usage("load", "expected KIND and FILE");
    o.kind = argv[optind];
    o.file = argv[optind + 1];
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    rc = ldr_run(db, &o, &r);
    if (rc == 0 || rc == XV_ENEEDS)
        ldr_print(stdout, &r);
    ldr_result_free(&r);
    return rc;
}
