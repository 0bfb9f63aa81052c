/* drive.c: a run from the feeds to the report files: the matching stage, then the reports. */
#include <stdio.h>
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/util.h"
#include "../reports/rpt.h"
#include "drive.h"

static void print_run(const struct run *r, const struct match_result *m)
{
    printf("run %lld: as of %s, %ld applications, %ld persons, policy %.12s\n", r->id, r->as_of,
           m->link.applications, m->link.persons, r->pol.sha256);
    printf("  links:");
    for (int i = 0, n = 0; i < xv_nkinds; i++)
        if (kind_is_feed(&xv_kinds[i]))
            printf("%s %s %ld", n++ ? "," : "", xv_kinds[i].name, m->link.links[i]);
    printf("; possible matches %ld", m->possible);
    if (m->link.ruled_out)
        printf(" (%ld more ruled out: someone else's household record, beside the person's "
               "own)", m->link.ruled_out);
    printf("\n");
    fprintf(stderr, "xverify: match run %lld: %ld persons against %ld records (%ld read) in "
            "%.2f s\n", r->id, m->link.persons, m->link.records, m->link.read, m->seconds);
}

int drive_run(sqlite3 *db, const struct match_opts *mo, const char *out, long long *run_id)
{
    struct run r;
    struct match_result m;
    struct sbuf summary = SBUF_INIT;
    struct rpt_opts ro = { out ? out : RPT_DEFAULT_OUT, NULL, 0, 0 };
    *run_id = 0;
    int rc = match_run(db, mo, &r, &m);
    if (rc < 0)
        return rc;
    *run_id = r.id;
    print_run(&r, &m);
    /* the run is committed; its reports follow (xverify report writes them again) */
    double t0 = now_seconds();
    if ((rc = rpt_write(db, &r, &ro, &summary)) < 0) {
        fprintf(stderr, "xverify: run %lld is stored; 'xverify report %lld' writes its reports "
                        "again\n", r.id, r.id);
        goto done;
    }
    fputs(summary.s, stdout);
    printf("reports: %s/%lld/ (written in %.2f s)\n", ro.out, r.id, now_seconds() - t0);
done:
    run_free(&r);
    sbuf_free(&summary);
    return rc;
}
