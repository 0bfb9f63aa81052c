/* rpt.c: a run's report files, written as one set (xverify report, match, rerun). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/hooks.h"
#include "../core/policy.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/catalogue.h"
#include "rpt_int.h"

#define MAX_FILES 1024

/* The files being written: their names and open handles. */
struct set {
    struct out outs[MAX_FILES];
    char *names[MAX_FILES];
    int n;
};

static int add_file(struct set *st, const char *dir, const char *work, const char *name,
                    FILE **f)
{
    st->names[st->n] = xstrdup(name);
    int rc = rpt_open_out(dir, work, name, &st->outs[st->n++]);
    *f = st->outs[st->n - 1].f;
    return rc;
}

/* Writes every file O asks for of D into WORK (their final folder DIR). */
static int write_files(struct set *st, const struct data *d, const struct rpt_opts *o,
                       const char *dir, const char *work, const char *sum)
{
    FILE *f;
    int rc;
    if (!o->county) {
        if ((rc = add_file(st, dir, work, "findings.csv", &f)) < 0)
            return rc;
        rpt_findings_csv(f, d);
        if ((rc = add_file(st, dir, work, "gates.csv", &f)) < 0)
            return rc;
        rpt_gates_csv(f, d);
        if ((rc = add_file(st, dir, work, "findings.xml", &f)) < 0)
            return rc;
        rpt_findings_xml(f, d);
        if ((rc = add_file(st, dir, work, "summary.txt", &f)) < 0)
            return rc;
        fputs(sum, f);
        if (d->perf) {
            if ((rc = add_file(st, dir, work, "performance.csv", &f)) < 0)
                return rc;
            rpt_perf_csv(f, d->perf);
            if ((rc = add_file(st, dir, work, "performance.html", &f)) < 0)
                return rc;
            rpt_perf_html(f, d->perf, d->r);
        }
    }
    for (int i = 0; i < d->ncounties; i++) {
        if (o->county && strcmp(o->county, d->counties[i]))
            continue;
        struct sbuf n = SBUF_INIT;
        sbuf_addf(&n, "county-%s.html", d->counties[i]);
        rc = add_file(st, dir, work, n.s, &f);
        sbuf_free(&n);
        if (rc < 0)
            return rc;
        rpt_county_html(f, d, d->counties[i]);
        if (o->county)
            continue;
        /* the county workbook: the library writes it at its temporary path */
        n = (struct sbuf)SBUF_INIT;
        sbuf_addf(&n, "county-%s.xlsx", d->counties[i]);
        rc = add_file(st, dir, work, n.s, &f);
        sbuf_free(&n);
        if (rc < 0)
            return rc;
        fclose(f);
        st->outs[st->n - 1].f = NULL;
        if ((rc = rpt_county_xlsx(st->outs[st->n - 1].tmp, d, d->counties[i])) < 0)
            return rc;
        if (rpt_notice_has(d, d->counties[i])) {
            struct sbuf nn = SBUF_INIT;
            sbuf_addf(&nn, "notice-%s.html", d->counties[i]);
            rc = add_file(st, dir, work, nn.s, &f);
            sbuf_free(&nn);
            if (rc < 0)
                return rc;
            rpt_notice_html(f, d, d->counties[i]);
        }
    }
    for (int i = 0; i < st->n; i++)
        if ((rc = rpt_close_out(&st->outs[i])) < 0)
            return rc;
    return 0;
}

/* Every file is complete: they replace the earlier ones, all at once (a whole set: the folder
 * WORK swaps places with DIR; *SWAPPED says it did). */
static int put_in_place(struct set *st, const struct rpt_opts *o, const char *dir,
                        const char *work, int *swapped)
{
    if (o->county) {
        if (rename(st->outs[0].tmp, st->outs[0].path) != 0)
            return xv_fail(XV_EIO, "cannot write '%s': %s", st->outs[0].path, strerror(errno));
        return 0;
    }
    struct stat sb;
    int have = stat(dir, &sb) == 0;
    if (have ? renameat2(AT_FDCWD, work, AT_FDCWD, dir, RENAME_EXCHANGE) != 0
             : rename(work, dir) != 0)
        return xv_fail(XV_EIO, "cannot write '%s': %s", dir, strerror(errno));
    *swapped = 1;
    rpt_remove_folder(work);   /* the earlier set, now under the work name */
    return 0;
}

/* O->county, when given, must be a county of D. */
static int check_county(const struct data *d, const struct rpt_opts *o)
{
    for (int i = 0; o->county && i < d->ncounties; i++)
        if (!strcmp(d->counties[i], o->county))
            return 0;
    if (o->county)
        return xv_fail(XV_EUSAGE, "no application of county '%s' in run %lld", o->county,
                       d->r->id);
    if (3 * d->ncounties + 6 > MAX_FILES)
        return error("run %lld has %d counties, more than one report folder holds", d->r->id,
                     d->ncounties);
    return 0;
}

int rpt_write(sqlite3 *db, const struct run *r, const struct rpt_opts *o, struct sbuf *summary)
{
    struct data d;
    struct set *st = xcalloc(1, sizeof *st);
    struct sbuf dir = SBUF_INIT, sum = SBUF_INIT, work = SBUF_INIT;
    int rc, swapped = 0;
    memset(&d, 0, sizeof d);
    d.r = r;
    d.unmasked = o->unmasked;
    msg_set_lang(r->lang);
    /* unmasked files never replace the masked ones that county reviewers are given */
    const char *parent = o->out && *o->out ? o->out : RPT_DEFAULT_OUT;
    const char *suffix = o->unmasked ? "-unmasked" : o->rerun ? "-rerun" : "";
    sbuf_addf(&dir, "%s/%lld%s", parent, r->id, suffix);
    /* a whole set is written into a fresh folder that then replaces the run's folder in one
     * step; a county page alone is renamed into the run's folder */
    if (o->county)
        sbuf_adds(&work, dir.s);
    else
        sbuf_addf(&work, "%s/.%lld%s.new", parent, r->id, suffix);
    if ((rc = rpt_read_data(db, &d)) < 0 || (rc = check_county(&d, o)) < 0 ||
        (r->official && !o->county && (rc = rpt_perf_read(db, &d, &d.perf)) < 0) ||
        (r->official && !o->county && (rc = rpt_notices_read(db, &d)) < 0) ||
        (rc = rpt_summary_text(db, &d, &sum)) < 0)
        goto done;
    if (!o->county)
        rpt_remove_folder(work.s);   /* left by a run that was killed while writing */
    if ((rc = rpt_mkdirs(work.s)) < 0 || (rc = write_files(st, &d, o, dir.s, work.s, sum.s)) < 0)
        goto done;
    hook_crash_point("reports-written");
    if ((rc = put_in_place(st, o, dir.s, work.s, &swapped)) < 0)
        goto done;
    if (summary)
        sbuf_adds(summary, sum.s);
    if (!o->county && !o->unmasked) {
        char *paths[MAX_FILES];
        for (int i = 0; i < st->n; i++)
            paths[i] = st->outs[i].path;
        rc = o->rerun ? rpt_compare_hashes(db, r, st->names, paths, st->n)
                      : rpt_record_hashes(db, r, st->names, paths, st->n);
    }
done:
    /* a file renamed or swapped into place is no longer at its temporary path */
    for (int i = 0; i < st->n; i++) {
        rpt_drop_out(&st->outs[i]);
        free(st->names[i]);
    }
    free(st);
    if (!o->county && !swapped)
        rpt_remove_folder(work.s);
    sbuf_free(&work);
    rpt_data_free(&d);
    sbuf_free(&dir);
    sbuf_free(&sum);
    return rc;
}
