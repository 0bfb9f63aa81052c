/* cmd_audit.c: "xverify audit": recomputes the audit trail's hash chain and prints its head. */
#include <stdio.h>
#include "../core/audit.h"
#include "cmd.h"

int cmd_audit(const struct args *a, struct xv_ctx *ctx)
{
    struct audit_head head;
    sqlite3 *db;
    int rc;
    (void)a;
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = audit_verify(db, &head)) < 0)
        return rc;
    if (head.entries == 0)
        printf("audit trail: empty\n");
    else
        printf("audit trail: %lld entries, chain verified\nhead: entry %lld, %s, %s, hash %s\n",
               head.entries, head.entries, head.what, head.at, head.hash);
    return 0;
}
