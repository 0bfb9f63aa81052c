/* cmd_approve.c: "xverify approve APPLICANT": one level's approval (procedures/approve.c). */
#include <getopt.h>
#include <stdio.h>
#include "../core/err.h"
#include "../procedures/approve.h"
#include "cmd.h"

int cmd_approve(int argc, char **argv, struct xv_ctx *ctx)
{
    static const struct option opts[] = {
        { "level", required_argument, NULL, 'l' },
        { "by", required_argument, NULL, 'b' },
        { NULL, 0, NULL, 0 },
    };
    const char *by = NULL;
    int c, rc, level = -1;
    sqlite3 *db = NULL;
    struct approval a;
    while ((c = xv_getopt(ctx, "approve", argc, argv, opts)) != -1) {
        switch (c) {
        case 'l': level = level_parse(optarg); break;
        case 'b': by = optarg; break;
        case XV_OPT_HELP: return 0;
        default: return XV_EUSAGE;
        }
    }
    if (argc - optind != 1)
        return xv_usage("approve", "expected one APPLICANT");
    const char *app = argv[optind];
    if (level < 0)
        return xv_usage("approve", "--level must be grassroots, county or city");
    if (!by || !*by)
        return xv_usage("approve", "--by NAME is required");
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = approve(db, app, level, by, &a)) < 0)
        return rc;
    printf("%s: approved at %s level by %s (gate CLEAR in run %lld)\n", app, level_name(level),
           by, a.run_id);
    if (level == LEVEL_CITY)
        printf("%s: public notice from %s; archived from %s\n", app, a.notice_from,
               a.archived_from);
    else
        printf("%s: next: %s approval\n", app, level_name(level + 1));
    return 0;
}
