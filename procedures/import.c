/* import.c: many review decisions at once from a returned CSV file, accepted whole or refused
 * whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/run.h"
#include "../ingest/reader.h"
#include "../ingest/xlsxin.h"
#include "../ingest/source.h"
#include "../matchers/rules/findings.h"
#include "import.h"
#include "review.h"

/* What a returned file may hold: a county's findings fit many times over. */
#define IMPORT_MAX_BYTES (16LL << 20)
#define IMPORT_MAX_ROWS 100000

/* The columns read, by the names a CSV or the county workbook's sheet gives them; the run is
 * optional (the workbook has it). */
enum { COL_FP, COL_DECISION, COL_REASON, COL_RUN, COL_COUNTY, NCOL };
#define NREQUIRED COL_RUN
#define NALIAS 4
static const char *const col_names[NCOL][NALIAS] = {
    { "fingerprint", "指纹", "发现编号", "Fingerprint" },
    { "decision", "处理意见", "决定", "Decision" },
    { "reason", "理由", "原因", "Reason" },
    { "run_id", "核查批次", "Run", "run" },
    { "county_code", "县区代码", "County code", "county" },
};
/* The sheet a county workbook's decisions are in, as written in Chinese or English. */
static const char *const sheets[] = { "待处理", "Open findings", NULL };

struct row {
    long line;
    char *v[NCOL];
};

struct reading {
    const char *path;
    int pos[NCOL];          /* the source column of each, -1: absent */
    struct row *rows;
    long nrows;
    long long official_run;   /* the latest official run */
};

static int on_column(void *ctx, int pos, const char *name, long line)
{
    struct reading *r = ctx;
    (void)line;
    for (int c = 0; c < NCOL; c++)
        for (int k = 0; k < NALIAS; k++)
            if (!strcmp(name, col_names[c][k]) && r->pos[c] < 0)
                r->pos[c] = pos;
    return 0;
}

static int on_columns_done(void *ctx)
{
    struct reading *r = ctx;
    for (int c = 0; c < NREQUIRED; c++)
        if (r->pos[c] < 0)
            return xv_fail_at(XV_EDATA, r->path, 1, "no column '%s' (or '%s')", col_names[c][0],
                              col_names[c][1]);
    return 0;
}

static int on_record(void *ctx, const struct rec *rec)
{
    struct reading *r = ctx;
    if (r->nrows >= IMPORT_MAX_ROWS)
        return xv_fail_at(XV_EDATA, r->path, rec->line, "more than %d rows", IMPORT_MAX_ROWS);
    if (r->nrows % 64 == 0)
        r->rows = xrealloc(r->rows, (size_t)(r->nrows + 64) * sizeof *r->rows);
    struct row *w = &r->rows[r->nrows++];
    w->line = rec->line;
    for (int c = 0; c < NCOL; c++) {
        const char *v = r->pos[c] >= 0 && r->pos[c] < rec->n ? rec->v[r->pos[c]] : NULL;
        w->v[c] = xstrdup(v ? v : "");
    }
    return 0;
}

/* Opens PATH for reading, refusing a link, anything but a regular file and an oversized one. */
static int open_checked(const char *path, int *fd)
{
    struct stat st;
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (*fd < 0)
        return xv_fail(XV_EDATA, "cannot open '%s': %s", path,
                       errno == ELOOP ? "it is a symbolic link" : strerror(errno));
    if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > IMPORT_MAX_BYTES) {
        int rc = xv_fail(XV_EDATA, "'%s' is not a regular file of at most %lld MiB", path,
                         IMPORT_MAX_BYTES >> 20);
        close(*fd);
        *fd = -1;
        return rc;
    }
    return 0;
}

static int read_rows(const char *path, struct reading *r)
{
    struct src s;
    int fd, rc;
    if ((rc = open_checked(path, &fd)) < 0)
        return rc;
    struct reader_cb cb = { on_column, on_columns_done, NULL, on_record, r, NULL, NULL, NULL };
    /* a county workbook (a zip) or a CSV */
    if (xlsxin_is_zip(fd))
        return xlsxin_read(fd, path, sheets, &cb);
    enum src_enc enc = src_guess(path);
    if ((rc = src_open_fd(&s, fd, path, enc == ENC_AUTO ? ENC_UTF8 : enc)) < 0)
        return rc;
    rc = csvin_read(&s, path, &cb);
    src_close(&s);
    return rc;
}

/* "dismissed" or "confirmed" for a decision as a reviewer writes it; NULL when it is none. */
static const char *decision_of(const char *s)
{
    static const char *const dismiss[] = { "dismiss", "dismissed", "排除" };
    static const char *const confirm[] = { "confirm", "confirmed", "确认" };
    for (int i = 0; i < 3; i++) {
        if (!strcmp(s, dismiss[i]))
            return "dismissed";
        if (!strcmp(s, confirm[i]))
            return "confirmed";
    }
    return NULL;
}

static int is_fingerprint(const char *s)
{
    size_t n = strlen(s);
    return n == 16 && strspn(s, "0123456789abcdef") == 16;
}

static int copy_county(void *ctx, const struct finding_row *f)
{
    snprintf(ctx, 16, "%s", f->county);
    return 1;
}

/* A county workbook is one county's: row I's county (when the file has the column) is its
 * finding's and that of the file's first row naming one. */
static int check_county(sqlite3 *db, const struct reading *r, long i)
{
    const struct row *w = &r->rows[i];
    const char *mine = w->v[COL_COUNTY];
    char of[16] = "";
    if (r->pos[COL_COUNTY] < 0)
        return 0;
    int rc = findings_latest(db, w->v[COL_FP], copy_county, of);
    if (rc < 0)
        return rc;
    if (rc && strcmp(of, mine))
        return xv_fail(XV_EDATA, "the row names county '%s', and its finding is of county '%s'",
                       mine, of);
    for (long j = 0; j < i; j++) {
        const struct row *first = &r->rows[j];
        if (!first->v[COL_COUNTY][0])
            continue;
        if (strcmp(first->v[COL_COUNTY], mine))
            return xv_fail(XV_EDATA, "the row is of county '%s', and line %ld of county '%s': "
                           "a workbook is one county's", mine, first->line,
                           first->v[COL_COUNTY]);
        break;
    }
    return 0;
}

/* Checks and records row I of R as if typed alone; a refusal names the row. */
static int import_row(sqlite3 *db, const struct import_req *q, const struct reading *r, long i,
                      struct import_done *out)
{
    const struct row *w = &r->rows[i];
    const char *decision = decision_of(w->v[COL_DECISION]);
    if (!decision)
        return xv_fail(XV_EDATA, "the decision must be dismiss, confirm, 排除 or 确认");
    if (!is_fingerprint(w->v[COL_FP]))
        return xv_fail(XV_EDATA, "the fingerprint is not 16 hexadecimal digits");
    if (!w->v[COL_REASON][0])
        return xv_fail(XV_EDATA, "no reason given");
    int rc;
    if ((rc = check_county(db, r, i)) < 0)
        return rc;
    /* a workbook names its run: decisions are taken on the latest official run's findings */
    if (r->pos[COL_RUN] >= 0 && w->v[COL_RUN][0] && atoll(w->v[COL_RUN]) != r->official_run)
        return xv_fail(XV_EDATA, "the row is of run %s, and the latest official run is %lld: "
                       "decide on that run's workbook", w->v[COL_RUN], r->official_run);
    for (long j = 0; j < i; j++)
        if (!strcmp(r->rows[j].v[COL_FP], w->v[COL_FP]) && r->rows[j].v[COL_DECISION][0])
            return xv_fail(XV_EDATA, "the finding '%s' is decided on line %ld already",
                           w->v[COL_FP], r->rows[j].line);
    struct review_req rq = { w->v[COL_FP], decision, q->by, q->level, w->v[COL_REASON] };
    struct review_done d;
    rc = review_record(db, &rq, &d);
    if (rc < 0)
        return rc;
    out->decided[!strcmp(decision, "confirmed")]++;
    review_done_free(&d);
    return 0;
}

/* A refusal of one row (the file is refused whole), or a failure that stops the import. */
static int row_refused(int rc)
{
    return rc == XV_EDATA || rc == XV_EUSAGE || rc == XV_ENEEDS;
}

int review_import(sqlite3 *db, const struct import_req *q, struct import_done *out)
{
    struct reading r = { q->path, { -1, -1, -1, -1, -1 }, NULL, 0, 0 };
    int rc, in_tx = 0;
    long bad = 0;
    memset(out, 0, sizeof *out);
    if ((rc = read_rows(q->path, &r)) < 0 || (rc = run_latest_official(db, &r.official_run)) < 0)
        goto done;
    if ((rc = store_begin(db)) < 0)
        goto done;
    in_tx = 1;
    for (long i = 0; i < r.nrows; i++) {
        const struct row *w = &r.rows[i];
        if (!w->v[COL_DECISION][0] && !w->v[COL_REASON][0]) {
            out->left_open++;   /* a row nobody filled in */
            continue;
        }
        xv_error_where(q->path, w->line);
        rc = import_row(db, q, &r, i, out);
        xv_error_where(NULL, 0);
        if (rc < 0 && !row_refused(rc))
            goto done;
        bad += rc < 0;
    }
    if (bad) {
        rc = xv_fail(XV_EDATA, "'%s' refused: %ld row(s) above cannot be taken; no decision "
                     "of the file is recorded", q->path, bad);
        goto done;
    }
    if ((rc = store_commit(db)) == 0)
        in_tx = 0;
done:
    xv_error_where(NULL, 0);
    if (in_tx)
        store_rollback(db);
    for (long i = 0; i < r.nrows; i++)
        for (int c = 0; c < NCOL; c++)
            free(r.rows[i].v[c]);
    free(r.rows);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}
