/* rpt.c: writes a run's findings and gates as CSV, XML, per-county HTML pages and a summary. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/hooks.h"
#include "../core/err.h"
#include "../core/policy.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/catalogue.h"
#include "rpt.h"

/* The columns of findings.csv, in reports.md's order; raw (the evidence record's values as
 * the feed wrote them) follows in the XML and HTML. */
enum {
    C_RUN, C_APP, C_COUNTY, C_RULE, C_SEV, C_PID, C_PNAME, C_FEED, C_KEY, C_DECLARED, C_FOUND,
    C_LOAD, C_WEIGHT, C_FP, C_DECISION, C_RAW, NCOLS
};
static const char *const col_names[NCOLS] = {
    "run_id", "applicant_id", "county_code", "rule", "severity", "person_id_no", "person_name",
    "feed", "record_key", "declared", "found", "load_id", "link_weight", "fingerprint",
    "decision", "raw",
};
#define NCSV C_RAW

struct frow {
    char *c[NCOLS];
};

struct grow {
    char *app, *county, *name, *gate, *status;
    int n[3];
};

struct data {
    const struct run *r;
    int unmasked;
    struct frow *f;
    long nf;
    struct grow *g;
    long ng;
    char **counties;
    int ncounties;
};

/* One output file, written under a temporary name and renamed into place by commit_all. */
struct out {
    FILE *f;
    char *tmp, *path;
};

/* Opens NAME for writing in the folder WORK (a hidden file when WORK is DIR itself); its
 * final path is DIR/NAME. */
static int open_out(const char *dir, const char *work, const char *name, struct out *o)
{
    struct sbuf b = SBUF_INIT;
    sbuf_addf(&b, "%s/%s", dir, name);
    o->path = b.s;
    b = (struct sbuf)SBUF_INIT;
    if (!strcmp(dir, work))
        sbuf_addf(&b, "%s/.%s.tmp", dir, name);
    else
        sbuf_addf(&b, "%s/%s", work, name);
    o->tmp = b.s;
    o->f = fopen(o->tmp, "w");
    if (!o->f)
        return xv_fail(XV_EIO, "cannot write '%s': %s", o->tmp, strerror(errno));
    return 0;
}

/* Flushes O to disk; on any failure removes the temporary file. */
static int close_out(struct out *o)
{
    int bad = 0, err = 0;
    if (!o->f)
        return 0;
    if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0) {
        bad = 1;
        err = errno;
    }
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    o->f = NULL;
    if (bad) {
        unlink(o->tmp);
        return xv_fail(XV_EIO, "cannot write '%s': %s", o->path, strerror(err ? err : EIO));
    }
    return 0;
}

static void drop_out(struct out *o)
{
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
    }
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
}

/* Removes the files of folder PATH and the folder (a report folder: files only). */
static void remove_folder(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct sbuf p = SBUF_INIT;
        sbuf_addf(&p, "%s/%s", path, e->d_name);
        unlink(p.s);
        sbuf_free(&p);
    }
    closedir(d);
    rmdir(path);
}

static int mkdirs(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                rc = xv_fail(XV_EIO, "cannot create folder '%s': %s", p, strerror(errno));
                break;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    return rc;
}

/* ---- reading the run ------------------------------------------------------------------ */

static char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return xstrdup(t ? (const char *)t : "");
}

static int read_data(sqlite3 *db, struct data *d)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    if ((rc = store_prepare(db,
             "SELECT run_id, applicant_id, county_code, rule, severity, person_id_no, "
             "person_name, feed, record_key, declared, found, ifnull(load_id, ''), "
             "CASE WHEN link_weight IS NULL THEN '' ELSE printf('%.3f', link_weight) END, "
             "fingerprint, decision, raw FROM findings WHERE run_id=? "
             "ORDER BY applicant_id, rule, idx IS NULL, idx, person_id_no, record_key, "
             "fingerprint", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, d->r->id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (d->nf % 256 == 0)
            d->f = xrealloc(d->f, (size_t)(d->nf + 256) * sizeof *d->f);
        struct frow *f = &d->f[d->nf++];
        for (int i = 0; i < NCOLS; i++) {
            const char *t = (const char *)sqlite3_column_text(st, i);
            struct sbuf b = SBUF_INIT;
            if (!t)
                t = "";
            if (i == C_PID) {
                char m[64];
                mask_id(t, d->unmasked, m, sizeof m);
                sbuf_adds(&b, m);
            } else if (i == C_KEY || i == C_DECLARED || i == C_FOUND || i == C_RAW) {
                mask_text(t, d->unmasked, &b);
            } else {
                sbuf_adds(&b, t);
            }
            f->c[i] = b.s ? b.s : xstrdup("");
        }
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(db, "reading findings");
    if ((rc = store_prepare(db, "SELECT applicant_id, county_code, name, gate, status, n_block, "
                                "n_review, n_info FROM gates WHERE run_id=? ORDER BY applicant_id",
                            &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, d->r->id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (d->ng % 256 == 0)
            d->g = xrealloc(d->g, (size_t)(d->ng + 256) * sizeof *d->g);
        struct grow *g = &d->g[d->ng++];
        g->app = col(st, 0);
        g->county = col(st, 1);
        g->name = col(st, 2);
        g->gate = col(st, 3);
        g->status = col(st, 4);
        for (int i = 0; i < 3; i++)
            g->n[i] = sqlite3_column_int(st, 5 + i);
        if (!d->ncounties || strcmp(d->counties[d->ncounties - 1], g->county)) {
            int seen = 0;
            for (int i = 0; i < d->ncounties && !seen; i++)
                seen = !strcmp(d->counties[i], g->county);
            if (!seen) {
                d->counties = xrealloc(d->counties, (size_t)(d->ncounties + 1) * sizeof(char *));
                d->counties[d->ncounties++] = g->county;
            }
        }
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(db, "reading gates");
    /* counties in code order, so that the files are written in the same order every time */
    for (int i = 1; i < d->ncounties; i++)
        for (int j = i; j > 0 && strcmp(d->counties[j - 1], d->counties[j]) > 0; j--) {
            char *t = d->counties[j];
            d->counties[j] = d->counties[j - 1];
            d->counties[j - 1] = t;
        }
    return 0;
}

static void data_free(struct data *d)
{
    for (long i = 0; i < d->nf; i++)
        for (int j = 0; j < NCOLS; j++)
            free(d->f[i].c[j]);
    free(d->f);
    for (long i = 0; i < d->ng; i++) {
        free(d->g[i].app);
        free(d->g[i].county);
        free(d->g[i].name);
        free(d->g[i].gate);
        free(d->g[i].status);
    }
    free(d->g);
    free(d->counties);
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* One CSV field: quoted when it holds a comma, quote or line break; a text that a spreadsheet
 * would run as a formula (=, +, @, or - not followed by a digit) gets a leading apostrophe. */
static void csv_field(FILE *f, const char *s, int last)
{
    int formula = s[0] == '=' || s[0] == '+' || s[0] == '@' ||
                  (s[0] == '-' && !(s[1] >= '0' && s[1] <= '9'));
    if (strpbrk(s, ",\"\r\n") || formula) {
        fputc('"', f);
        if (formula)
            fputc('\'', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static void write_findings_csv(FILE *f, const struct data *d)
{
    fputs("\xEF\xBB\xBF", f);
    for (int i = 0; i < NCSV; i++)
        csv_field(f, col_names[i], i == NCSV - 1);
    for (long r = 0; r < d->nf; r++)
        for (int i = 0; i < NCSV; i++)
            csv_field(f, d->f[r].c[i], i == NCSV - 1);
}

static void write_gates_csv(FILE *f, const struct data *d)
{
    fputs("\xEF\xBB\xBF" "run_id,applicant_id,county_code,name,gate,open_block,open_review,"
          "open_info\r\n", f);
    for (long i = 0; i < d->ng; i++) {
        const struct grow *g = &d->g[i];
        fprintf(f, "%lld,", d->r->id);
        csv_field(f, g->app, 0);
        csv_field(f, g->county, 0);
        csv_field(f, g->name, 0);
        fprintf(f, "%s,%d,%d,%d\r\n", g->gate, g->n[0], g->n[1], g->n[2]);
    }
}

/* ---- XML and HTML ------------------------------------------------------------------------ */

/* Text escaped for XML and HTML; control characters XML 1.0 cannot carry become U+FFFD. */
static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                fputs("\xEF\xBF\xBD", f);
            else
                fputc(c, f);
        }
    }
}

static void write_findings_xml(FILE *f, const struct data *d)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<findings xmlns=\"urn:xverify:findings:1\" run_id=\"%lld\" as_of=\"%s\" "
               "policy_sha256=\"%s\" count=\"%ld\">\n", d->r->id, d->r->as_of, d->r->pol.sha256,
            d->nf);
    for (long r = 0; r < d->nf; r++) {
        fputs("  <finding>\n", f);
        for (int i = 0; i < NCOLS; i++) {
            /* optional numbers are left out rather than written empty */
            if ((i == C_LOAD || i == C_WEIGHT) && !d->f[r].c[i][0])
                continue;
            fprintf(f, "    <%s>", col_names[i]);
            esc(f, d->f[r].c[i]);
            fprintf(f, "</%s>\n", col_names[i]);
        }
        fputs("  </finding>\n", f);
    }
    fputs("</findings>\n", f);
}

static const char *const gate_colours[GATE_COUNT] = { "#c0392b", "#d4a017", "#2e8b57" };

/* The gate named GATE; CLEAR for a name this program does not know. */
static int gate_index(const char *gate)
{
    int g = gate_parse(gate);
    return g < 0 ? GATE_CLEAR : g;
}

/* The bar chart: per rule, the county's applications with a finding of that rule, by gate. */
static void chart(FILE *f, const struct data *d, const char *county)
{
    int counts[R_COUNT][3], rows = 0, max = 1;
    memset(counts, 0, sizeof counts);
    long fi = 0;
    for (long gi = 0; gi < d->ng; gi++) {
        const struct grow *g = &d->g[gi];
        int seen[R_COUNT] = { 0 };
        while (fi < d->nf && strcmp(d->f[fi].c[C_APP], g->app) < 0)
            fi++;
        for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], g->app); j++)
            for (int r = 0; r < R_COUNT; r++)
                if (!strcmp(rule_code(r), d->f[j].c[C_RULE]))
                    seen[r] = 1;
        if (strcmp(g->county, county))
            continue;
        for (int r = 0; r < R_COUNT; r++)
            counts[r][gate_index(g->gate)] += seen[r];
    }
    for (int r = 0; r < R_COUNT; r++) {
        int n = counts[r][0] + counts[r][1] + counts[r][2];
        if (n) {
            rows++;
            if (n > max)
                max = n;
        }
    }
    if (!rows) {
        fputs("<p>No findings.</p>\n", f);
        return;
    }
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%d\" "
               "role=\"img\" aria-label=\"applications by rule and gate\">\n", rows * 22 + 30);
    int y = 0;
    for (int r = 0; r < R_COUNT; r++) {
        int n = counts[r][0] + counts[r][1] + counts[r][2];
        if (!n)
            continue;
        fprintf(f, "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>\n", y + 14, rule_code(r));
        double x = 210;
        for (int g = 0; g < 3; g++) {
            if (!counts[r][g])
                continue;
            double w = 380.0 * counts[r][g] / max;
            fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\">"
                       "<title>%s: %d</title></rect>\n", x, y + 2, w, gate_colours[g],
                    gate_name(g), counts[r][g]);
            x += w;
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%d</text>\n", x + 4, y + 14, n);
        y += 22;
    }
    for (int g = 0; g < 3; g++)
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", 210 + g * 100, y + 8,
                gate_colours[g], 226 + g * 100, y + 18, gate_name(g));
    fputs("</svg>\n", f);
}

static void write_county_html(FILE *f, const struct data *d, const char *county)
{
    int gates[3] = { 0, 0, 0 }, apps = 0;
    long by_rule[R_COUNT][3];
    memset(by_rule, 0, sizeof by_rule);
    for (long i = 0; i < d->ng; i++)
        if (!strcmp(d->g[i].county, county)) {
            gates[gate_index(d->g[i].gate)]++;
            apps++;
        }
    for (long i = 0; i < d->nf; i++) {
        if (strcmp(d->f[i].c[C_COUNTY], county))
            continue;
        int sev = sev_parse(d->f[i].c[C_SEV]);
        sev = sev < 0 ? SEV_INFO : sev;
        for (int r = 0; r < R_COUNT; r++)
            if (!strcmp(rule_code(r), d->f[i].c[C_RULE]))
                by_rule[r][sev]++;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n", f);
    fprintf(f, "<title>xverify run %lld: county ", d->r->id);
    esc(f, county);
    fputs("</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;color:#222}\n"
          "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
          "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}\n"
          "th{background:#eee}\n"
          ".BLOCK{color:#fff;background:#c0392b;padding:0 4px}\n"
          ".REVIEW{color:#000;background:#d4a017;padding:0 4px}\n"
          ".CLEAR{color:#fff;background:#2e8b57;padding:0 4px}\n"
          ".raw{font-size:smaller;color:#555}\n"
          "</style>\n</head>\n<body>\n", f);
    fprintf(f, "<h1>County ");
    esc(f, county);
    fprintf(f, ": run %lld as of %s</h1>\n<p>Policy %.12s. IDs are %s.</p>\n", d->r->id,
            d->r->as_of, d->r->pol.sha256, d->unmasked ? "shown in full" : "masked");
    fprintf(f, "<h2>Summary</h2>\n<table>\n<tr><th>gate</th><th>applications</th></tr>\n");
    for (int g = 0; g < 3; g++)
        fprintf(f, "<tr><td><span class=\"%s\">%s</span></td><td>%d</td></tr>\n", gate_name(g),
                gate_name(g), gates[g]);
    fprintf(f, "<tr><td>total</td><td>%d</td></tr>\n</table>\n", apps);
    fputs("<table>\n<tr><th>rule</th><th>block</th><th>review</th><th>info</th></tr>\n", f);
    for (int r = 0; r < R_COUNT; r++)
        if (by_rule[r][0] + by_rule[r][1] + by_rule[r][2])
            fprintf(f, "<tr><td>%s</td><td>%ld</td><td>%ld</td><td>%ld</td></tr>\n", rule_code(r),
                    by_rule[r][0], by_rule[r][1], by_rule[r][2]);
    fputs("</table>\n<h2>Gates by rule</h2>\n", f);
    chart(f, d, county);
    fputs("<h2>Applications</h2>\n", f);
    long fi = 0;
    for (long gi = 0; gi < d->ng; gi++) {
        const struct grow *g = &d->g[gi];
        while (fi < d->nf && strcmp(d->f[fi].c[C_APP], g->app) < 0)
            fi++;
        if (strcmp(g->county, county))
            continue;
        fputs("<h3 id=\"", f);
        esc(f, g->app);
        fputs("\">", f);
        esc(f, g->app);
        fputs(" ", f);
        esc(f, g->name);
        fprintf(f, " <span class=\"%s\">%s</span></h3>\n<p>status ", g->gate, g->gate);
        esc(f, g->status);
        fprintf(f, "; open findings: %d block, %d review, %d info</p>\n", g->n[0], g->n[1],
                g->n[2]);
        if (fi >= d->nf || strcmp(d->f[fi].c[C_APP], g->app))
            continue;
        fputs("<table>\n<tr><th>rule</th><th>severity</th><th>person</th><th>feed</th>"
              "<th>record</th><th>declared</th><th>found</th><th>load</th><th>weight</th>"
              "<th>decision</th><th>fingerprint</th></tr>\n", f);
        for (long j = fi; j < d->nf && !strcmp(d->f[j].c[C_APP], g->app); j++) {
            char *const *c = d->f[j].c;
            const int cols[] = { C_RULE, C_SEV, C_PID, C_FEED, C_KEY, C_DECLARED, C_FOUND,
                                 C_LOAD, C_WEIGHT, C_DECISION, C_FP };
            fputs("<tr>", f);
            for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
                fputs("<td>", f);
                esc(f, c[cols[k]]);
                if (cols[k] == C_PID) {
                    fputs(" ", f);
                    esc(f, c[C_PNAME]);
                }
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
            if (c[C_RAW][0]) {
                fputs("<tr><td></td><td class=\"raw\" colspan=\"10\">as the feed wrote it: ", f);
                esc(f, c[C_RAW]);
                fputs("</td></tr>\n", f);
            }
        }
        fputs("</table>\n", f);
    }
    fputs("</body>\n</html>\n", f);
}

/* ---- summary ------------------------------------------------------------------------------ */

static int summary_text(sqlite3 *db, const struct data *d, struct sbuf *b)
{
    sqlite3_stmt *st = NULL;
    int rc, s;
    const struct run *r = d->r;
    if ((rc = store_prepare(db, "SELECT started_at, link_seconds, rules_seconds, versions FROM "
                                "runs WHERE id=?", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return store_err(db, "reading the run");
    }
    sbuf_addf(b, "xverify run %lld as of %s (started %s)\n", r->id, r->as_of,
              sqlite3_column_text(st, 0));
    sbuf_addf(b, "policy sha256 %s\n", r->pol.sha256);
    double link_s = sqlite3_column_double(st, 1), rules_s = sqlite3_column_double(st, 2);
    sbuf_addf(b, "versions: %s\n", sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    if ((rc = store_prepare(db, "SELECT rl.kind, rl.load_id, l.as_of, l.sha256, l.file FROM "
                                "run_loads rl JOIN loads l ON l.id = rl.load_id WHERE "
                                "rl.run_id=? ORDER BY rl.load_id", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->id);
    sbuf_adds(b, "loads:\n");
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 4);
        const char *base = strrchr(file, '/');
        sbuf_addf(b, "  %-16s load %-4lld as of %s  sha256 %.12s  %s\n",
                  sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                  sqlite3_column_text(st, 2), sqlite3_column_text(st, 3), base ? base + 1 : file);
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return store_err(db, "reading the run's loads");
    int gates[3] = { 0, 0, 0 };
    for (long i = 0; i < d->ng; i++)
        gates[gate_index(d->g[i].gate)]++;
    sbuf_addf(b, "applications: %ld (BLOCK %d, REVIEW %d, CLEAR %d)\n", d->ng, gates[0],
              gates[1], gates[2]);
    sbuf_addf(b, "findings: %ld\n", d->nf);
    for (int rr = 0; rr < R_COUNT; rr++) {
        long n = 0;
        for (long i = 0; i < d->nf; i++)
            n += !strcmp(d->f[i].c[C_RULE], rule_code(rr));
        if (n)
            sbuf_addf(b, "  %-24s %ld\n", rule_code(rr), n);
    }
    sbuf_addf(b, "stages: linking %.2f s, rules %.2f s\n", link_s, rules_s);
    return 0;
}

/* ---- the files ---------------------------------------------------------------------------- */

static int file_sha(const char *path, char out[65])
{
    struct sbuf b = SBUF_INIT;
    int rc = read_small_file(path, (size_t)1 << 34, &b);
    if (rc == 0)
        sha256_hex(b.s ? b.s : "", b.len, out);
    sbuf_free(&b);
    return rc < 0 ? XV_EIO : 0;
}

/* Records the report hashes the first time; later, compares them with the recorded ones. */
static int record_hashes(sqlite3 *db, const struct run *r, char **names, char **paths, int n)
{
    sqlite3_stmt *get = NULL, *put = NULL;
    int rc, differ = 0;
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = store_prepare(db, "SELECT sha256 FROM run_reports WHERE run_id=? AND file=?",
                            &get)) < 0 ||
        (rc = store_prepare(db, "INSERT INTO run_reports(run_id,file,sha256) VALUES(?,?,?)",
                            &put)) < 0)
        goto done;
    for (int i = 0; i < n; i++) {
        char h[65];
        if ((rc = file_sha(paths[i], h)) < 0)
            goto done;
        sqlite3_reset(get);
        sqlite3_bind_int64(get, 1, r->id);
        sqlite3_bind_text(get, 2, names[i], -1, SQLITE_STATIC);
        int s = sqlite3_step(get);
        if (s == SQLITE_ROW) {
            if (strcmp((const char *)sqlite3_column_text(get, 0), h)) {
                xv_warn("'%s' differs from what run %lld wrote first", paths[i], r->id);
                differ = 1;
            }
            continue;
        }
        if (s != SQLITE_DONE) {
            rc = store_err(db, "reading report hashes");
            goto done;
        }
        sqlite3_reset(put);
        sqlite3_bind_int64(put, 1, r->id);
        sqlite3_bind_text(put, 2, names[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(put, 3, h, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(put) != SQLITE_DONE) {
            rc = store_err(db, "recording report hashes");
            goto done;
        }
    }
done:
    sqlite3_finalize(get);
    sqlite3_finalize(put);
    if (rc < 0) {
        store_rollback(db);
        return rc;
    }
    if ((rc = store_commit(db)) < 0)
        return rc;
    return differ ? XV_ENEEDS : 0;
}

/* Compares every file written with the hash the run recorded for it, and lists any file the
 * run wrote that was not written now. */
static int compare_hashes(sqlite3 *db, const struct run *r, char **names, char **paths, int n)
{
    sqlite3_stmt *st = NULL;
    int rc, differ = 0, recorded = 0, s;
    if ((rc = store_prepare(db, "SELECT file, sha256 FROM run_reports WHERE run_id=? "
                                "ORDER BY file", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, r->id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        const char *want = (const char *)sqlite3_column_text(st, 1);
        int found = 0;
        recorded++;
        for (int i = 0; i < n && !found; i++) {
            if (strcmp(names[i], file))
                continue;
            char h[65];
            found = 1;
            if ((rc = file_sha(paths[i], h)) < 0)
                goto done;
            if (strcmp(h, want)) {
                printf("differs: %s (run %lld wrote sha256 %.12s, now %.12s)\n", file, r->id,
                       want, h);
                differ = 1;
            } else {
                printf("identical: %s\n", file);
            }
        }
        if (!found) {
            printf("missing: %s (run %lld wrote it; not written now)\n", file, r->id);
            differ = 1;
        }
    }
    if (s != SQLITE_DONE) {
        rc = store_err(db, "reading report hashes");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        int known = 0;
        sqlite3_reset(st);
        while (!known && (s = sqlite3_step(st)) == SQLITE_ROW)
            known = !strcmp((const char *)sqlite3_column_text(st, 0), names[i]);
        if (!known) {
            printf("new: %s (run %lld did not write it)\n", names[i], r->id);
            differ = 1;
        }
    }
    if (!recorded) {
        rc = xv_fail(XV_ENEEDS, "run %lld has no recorded report hashes to compare with", r->id);
        goto done;
    }
    rc = differ ? XV_ENEEDS : 0;
done:
    sqlite3_finalize(st);
    return rc;
}

#define MAX_FILES 1024

int rpt_write(sqlite3 *db, const struct run *r, const struct rpt_opts *o, struct sbuf *summary)
{
    struct data d;
    struct out outs[MAX_FILES];
    char *names[MAX_FILES];
    int nout = 0, rc;
    struct sbuf dir = SBUF_INIT, sum = SBUF_INIT, work = SBUF_INIT;
    int swapped = 0;
    memset(&d, 0, sizeof d);
    memset(outs, 0, sizeof outs);
    d.r = r;
    d.unmasked = o->unmasked;
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
    if ((rc = read_data(db, &d)) < 0)
        goto done;
    if (o->county) {
        int known = 0;
        for (int i = 0; i < d.ncounties && !known; i++)
            known = !strcmp(d.counties[i], o->county);
        if (!known) {
            rc = xv_fail(XV_EUSAGE, "no application of county '%s' in run %lld", o->county,
                         r->id);
            goto done;
        }
    }
    if (d.ncounties + 4 > MAX_FILES) {
        rc = error("run %lld has %d counties, more than one report folder holds", r->id,
                   d.ncounties);
        goto done;
    }
    if ((rc = summary_text(db, &d, &sum)) < 0)
        goto done;
    if (!o->county)
        remove_folder(work.s);   /* left by a run that was killed while writing */
    if ((rc = mkdirs(work.s)) < 0)
        goto done;
    if (!o->county) {
        static const char *const fixed[] = { "findings.csv", "gates.csv", "findings.xml",
                                             "summary.txt" };
        for (int i = 0; i < 4; i++) {
            names[nout] = xstrdup(fixed[i]);
            if ((rc = open_out(dir.s, work.s, fixed[i], &outs[nout++])) < 0)
                goto done;
        }
        write_findings_csv(outs[0].f, &d);
        write_gates_csv(outs[1].f, &d);
        write_findings_xml(outs[2].f, &d);
        fputs(sum.s, outs[3].f);
    }
    for (int i = 0; i < d.ncounties; i++) {
        if (o->county && strcmp(o->county, d.counties[i]))
            continue;
        struct sbuf n = SBUF_INIT;
        sbuf_addf(&n, "county-%s.html", d.counties[i]);
        names[nout] = n.s;
        if ((rc = open_out(dir.s, work.s, n.s, &outs[nout++])) < 0)
            goto done;
        write_county_html(outs[nout - 1].f, &d, d.counties[i]);
    }
    for (int i = 0; i < nout; i++)
        if ((rc = close_out(&outs[i])) < 0)
            goto done;
    hook_crash_point("reports-written");
    /* every file is complete: now they replace the earlier ones, all at once */
    if (o->county) {
        if (rename(outs[0].tmp, outs[0].path) != 0) {
            rc = xv_fail(XV_EIO, "cannot write '%s': %s", outs[0].path, strerror(errno));
            goto done;
        }
    } else {
        struct stat sb;
        int have = stat(dir.s, &sb) == 0;
        if (have ? renameat2(AT_FDCWD, work.s, AT_FDCWD, dir.s, RENAME_EXCHANGE) != 0
                 : rename(work.s, dir.s) != 0) {
            rc = xv_fail(XV_EIO, "cannot write '%s': %s", dir.s, strerror(errno));
            goto done;
        }
        swapped = 1;
        remove_folder(work.s);   /* the earlier set, now under the work name */
    }
    if (summary)
        sbuf_adds(summary, sum.s);
    if (!o->county && !o->unmasked) {
        char *paths[MAX_FILES];
        for (int i = 0; i < nout; i++)
            paths[i] = outs[i].path;
        rc = o->rerun ? compare_hashes(db, r, names, paths, nout)
                      : record_hashes(db, r, names, paths, nout);
    }
done:
    /* a file renamed or swapped into place is no longer at its temporary path */
    for (int i = 0; i < nout; i++) {
        drop_out(&outs[i]);
        free(names[i]);
    }
    if (!o->county && !swapped)
        remove_folder(work.s);
    sbuf_free(&work);
    data_free(&d);
    sbuf_free(&dir);
    sbuf_free(&sum);
    return rc;
}
