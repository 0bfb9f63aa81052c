/* cmd_diff.c: "xverify diff RUN_A RUN_B": the findings and gates that changed from one run to
 * another. */
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "../core/err.h"
#include "../core/mask.h"
#include "../core/run.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../matchers/rules/findings.h"

/* Prints one change as "MARK field field ...", IDs masked. */
static int print_change(void *ctx, const char *const *field, int nfield)
{
    struct sbuf line = SBUF_INIT;
    sbuf_adds(&line, (const char *)ctx);
    /* each field masked alone: a fingerprint is never masked, an ID in any other field is */
    for (int i = 0; i < nfield; i++) {
        sbuf_addc(&line, ' ');
        mask_field(field[i], 0, &line);
    }
    xv_println(line.s, 0);
    sbuf_free(&line);
    return 0;
}

int cmd_diff(const struct args *args, struct xv_ctx *ctx)
{
    long long a, b;
    int rc;
    struct run ra = { 0 }, rb = { 0 };
    sqlite3 *db;
    if ((rc = xv_parse_run(args->cmd, args->operand[0], &a)) < 0 ||
        (rc = xv_parse_run(args->cmd, args->operand[1], &b)) < 0)
        return rc;
    if ((rc = xv_db(ctx, &db)) < 0)
        return rc;
    if ((rc = run_open(db, a, &ra)) < 0 || (rc = run_open(db, b, &rb)) < 0)
        goto done;
    printf("diff run %lld (as of %s) -> run %lld (as of %s)\n", a, ra.as_of, b, rb.as_of);
    long n[4];
    if ((n[0] = findings_diff(db, a, b, FCHANGE_GONE, print_change, (void *)"- finding")) < 0 ||
        (n[1] = findings_diff(db, b, a, FCHANGE_GONE, print_change, (void *)"+ finding")) < 0 ||
        (n[2] = findings_diff(db, a, b, FCHANGE_CHANGED, print_change, (void *)"~ finding")) < 0 ||
        (n[3] = findings_diff(db, a, b, FCHANGE_GATE, print_change, (void *)"~ gate")) < 0) {
        rc = (int)(n[0] < 0 ? n[0] : n[1] < 0 ? n[1] : n[2] < 0 ? n[2] : n[3]);
        goto done;
    }
    printf("%ld findings gone, %ld new, %ld changed; %ld gates changed\n", n[0], n[1], n[2],
           n[3]);
done:
    run_free(&ra);
    run_free(&rb);
    return rc;
}
