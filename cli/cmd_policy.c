/* cmd_policy.c: "xverify policy install FILE --by NAME" and "xverify policy show": the
 * official policy that every official run uses. */
#include <stdio.h>
#include <string.h>
#include "../core/err.h"
#include "../core/official.h"
#include "../core/store.h"
#include "../procedures/approve.h"
#include "../procedures/reviewers.h"
#include "cmd.h"

static int show(sqlite3 *db)
{
    struct policy p = { 0 };
    long long installed;
    int rc = official_policy(db, &p, &installed);
    if (rc < 0)
        return rc;
    if (installed)
        printf("# the official policy: installation %lld, sha256 %s\n", installed, p.sha256);
    else
        printf("# the official policy: the built-in defaults (none installed), sha256 %s\n",
               p.sha256);
    fputs(p.text, stdout);
    policy_free(&p);
    return 0;
}

static int install(sqlite3 *db, const char *file, const char *by)
{
    char old[65], new[65];
    struct reviewer_act act = { by, LEVEL_CITY, NULL, "policy install" };
    int rc = store_begin(db);
    if (rc < 0)
        return rc;
    if ((rc = reviewer_check(db, &act)) < 0 ||
        (rc = official_install(db, file, by, old, new)) < 0 ||
        (rc = store_commit(db)) < 0) {
        store_rollback(db);
        return rc;
    }
    printf("official policy %.12s installed by %s (was %.12s)%s\n", new, by, old,
           strcmp(old, new) ? "" : "; unchanged");
    return 0;
}

int cmd_policy(const struct args *a, struct xv_ctx *ctx)
{
    const char *what = a->operand[0], *by = arg_value(a, "by");
    sqlite3 *db;
    int rc;
    if (!strcmp(what, "show")) {
        if (a->noperand != 1 || by)
            return xv_usage(a->cmd, "policy show takes nothing more");
        return (rc = xv_db(ctx, &db)) < 0 ? rc : show(db);
    }
    if (strcmp(what, "install"))
        return xv_usage(a->cmd, "'%s' is not install or show", what);
    if (a->noperand != 2)
        return xv_usage(a->cmd, "policy install needs the policy FILE");
    if (!by || !*by)
        return xv_usage(a->cmd, "policy install needs --by NAME");
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    return install(db, a->operand[1], by);
}
