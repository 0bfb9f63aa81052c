/* loader.c: one load from start to end: options, encoding scan, the passes over the file,
 * commit; and the summary it prints. */

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/store.h"
#include "../core/hooks.h"
#include "../core/utf8.h"
#include "../core/util.h"
#include "ldr_int.h"

void ldr_note(struct ldr_result *r, const char *fmt, ...)
{
    if (r->nnotes >= MAX_NOTES) {
        r->more_notes++;
        return;
    }
    struct sbuf b = SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sbuf_adds(&b, tmp);
    r->notes = xrealloc(r->notes, (size_t)(r->nnotes + 1) * sizeof *r->notes);
    r->notes[r->nnotes++] = b.s ? b.s : xstrdup("");
}

void ldr_progress(struct ldr *l, int final)
{
    if (!l->o->progress)
        return;
    double t = now_seconds() - l->t0;
    long n = l->r->rows_read;
    double rate = t > 0 ? (double)n / t : 0;
    if (isatty(2) && !final)
        fprintf(stderr, "\rloading %s: %ld rows, %.0f rows/s   ", l->k->name, n, rate);
    else if (final) {
        struct rusage ru;
        long peak = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024 : -1;
        char paired[96] = "";
        if (l->deferred && l->vd)
            snprintf(paired, sizeof paired, "; %llu paired with open versions in step, %ld by "
                     "line", vd_paired(l->vd), l->by_line);
        fprintf(stderr, "%sxverify: load %lld %s: %ld rows in %.2f s (%.0f rows/s, peak %ld "
                "MB%s)\n", isatty(2) && n >= 65536 ? "\n" : "", l->r->load_id, l->k->name, n, t,
                rate, peak, paired);
    }
}

/* Reads the file once through (opening SRC; *OPEN_OK says it is open), checking that it
 * is still the file that was scanned. */
static int read_source(struct ldr *l, struct src *src, int *open_ok)
{
    int rc;
    if ((rc = src_open(src, l->o->file, l->info.enc)) < 0)
        return rc;
    *open_ok = 1;
    struct reader_cb cb = { ldr_on_column, ldr_on_columns_done, ldr_on_as_of, ldr_on_record, l,
                            l->pass == 2 ? ldr_wanted : NULL, ldr_on_line, ldr_on_before };
    if (!strcmp(l->r->format, "xml")) {
        struct xml_layout lay = { l->have_map ? l->map.record : NULL,
                                  l->have_map ? l->map.as_of : NULL };
        rc = xmlin_read(src, l->o->file, &lay, &cb);
    } else {
        rc = csvin_read(src, l->o->file, &cb);
    }
    if (rc < 0 || (rc = src_finish(src)) < 0)
        return rc;
    l->src = src;
    l->read_done = 1;
    return l->job ? 0 : src_same(src, &l->info);
}

static const char *format_of(const struct ldr *l)
{
    if (l->have_map && l->map.format)
        return l->map.format;
    const char *dot = strrchr(l->o->file, '.');
    if (dot && !strcasecmp(dot, ".xml"))
        return "xml";
    return "csv";
}

/* Resolves the kind, mapping file, as-of date and encoding O names into L and R; *ENC gets
 * the encoding to read with (ENC_AUTO: detect it). */
static int resolve_options(struct ldr *l, const struct ldr_opts *o, struct ldr_result *r,
                           int *enc)
{
    int rc;
    if (o->kind && !(l->k = kind_find(o->kind)))
        return xv_fail(XV_EUSAGE, "unknown kind '%s'", o->kind);
    if (o->map) {
        if ((rc = map_load(o->map, l->k, &l->map)) < 0)
            return rc;
        l->have_map = 1;
        l->k = l->map.kind;
        memcpy(&l->seed, l->map.sha256, sizeof l->seed);
    }
    if (!l->k)
        return xv_fail(XV_EUSAGE, "no kind given");
    if (o->as_of && (norm_date(o->as_of, r->as_of) < 0 || strcmp(r->as_of, o->as_of)))
        return xv_fail(XV_EUSAGE, "--as-of '%s' is not a date YYYY-MM-DD", o->as_of);
    *enc = ENC_AUTO;
    if (o->encoding) {
        if ((*enc = src_enc_parse(o->encoding)) < 0)
            return xv_fail(XV_EUSAGE, "unknown encoding '%s' (auto, utf-8 or gb18030)",
                           o->encoding);
    } else if (l->have_map && l->map.encoding >= 0) {
        *enc = l->map.encoding;
    }
    snprintf(r->kind, sizeof r->kind, "%s", l->k->name);
    snprintf(r->format, sizeof r->format, "%s", format_of(l));
    /* an XML file's declaration wins over detection, as the XML specification has it: GB18030
     * bytes may happen to be valid UTF-8 as well (伟业 reads as ΰҵ) */
    if (*enc == ENC_AUTO && !strcmp(r->format, "xml")) {
        enum src_enc declared;
        if ((rc = src_xml_declared(l->o->file, &declared)) < 0)
            return rc;
        *enc = declared;
    }
    return 0;
}

/* Hashes the file and checks its encoding: beside the first pass when its first MiB tells
 * the encoding (the job joined later), else before it. */
static int scan_file(struct ldr *l, int enc)
{
    const char *file = l->o->file;
    enum src_enc guess = enc == ENC_AUTO ? src_guess(file) : (enum src_enc)enc;
    struct stat sb;
    int rc;
    if (guess != ENC_AUTO && stat(file, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if ((rc = src_scan_start(&l->job, file, (enum src_enc)enc)) < 0)
            return rc;
        l->info.enc = guess;
        l->info.size = (unsigned long long)sb.st_size;
    } else if ((rc = src_scan(file, enc, &l->info)) < 0) {
        return rc;
    }
    memcpy(l->r->sha256, l->info.sha256, sizeof l->r->sha256);
    l->r->encoding = src_enc_name(l->info.enc);
    return 0;
}

/* The scratch every record reuses, one entry a canonical column. */
static void alloc_scratch(struct ldr *l)
{
    size_t n = (size_t)l->k->ncols;
    l->colsrc = xmalloc(n * sizeof *l->colsrc);
    for (size_t i = 0; i < n; i++)
        l->colsrc[i] = -1;
    l->val = xcalloc(n, sizeof *l->val);
    l->rawv = xcalloc(n, sizeof *l->rawv);
    l->same = xcalloc(n, sizeof *l->same);
    l->norm = xcalloc(n, sizeof *l->norm);
    l->warn = xcalloc(n, sizeof *l->warn);
    if (kind_is_feed(l->k)) {
        const char *cols[4] = { "id_no", "name", "birth_date", bkeys_extra_col(l->k) };
        l->kextra = cols[3];
        l->kslot = xmalloc(n * sizeof *l->kslot);
        for (size_t i = 0; i < n; i++) {
            l->kslot[i] = -1;
            for (int s = 0; s < 4; s++)
                if (cols[s] && !strcmp(l->k->cols[i].name, cols[s]))
                    l->kslot[i] = s;
        }
    }
}

/* A reload's second pass: the records the vdiff found new are stored, from what the first
 * pass kept or, past its budget, from the file read again. */
static int second_pass(struct ldr *l, struct src *src, int *src_open_ok)
{
    int rc;
    if ((rc = ldr_open_wait(l)) < 0 || (rc = ldr_join_scan(l)) < 0 || l->r->same_as ||
        (rc = ldr_diff(l)) < 0 || !l->todo.len)
        return rc;
    l->pass = 2;
    if ((rc = wr_start(&l->w, l->db, l->stmt, NOPS)) < 0)
        return rc;
    if (!l->keep_over)
        return ldr_replay(l);
    src_close(src);
    *src_open_ok = 0;
    for (int i = 0; i < l->k->ncols; i++)
        l->colsrc[i] = -1;
    sbuf_reset(&l->unknown);
    return read_source(l, src, src_open_ok);
}

/* After the passes: the writer's last rows, the ends, the load's row, the commit. */
static int complete(struct ldr *l)
{
    struct ldr_result *r = l->r;
    int rc = 0;
    if (l->w) {
        rc = ldr_chunk_flush(l);
        int wrc = wr_finish(l->w);
        rc = rc < 0 ? rc : wrc;
        l->w = NULL;
        if (rc < 0 || (rc = ldr_check_rids(l)) < 0)
            return rc;
    }
    if (!l->deferred && ((rc = ldr_join_scan(l)) < 0 || r->same_as || (rc = ldr_diff(l)) < 0))
        return rc;
    /* the open versions paired with a line of another hash get that line's: the next reload
     * can then take the line without splitting it (after the second pass, which may have
     * rewritten the last row of <kind>_hash) */
    const uint32_t *rrid;
    const uint64_t *rline;
    size_t nref = l->deferred ? vd_refreshes(l->vd, &rrid, &rline) : 0;
    if (nref && (rc = store_hash_lines(l->db, l->k->name, rrid, rline, nref)) < 0)
        return rc;
    if ((rc = ldr_finish(l)) < 0)
        return rc;
    for (int i = 0; i < NOPS; i++) {
        sqlite3_finalize(l->stmt[i]);
        l->stmt[i] = NULL;
    }
    hook_crash_point("load-stored");   /* everything written, nothing committed */
    return store_commit(l->db);
}

/* Releases everything L holds (not the result, which is the caller's). */
static void ldr_free(struct ldr *l)
{
    if (l->ojob)
        ldr_open_wait(l);
    if (l->job) {   /* a failed load still waits for the scan; its verdict is shown too */
        struct src_info spare;
        src_scan_wait(l->job, &spare);
    }
    if (l->w)
        wr_finish(l->w);
    for (int i = 0; i < NOPS; i++)
        sqlite3_finalize(l->stmt[i]);
    sqlite3_blob_close(l->hblob);
    sqlite3_blob_close(l->kblob);
    free(l->kslot);
    free(l->kchunk);
    for (int i = 0; i < 4; i++)
        sbuf_free(&l->ktext[i]);
    if (l->have_map)
        map_free(&l->map);
    free(l->srcmap);
    free(l->fpos);
    free(l->colsrc);
    free(l->val);
    free(l->rawv);
    free(l->same);
    for (int i = 0; l->norm && i < l->k->ncols; i++)
        sbuf_free(&l->norm[i]);
    free(l->norm);
    free(l->warn);
    vd_free(l->vd);
    free(l->todo.b);
    free(l->ended.b);
    sbuf_free(&l->keep);
    free(l->chunk);
    sqlite3_finalize(l->del);
    sqlite3_finalize(l->end);
    sqlite3_finalize(l->key);
    ldr_keyset_free(&l->keys);
    sbuf_free(&l->unknown);
    ldr_staged_free(&l->sg);
    sbuf_free(&l->craw);
    sbuf_free(&l->tmp);
}

/* One attempt at a load: CHECK says whether the open versions read from <kind>_hash must be
 * as many as the loads count (XV_EREBUILD when not). */
static int load_once(sqlite3 *db, const struct ldr_opts *o, struct ldr_result *r, int check)
{
    struct ldr l;
    struct src src;
    int rc, enc = ENC_AUTO, src_open_ok = 0, in_tx = 0, bulk = 0;
    long long open_before = 0;
    memset(&l, 0, sizeof l);
    memset(r, 0, sizeof *r);
    l.db = db;
    l.o = o;
    l.r = r;
    l.open_expect = check ? 0 : -1;
    l.t0 = now_seconds();
    l.next_progress = 65536;
    if ((rc = resolve_options(&l, o, r, &enc)) < 0 || (rc = scan_file(&l, enc)) < 0)
        goto done;
    /* a first load of a kind (upserts aside: they are small) writes its table once */
    if (!l.k->upsert && (rc = ldr_count_open(db, l.k->name, &open_before)) < 0)
        goto done;
    if (!l.k->upsert && open_before == 0 && (rc = bulk = store_bulk(db)) < 0)
        goto done;
    if ((rc = store_begin(db)) < 0)
        goto done;
    in_tx = 1;
    if (!l.job && ((rc = ldr_find_same(&l)) < 0 || r->same_as))
        goto done;
    alloc_scratch(&l);
    if ((rc = read_source(&l, &src, &src_open_ok)) < 0) {
        if (rc == XV_STOP)   /* the scan found the file loaded before */
            rc = 0;
        goto done;
    }
    if (!l.started && (rc = ldr_start(&l)) < 0) {
        if (rc == XV_STOP)   /* the file was loaded before */
            rc = 0;
        goto done;
    }
    if (l.deferred && ((rc = second_pass(&l, &src, &src_open_ok)) < 0 || r->same_as))
        goto done;
    if ((rc = complete(&l)) < 0 || r->same_as)
        goto done;
    in_tx = 0;
    r->seconds = now_seconds() - l.t0;
    ldr_progress(&l, 1);
    rc = r->rows_quarantined ? XV_ENEEDS : 0;
done:
    ldr_free(&l);
    if (r->same_as || (rc < 0 && rc != XV_ENEEDS))
        r->load_id = 0;
    if (in_tx)
        store_rollback(db);
    if (bulk > 0)
        store_bulk_end(db);
    if (src_open_ok)
        src_close(&src);
    return rc;
}

int ldr_run(sqlite3 *db, const struct ldr_opts *o, struct ldr_result *r)
{
    int rc = load_once(db, o, r, 1);
    if (rc != XV_EREBUILD)
        return rc;
    /* the rebuild is a transaction of its own: the attempt's was rolled back */
    char kind[sizeof r->kind];
    memcpy(kind, r->kind, sizeof kind);
    ldr_result_free(r);
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = store_hash_rebuild(db, kind)) < 0) {
        store_rollback(db);
        return rc;
    }
    if ((rc = store_commit(db)) < 0)
        return rc;
    /* cannot happen: the rows were just written as they must be; were it to, the store
     * failed its check (exit 4) */
    if ((rc = load_once(db, o, r, 0)) == XV_EREBUILD)
        rc = xv_fail(XV_ELOCKED, "'%s_hash' is still damaged after its rebuild", kind);
    return rc;
}

void ldr_result_free(struct ldr_result *r)
{
    for (int i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->notes);
    free(r->unknown_columns);
    r->notes = NULL;
    r->unknown_columns = NULL;
    r->nnotes = 0;
}

/* "  PREFIXS" and a newline, S with its control characters escaped: column names and notes
 * come from the file. */
static void print_line(FILE *f, const char *prefix, const char *s)
{
    struct sbuf b = SBUF_INIT;
    utf8_printable(s, 0, &b);
    fprintf(f, "  %s%s\n", prefix, b.s);
    sbuf_free(&b);
}

void ldr_print(FILE *f, const struct ldr_result *r)
{
    if (r->same_as) {
        fprintf(f, "%s: identical to load %lld (as of %s); nothing to do\n", r->kind, r->same_as,
                r->as_of);
        return;
    }
    fprintf(f, "load %lld: %s as of %s (%s), %s, %s, sha256 %.12s\n", r->load_id, r->kind,
            r->as_of, r->as_of_source, r->format, r->encoding, r->sha256);
    fprintf(f, "  records read %ld: added %ld, unchanged %ld, duplicate %ld, quarantined %ld; "
               "ended %ld\n", r->rows_read, r->rows_added, r->rows_unchanged, r->rows_duplicate,
            r->rows_quarantined, r->rows_closed);
    if (r->unknown_columns)
        print_line(f, "unknown columns ignored: ", r->unknown_columns);
    for (int i = 0; i < r->nnotes; i++)
        print_line(f, "", r->notes[i]);
    if (r->more_notes)
        fprintf(f, "  ... and %ld more (see the quarantine table)\n", r->more_notes);
}
