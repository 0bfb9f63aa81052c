/* xverify.c: the program's entry point: global options, the command table and exit codes. */
#include <errno.h>
#include <getopt.h>
#include <libxml/parser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../ingest/norm.h"
#include "../matchers/rules/catalogue.h"
#include "cmd.h"
#include "../core/err.h"
#include "../core/run.h"
#include "../core/store.h"

static const struct cmd commands[] = {
    { "load", cmd_load, "KIND FILE [--as-of DATE] [--map FILE] [--encoding auto|utf-8|gb18030]",
      "load one feed file as a snapshot (or, for applicant and member, an upsert)" },
    { "match", cmd_match, "[--as-of DATE] [--applicant ID]... [--policy FILE] [--out DIR]",
      "a run: link, evaluate the rules, set the gates and write the reports; prints its id" },
    { "show", cmd_show, "APPLICANT [--run RUN] [--unmasked]",
      "every link of an application with its per-field weights, and its findings" },
    { "report", cmd_report, "[RUN] [--out DIR] [--county CODE] [--unmasked]",
      "(re)write a run's reports into DIR/RUN/ (default reports/RUN/)" },
    { "review", cmd_review,
      "FINGERPRINT --dismiss|--confirm --by NAME --level county|city --reason TEXT",
      "decide a finding; the decision holds while its evidence is unchanged" },
    { "approve", cmd_approve, "APPLICANT --level grassroots|county|city --by NAME",
      "approve a CLEAR application at one level; after the city, public notice" },
    { "nightly", cmd_nightly, "--inbox DIR [--out DIR] [--policy FILE]",
      "load the inbox's new files in as-of order, then a match over everything in scope" },
    { "rerun", cmd_rerun, "[RUN] [--out DIR]",
      "re-execute a past run on the data as it stood; compare its reports byte for byte" },
    { "diff", cmd_diff, "RUN_A RUN_B", "the findings and gates that changed between two runs" },
    { "audit", cmd_audit, "",
      "verify the hash chain of the audit trail and print its head (exit 4 when broken)" },
};
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

static void usage_all(FILE *f)
{
    fprintf(f, "usage: xverify [--db PATH] COMMAND [ARGS]\n\ncommands:\n");
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nThe database is --db PATH, else $XVERIFY_DB, else ./xverify.db.\n"
               "xverify COMMAND --help describes one command.\n");
}

static const struct cmd *find_cmd(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

void xv_cmd_help(const char *name)
{
    const struct cmd *c = find_cmd(name);
    if (c)
        printf("usage: xverify %s %s\n\n%s.\n", c->name, c->usage, c->summary);
}

int xv_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    const struct cmd *c = find_cmd(cmd);
    fputs("xverify: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (c)
        fprintf(stderr, "usage: xverify %s %s\n", c->name, c->usage);
    return XV_EUSAGE;
}

int xv_getopt(struct xv_ctx *ctx, const char *cmd, int argc, char **argv,
              const struct option *opts)
{
    static char **started;
    struct option all[32];
    int n = 0, c;
    while (opts[n].name && n < 29) {
        all[n] = opts[n];
        n++;
    }
    all[n++] = (struct option){ "db", required_argument, NULL, 0x100 };
    all[n++] = (struct option){ "help", no_argument, NULL, 0x101 };
    all[n] = (struct option){ NULL, 0, NULL, 0 };
    if (started != argv) {
        started = argv;
        optind = 0;
        opterr = 0;
    }
    c = getopt_long(argc, argv, "", all, NULL);
    if (c == 0x100) {
        ctx->db_path = optarg;
        return xv_getopt(ctx, cmd, argc, argv, opts);
    }
    if (c == 0x101) {
        xv_cmd_help(cmd);
        return XV_OPT_HELP;
    }
    if (c == '?' || c == ':') {
        xv_usage(cmd, "unknown option or missing value: '%s'", argv[optind - 1]);
        return XV_OPT_BAD;
    }
    return c;
}

int xv_parse_run(const char *cmd, const char *s, long long *id)
{
    char *end;
    errno = 0;
    *id = strtoll(s, &end, 10);
    if (!*s || *end || errno || *id <= 0)
        return xv_usage(cmd, "'%s' is not a run number", s);
    return 0;
}

int xv_db(struct xv_ctx *ctx, sqlite3 **db)
{
    if (!ctx->db) {
        int rc = store_open(ctx->db_path, &ctx->db);
        if (rc < 0)
            return rc;
    }
    *db = ctx->db;
    return 0;
}

/* Refuses every external entity, whatever parser options a caller passes. */
static xmlParserInputPtr deny_entities(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)id;
    (void)ctxt;
    fprintf(stderr, "xverify: external entity '%s' refused\n", url ? url : "(null)");
    return NULL;
}

/* What an allocation failure ends in: exit code 5, as cli.md gives for an internal error. */
static void __attribute__((noreturn)) exit_fatal(void)
{
    exit(5);
}

int main(int argc, char **argv)
{
    struct xv_ctx ctx = { NULL, NULL };
    int rc, i = 1;
    xv_set_fatal(exit_fatal);
    ctx.db_path = getenv("XVERIFY_DB");
    if (!ctx.db_path || !*ctx.db_path)
        ctx.db_path = "xverify.db";
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_all(stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(argv[i], "--version")) {
            printf("xverify %s\n", XV_VERSION);
            rc = 0;
            goto out;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            ctx.db_path = argv[i + 1];
            i += 2;
        } else if (!strncmp(argv[i], "--db=", 5)) {
            ctx.db_path = argv[i] + 5;
            i++;
        } else {
            fprintf(stderr, "xverify: unknown option '%s'\n", argv[i]);
            usage_all(stderr);
            rc = XV_EUSAGE;
            goto out;
        }
    }
    if (i >= argc) {
        usage_all(stderr);
        rc = XV_EUSAGE;
        goto out;
    }
    const struct cmd *c = find_cmd(argv[i]);
    if (!c) {
        fprintf(stderr, "xverify: '%s' is not a command\n", argv[i]);
        usage_all(stderr);
        rc = XV_EUSAGE;
        goto out;
    }
    xmlInitParser();
    xmlSetExternalEntityLoader(deny_entities);
    rules_catalogue_init();
    if ((rc = norm_init()) < 0)
        goto out;
    rc = c->fn(argc - i, argv + i, &ctx);
    int crc = store_close(ctx.db);
    if (rc == 0 && crc < 0)
        rc = crc;
    norm_fini();
    xmlCleanupParser();
out:
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fprintf(stderr, "xverify: writing standard output: %s\n", strerror(errno));
        if (rc == 0 || rc == XV_ENEEDS)
            rc = XV_EIO;
    }
    return xv_exit_code(rc);
}
