/* cmd_audit.c: "xverify audit": recomputes the audit trail's hash chain and prints its head,
 * or its entries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/util.h"
#include "cmd.h"

/* One entry a line: number, time, action, subject, detail, the OS account that acted (ID
 * numbers masked). */
static int print_entry(void *ctx, long long seq, const char *at, const char *action,
                       const char *subject, const char *detail, const char *actor)
{
    struct sbuf line = SBUF_INIT, m = SBUF_INIT;
    (void)ctx;
    sbuf_addf(&line, "%lld\t%s\t%s\t%s\t%s\t%s", seq, at, action, subject, detail, actor);
    mask_text(line.s, 0, &m);
    printf("%s\n", m.s);
    sbuf_free(&line);
    sbuf_free(&m);
    return 0;
}

int cmd_audit(const struct args *a, struct xv_ctx *ctx)
{
    struct audit_head head;
    sqlite3 *db;
    long long since = 0;
    int rc;
    const char *since_s = arg_value(a, "since");
    if (since_s) {
        char *end;
        errno = 0;
        since = strtoll(since_s, &end, 10);
        if (!*since_s || *end || errno || since < 0)
            return xv_fail(XV_EUSAGE, "audit: --since '%s' is not an entry number", since_s);
        if (!arg_value(a, "list"))
            return xv_fail(XV_EUSAGE, "audit: --since goes with --list");
    }
    /* the chain is verified first: entries are listed only from a trail that holds */
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = audit_verify(db, &head)) < 0)
        return rc;
    if (arg_value(a, "list"))
        return audit_each(db, since, print_entry, NULL);
    if (head.entries == 0)
        printf("audit trail: empty\n");
    else
        printf("audit trail: %lld entries, chain verified\nhead: entry %lld, %s, %s, hash %s\n",
               head.entries, head.entries, head.what, head.at, head.hash);
    return 0;
}
