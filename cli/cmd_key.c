/* cmd_key.c: "xverify key": creates the audit key kept outside the database, or names it. */
#include <stdio.h>
#include <string.h>
#include "../core/err.h"
#include "../core/seal.h"
#include "cmd.h"

int cmd_key(const struct args *a, struct xv_ctx *ctx)
{
    char path[4096], id[17];
    int rc;
    (void)ctx;
    if ((rc = seal_key_path(path, sizeof path)) < 0)
        return rc;
    if (!strcmp(a->operand[0], "init")) {
        if ((rc = seal_key_init(path)) < 0 || (rc = seal_key_id(id)) < 0)
            return rc;
        printf("audit key %s created: %s\n", id, path);
        printf("keep it readable by the officers' account only, and a copy where the database "
               "is not: without it no trail sealed with it can be verified\n");
        return 0;
    }
    if (!strcmp(a->operand[0], "show")) {
        if ((rc = seal_key_id(id)) < 0)
            return rc;
        printf("audit key %s: %s\n", id, path);
        return 0;
    }
    return xv_fail(XV_EUSAGE, "key: expected init or show, not '%s'", a->operand[0]);
}
