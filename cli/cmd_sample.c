/* cmd_sample.c: "xverify sample": draws a reproducible spot-check sample, records it and
 * writes its list (sample-ID.csv and a printable page). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/msg.h"
#include "../core/store.h"
#include "../procedures/sample.h"
#include "../reports/rpt.h"
#include "cmd.h"

int cmd_sample(const struct args *a, struct xv_ctx *ctx)
{
    const char *county = arg_value(a, "county"), *status = arg_value(a, "status"),
               *count_s = arg_value(a, "count"), *seed = arg_value(a, "seed"),
               *by = arg_value(a, "by"), *out = arg_value(a, "out");
    struct spot_sample s;
    struct sample_row *rows = NULL;
    struct rpt_sample_row *list = NULL;
    struct rpt_pending pend = { { NULL, NULL }, { NULL, NULL } };
    long n = 0;
    sqlite3 *db;
    char *end;
    int rc;
    memset(&s, 0, sizeof s);
    errno = 0;
    long long count = strtoll(count_s, &end, 10);
    if (!*count_s || *end || errno || count <= 0 || count > 100000)
        return xv_usage(a->cmd, "--count must be a whole number from 1 to 100000");
    if (!*by || !*seed || !*county)
        return xv_usage(a->cmd, "--county, --seed and --by need a value");
    snprintf(s.county, sizeof s.county, "%s", county);
    snprintf(s.status, sizeof s.status, "%s", status);
    s.requested = count;
    s.seed = (char *)seed;
    s.by = (char *)by;
    if ((rc = xv_db(ctx, &db)) < 0 || (rc = store_begin(db)) < 0)
        return rc;
    if ((rc = sample_draw(db, &s, &rows, &n)) < 0)
        goto fail;
    list = xmalloc((size_t)n * sizeof *list);
    for (long i = 0; i < n; i++)
        list[i] = (struct rpt_sample_row){ rows[i].app, rows[i].name, rows[i].id_no };
    /* the files wait beside their names until the sample is recorded */
    msg_set_lang(msg_lang_parse(arg_value(a, "lang")));
    if ((rc = rpt_sample_write(out ? out : RPT_DEFAULT_OUT, &s, list, n, &pend)) < 0 ||
        (rc = store_commit(db)) < 0)
        goto fail;
    if ((rc = rpt_sample_place(&pend)) < 0)
        xv_printf("sample %lld is recorded, but its list could not be put in place\n", s.id);
    else {
        xv_printf("sample %lld: %ld of county %s's households with status %s (%lld asked), "
                  "seed %s\n", s.id, n, s.county, s.status, s.requested, s.seed);
        xv_println(pend.path[0], 0);
        xv_println(pend.path[1], 0);
    }
    goto done;
fail:
    store_rollback(db);
done:
    rpt_sample_drop(&pend);
    sample_rows_free(rows, n);
    free(list);
    return rc;
}
