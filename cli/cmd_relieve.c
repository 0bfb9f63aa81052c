/* cmd_relieve.c: "xverify relieve APPLICANT": one level's sign-off of an archived household's
 * relief (解困): kept at the 低保 level for a reason it cannot leave hardship. */
#include "../core/util.h"
#include "../procedures/approve.h"
#include "cmd.h"

int cmd_relieve(const struct args *a, struct xv_ctx *ctx)
{
    const char *code = arg_value(a, "reason"), *note = arg_value(a, "note");
    struct sbuf reason = SBUF_INIT;
    if (!code || !*code)
        return xv_usage(a->cmd, "--reason CODE is required");
    /* the code, then the note: "重病难愈: 尿毒症透析" */
    sbuf_adds(&reason, code);
    if (note && *note)
        sbuf_addf(&reason, ": %s", note);
    int rc = xv_signoff(a, ctx, PROC_RELIEF, reason.s);
    sbuf_free(&reason);
    return rc;
}
