/* rpt.c: a run's report files, written as one set (xverify report, match, rerun). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* What goes into a file of the set. */
enum job { J_FINDINGS_CSV, J_GATES_CSV, J_FINDINGS_XML, J_SUMMARY, J_PERF_CSV, J_PERF_HTML,
           J_COUNTY_HTML, J_COUNTY_XLSX, J_NOTICE };

/* Writes file I of ST, whose content is JOB (of COUNTY). */
static int write_job(struct set *st, int i, enum job job, const char *county,
                     const struct data *d, const char *sum)
{
    FILE *f = st->outs[i].f;
    switch (job) {
    case J_FINDINGS_CSV: rpt_findings_csv(f, d); break;
    case J_GATES_CSV: rpt_gates_csv(f, d); break;
    case J_FINDINGS_XML: rpt_findings_xml(f, d); break;
    case J_SUMMARY: fputs(sum, f); break;
    case J_PERF_CSV: rpt_perf_csv(f, d->perf); break;
    case J_PERF_HTML: rpt_perf_html(f, d->perf, d->r); break;
    case J_COUNTY_HTML: rpt_county_html(f, d, county); break;
    case J_NOTICE: rpt_notice_html(f, d, county); break;
    case J_COUNTY_XLSX:
        /* the library writes the workbook at the temporary path itself */
        return rpt_county_xlsx(st->outs[i].tmp, d, county);
    }
    return 0;
}

#define WRITERS 2   /* child processes writing the workbooks */

/* The county workbooks of a set, taken one at a time by whichever process is free. */
struct books {
    const int *file;   /* each workbook's file in the set */
    char **county;     /* each file's county */
    int n;
    int *next;         /* the next workbook no one has taken: shared by the processes */
};

/* Writes the workbooks of B no other process has taken, one at a time; after a failure no
 * process takes another. */
static int take_books(struct set *st, const struct books *b, const struct data *d)
{
    int k;
    while ((k = __atomic_fetch_add(b->next, 1, __ATOMIC_RELAXED)) < b->n) {
        int rc = write_job(st, b->file[k], J_COUNTY_XLSX, b->county[b->file[k]], d, NULL);
        if (rc < 0) {
            __atomic_store_n(b->next, b->n, __ATOMIC_RELAXED);
            return rc;
        }
    }
    return 0;
}

/* Waits for writer CHILD, whose pipe is FD; returns RC, or when RC is 0 the child's code. */
static int writer_done(pid_t child, int fd, int rc)
{
    char msg[32];
    ssize_t got, len = 0;
    while (len < (ssize_t)sizeof msg - 1 &&
           (got = read(fd, msg + len, sizeof msg - 1 - (size_t)len)) > 0)
        len += got;
    msg[len] = '\0';
    close(fd);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && len > 0) {
        rc = atoi(msg);
        if (rc >= 0 || rc < XV_EREBUILD)
            rc = XV_EIO;
    } else if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        rc = xv_fail(XV_EIO, "writing the county workbooks: the writer stopped (status %d)",
                     status);
    }
    return rc;
}

/* Starts up to WRITERS child processes, at most one a workbook, that take the workbooks of B;
 * CHILD[w] is -1 for one not started, FD[w] the pipe its code comes back through. A child
 * shares nothing it writes but B's counter (libxlsxwriter is not documented to be safe in
 * threads); its message is on stderr. */
static void start_writers(struct set *st, const struct books *b, const struct data *d,
                          int writers, pid_t *child, int *fd)
{
    fflush(NULL);   /* nothing buffered is written twice */
    for (int w = 0; w < WRITERS; w++) {
        int p[2];
        child[w] = -1;
        fd[w] = -1;
        if (w >= writers || w >= b->n || pipe(p) != 0)
            continue;
        if ((child[w] = fork()) == 0) {
            close(p[0]);
            int rc = take_books(st, b, d);
            if (rc < 0)
                dprintf(p[1], "%d", rc);
            _exit(rc < 0 ? 1 : 0);
        }
        close(p[1]);
        if (child[w] < 0)
            close(p[0]);
        else
            fd[w] = p[0];
    }
}

/* Writes files JOBS[0..N) of ST (COUNTIES[i]: file i's county; SUM the summary). The county
 * workbooks, which the library compresses and which at city size take three times as long
 * as the other files, are taken one at a time by WRITERS child processes as they start and
 * by this process once it has written the other files: the last workbook ends about when
 * the last process is free. This process reads nothing from the store once the children
 * run: every page of its cache it wrote to would be copied (the pages are shared until
 * written), which cost more than reading before them saved. Without the shared counter
 * (mmap fails) or a child (fork fails), this process writes what no child takes. */
static int write_jobs(struct set *st, const enum job *jobs, char **counties, int n,
                      const struct data *d, const char *sum)
{
    int rc = 0, fds[WRITERS], file[MAX_FILES], local = 0;
    pid_t child[WRITERS];
    struct books b = { file, counties, 0, &local };
    for (int i = 0; i < n; i++)
        if (jobs[i] == J_COUNTY_XLSX)
            file[b.n++] = i;
    void *shared = b.n > 0 ? mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
    if (shared != MAP_FAILED) {
        b.next = shared;
        *b.next = 0;
    }
    start_writers(st, &b, d, shared != MAP_FAILED ? hook_writers(WRITERS) : 0, child, fds);
    for (int i = 0; i < n && rc == 0; i++)
        if (jobs[i] != J_COUNTY_XLSX)
            rc = write_job(st, i, jobs[i], counties[i], d, sum);
    if (rc == 0)
        rc = take_books(st, &b, d);
    else
        __atomic_store_n(b.next, b.n, __ATOMIC_RELAXED);
    for (int w = 0; w < WRITERS; w++)
        if (child[w] > 0)
            rc = writer_done(child[w], fds[w], rc);
    if (shared != MAP_FAILED)
        munmap(shared, sizeof(int));
    return rc;
}

/* Writes every file O asks for of D into WORK (their final folder DIR): each is opened in the
 * set's order, then written. */
static int write_files(struct set *st, const struct data *d, const struct rpt_opts *o,
                       const char *dir, const char *work, const char *sum)
{
    static const struct { enum job job; const char *name; } whole[] = {
        { J_FINDINGS_CSV, "findings.csv" }, { J_GATES_CSV, "gates.csv" },
        { J_FINDINGS_XML, "findings.xml" }, { J_SUMMARY, "summary.txt" },
        { J_PERF_CSV, "performance.csv" }, { J_PERF_HTML, "performance.html" },
    };
    enum job jobs[MAX_FILES];
    char *counties[MAX_FILES];
    FILE *f;
    int rc;
    for (size_t i = 0; !o->county && i < sizeof whole / sizeof whole[0]; i++) {
        if ((whole[i].job == J_PERF_CSV || whole[i].job == J_PERF_HTML) && !d->perf)
            continue;
        jobs[st->n] = whole[i].job;
        counties[st->n] = NULL;
        if ((rc = add_file(st, dir, work, whole[i].name, &f)) < 0)
            return rc;
    }
    for (int i = 0; i < d->ncounties; i++) {
        if (o->county && strcmp(o->county, d->counties[i]))
            continue;
        for (int k = 0; k < 3; k++) {
            static const enum job per[] = { J_COUNTY_HTML, J_COUNTY_XLSX, J_NOTICE };
            static const char *const prefix[] = { "county-", "county-", "notice-" };
            static const char *const suffix[] = { ".html", ".xlsx", ".html" };
            if (k > 0 && o->county)
                break;
            if (k == 2 && !rpt_notice_has(d, d->counties[i]))
                continue;
            if (st->n + 1 >= MAX_FILES)
                return error("too many report files");
            struct sbuf n = SBUF_INIT;
            sbuf_addf(&n, "%s%s%s", prefix[k], d->counties[i], suffix[k]);
            jobs[st->n] = per[k];
            counties[st->n] = d->counties[i];
            rc = add_file(st, dir, work, n.s, &f);
            sbuf_free(&n);
            if (rc < 0)
                return rc;
            if (per[k] == J_COUNTY_XLSX) {   /* the library writes it itself */
                fclose(f);
                st->outs[st->n - 1].f = NULL;
            }
        }
    }
    if ((rc = write_jobs(st, jobs, counties, st->n, d, sum)) < 0)
        return rc;
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
    /* on the stack (32 KiB), not the heap: a workbook writer, a forked copy that ends with
     * _exit, then holds nothing that valgrind would count as lost */
    struct set set;
    struct set *st = &set;
    memset(st, 0, sizeof *st);
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
    if ((rc = rpt_mkdirs(work.s)) < 0 ||
        (rc = write_files(st, &d, o, dir.s, work.s, sum.s)) < 0)
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
    if (!o->county && !swapped)
        rpt_remove_folder(work.s);
    sbuf_free(&work);
    rpt_data_free(&d);
    sbuf_free(&dir);
    sbuf_free(&sum);
    return rc;
}
