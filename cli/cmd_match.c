/* cmd_match.c: "xverify match": one run: every application in scope linked, checked and reported. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/util.h"
#include "../ingest/norm.h"
#include "drive.h"

int cmd_match(int argc, char **argv, struct xv_ctx *ctx)
{
    static const struct option opts[] = {
        { "as-of", required_argument, NULL, 'a' },
        { "applicant", required_argument, NULL, 'p' },
        { "policy", required_argument, NULL, 'P' },
        { "out", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    const char *as_of = NULL, *policy_path = NULL, *out = NULL;
    char **only = NULL, date[11];
    int nonly = 0, c, rc;
    sqlite3 *db;
    while ((c = xv_getopt(ctx, "match", argc, argv, opts)) != -1) {
        switch (c) {
        case 'a': as_of = optarg; break;
        case 'p':
            only = xrealloc(only, (size_t)(nonly + 1) * sizeof *only);
            only[nonly++] = optarg;
            break;
        case 'P': policy_path = optarg; break;
        case 'o': out = optarg; break;
        case XV_OPT_HELP:
            free(only);
            return 0;
        default:
            free(only);
            return XV_EUSAGE;
        }
    }
    if (optind != argc) {
        rc = xv_usage("match", "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if (as_of && (norm_date(as_of, date) < 0 || strcmp(date, as_of))) {
        rc = xv_usage("match", "--as-of '%s' is not a date YYYY-MM-DD", as_of);
        goto done;
    }
    if ((rc = xv_db(ctx, &db)) < 0)
        goto done;
    struct match_opts mo = { as_of, only, nonly, policy_path };
    long long id;
    rc = drive_run(db, &mo, out, &id);
done:
    free(only);
    return rc;
}
