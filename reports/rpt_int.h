/* rpt_int.h: the reports' inside, shared by the files of reports/ and nothing else: the data
 * a run's reports show and the writers of each file. */
#ifndef XV_RPT_INT_H
#define XV_RPT_INT_H
#include <stdio.h>
#include <sqlite3.h>
#include "../core/msg.h"
#include "../core/run.h"
#include "../core/util.h"
#include "rpt.h"

/* The columns of findings.csv, in reports.md's order; raw (the evidence record's values as
 * the feed wrote them) follows in the XML and HTML. The files for people read the declared
 * and found texts in the run's language (C_SAID_*) and every evidence record (C_RECORDS) the
 * files for systems leave out. */
enum {
    C_RUN, C_APP, C_COUNTY, C_RULE, C_SEV, C_PID, C_PNAME, C_FEED, C_KEY, C_DECLARED, C_FOUND,
    C_LOAD, C_WEIGHT, C_FP, C_DECISION, C_DECIDED_BY, C_DECIDED_LEVEL, C_DECIDED_AT,
    C_DECISION_REASON, C_RAW, C_SAID_DECLARED, C_SAID_FOUND, C_RECORDS, NCOLS
};
#define NXML (C_RAW + 1)

static const char *const col_names[NCOLS] __attribute__((unused)) = {
    "run_id", "applicant_id", "county_code", "rule", "severity", "person_id_no", "person_name",
    "feed", "record_key", "declared", "found", "load_id", "link_weight", "fingerprint",
    "decision", "decided_by", "decided_level", "decided_at", "decision_reason", "raw",
    "said_declared", "said_found", "records",
};

#define NCSV C_RAW

struct frow {
    char *c[NCOLS];          /* its columns, each ended by its NUL, in data's arena */
    int followup;            /* its application is on the follow-up list */
    const struct grow *gate; /* its application's gate, NULL when the run has none */
};

struct grow {
    char *app, *county, *name, *gate, *status;
    char *size, *per_capita, *standard, *tier;   /* "" where the run did not reach them */
    int n[3];
    /* on the follow-up list (workflow.md): archived or under notice, with a block finding in
     * force (its gate BLOCK) */
    int followup;
    long ff;    /* its first finding in data's f (findings are in application order), or the
                 * place one would be */
};

struct data {
    const struct run *r;
    int unmasked;
    struct frow *f;
    long nf, fcap;
    struct grow *g;
    long ng, gcap;
    char **counties;
    int ncounties;
    /* each county's findings and gates, in counties' order, each county's in the data's
     * order: county I's findings are f[cf[k]] for k from cf_at[I] to cf_at[I + 1] - 1 */
    long *cf, *cf_at, *cg, *cg_at;
    long nfollowup;          /* applications on the follow-up list */
    struct perf *perf;       /* an official run's performance figures; NULL for a trial run */
    struct rpt_notice *notices;  /* an official run's applications under notice */
    long nnotices;
    char **regions;          /* code, name, code, name, ...: the run's region load, by code */
    long nregions;
    struct arena arena;      /* the findings' columns, freed together with the data */
    struct sbuf row;         /* a finding's columns as they are put together */
};

/* Every report lists the follow-up list's rows first: each writer makes two passes, the
 * follow-up list's rows (pass 0), then the others, each in the data's order. */
#define RPT_PASS_FIRST(row, pass) ((row)->followup == !(pass))

/* A report file's bytes go through a buffer this large, not stdio's 4 KiB: a 100 MB file is
 * 400 write calls, not 25,000. */
#define RPT_OUT_BUF (256 * 1024)

/* One output file, written under a temporary name and renamed into place by commit_all. */
struct out {
    FILE *f;
    char *tmp, *path;
    char *buf;   /* F's buffer (RPT_OUT_BUF bytes), freed by rpt_close_out or rpt_drop_out */
};

/* files.c: rpt_open_out opens NAME for writing in the folder WORK (a hidden file when WORK is
 * DIR itself), its final path DIR/NAME; rpt_close_out flushes and syncs it; rpt_drop_out
 * removes what was not put in place. The hashes of the N files NAMES (at PATHS) are
 * recorded with run R, or compared with what it recorded (XV_ENEEDS when they differ). */
int rpt_open_out(const char *dir, const char *work, const char *name, struct out *o);
int rpt_close_out(struct out *o);
void rpt_drop_out(struct out *o);
void rpt_remove_folder(const char *path);
int rpt_mkdirs(const char *path);
int rpt_record_hashes(sqlite3 *db, const struct run *r, char **names, char **paths, int n);
int rpt_compare_hashes(sqlite3 *db, const struct run *r, char **names, char **paths, int n);

/* data.c: the findings and gates of run D->r, masked unless D->unmasked; a gate's index. */
int rpt_read_data(sqlite3 *db, struct data *d);
void rpt_data_free(struct data *d);
int rpt_gate_index(const char *gate);
/* The index of COUNTY in D's counties, -1 when the run has none of it; rpt_county_findings
 * and rpt_county_gates give the indexes of its findings and gates (in the data's order) and
 * set *N to how many. */
int rpt_county_index(const struct data *d, const char *county);
const long *rpt_county_findings(const struct data *d, const char *county, long *n);
const long *rpt_county_gates(const struct data *d, const char *county, long *n);
/* The gate row of application APP in the run (D's gates are in application order), NULL when
 * the run did not check it. */
const struct grow *rpt_gate_of(const struct data *d, const char *app);
/* The name of division CODE in the run's region load, NULL when it has none. */
const char *rpt_region_name(const struct data *d, const char *code);
/* CODE as people read it, escaped for XML and HTML: "瑶海区（340102）", or the code alone. */
void rpt_county_esc(FILE *f, const struct data *d, const char *code);

/* tables.c: the three tables; rpt_esc writes S escaped for XML and HTML. */
/* One CSV field S (LAST: the record's end): quoted when it must be, and a field a spreadsheet
 * would take for a formula made text with a leading apostrophe. */
void rpt_csv_field(FILE *f, const char *s, int last);
void rpt_findings_csv(FILE *f, const struct data *d);
void rpt_gates_csv(FILE *f, const struct data *d);
void rpt_esc(FILE *f, const char *s);
/* How many of S's first bytes XML carries as they are: no control but tab, LF and CR, no
 * 0xEF (which may start U+FFFE or U+FFFF), and, when MARKUP, none of & < > ". */
size_t rpt_plain_len(const char *s, int markup);
/* 3 when S starts with U+FFFE or U+FFFF, which XML cannot carry (a GB18030 feed can); else 0. */
int rpt_nonchar(const char *s);
/* S escaped as rpt_esc does, its lines broken with <br>. */
void rpt_esc_lines(FILE *f, const char *s);
void rpt_findings_xml(FILE *f, const struct data *d);

/* county.c: the county page; the style every page for people shares. */
extern const char rpt_page_css[];
/* A page for people begins: doctype, lang zh-CN, UTF-8, a Content-Security-Policy that allows
 * no script and nothing from elsewhere; the caller writes the title, then rpt_page_body ends
 * the head with the shared style and EXTRA_CSS and opens the body. */
void rpt_page_open(FILE *f);
void rpt_page_body(FILE *f, const char *extra_css);
void rpt_county_html(FILE *f, const struct data *d, const char *county);

/* performance.c: an official run's performance figures per county, read once (rpt_perf_free
 * releases them), and their two files. */
struct perf;
int rpt_perf_read(sqlite3 *db, const struct data *d, struct perf **out);
void rpt_perf_free(struct perf *p);
void rpt_perf_csv(FILE *f, const struct perf *p);
void rpt_perf_html(FILE *f, const struct perf *p, const struct run *r);

/* notice.c: the applications under public notice of an official run, read into D (freed by
 * rpt_data_free); whether COUNTY has any; its notice list page; a name masked for it. */
struct rpt_notice;
int rpt_notices_read(sqlite3 *db, struct data *d);
void rpt_notices_free(struct data *d);
int rpt_notice_has(const struct data *d, const char *county);
void rpt_notice_html(FILE *f, const struct data *d, const char *county);
void rpt_mask_name(const char *name, struct sbuf *b);

/* KEY in the report language (core/msg.h): every word of the files for people. */
#define T(key) msg_t(key)

/* workbook.c: the county workbook county-CODE.xlsx, written at PATH (its own file: the
 * library writes it); its times fixed to the run's start, so that it is written the same
 * every time. XV_EIO when it cannot be written. */
int rpt_county_xlsx(const char *path, const struct data *d, const char *county);

/* summary.c: summary.txt's text, appended to B. */
int rpt_summary_text(sqlite3 *db, const struct data *d, struct sbuf *b);

#endif
