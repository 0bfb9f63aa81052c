/* xverify.c: the program's entry point: global options, the command and its exit code. */
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

/* Runs command C on ARGV (ARGC words after its name). */
static int run_command(const struct cmd *c, int argc, char **argv, struct xv_ctx *ctx)
{
    struct args a;
    int rc = args_parse(c, argc, argv, ctx, &a);
    if (rc == 1)
        rc = 0;   /* --help */
    else if (rc == 0)
        rc = c->fn(&a, ctx);
    args_free(&a);
    return rc;
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
            help_all(stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(argv[i], "--version")) {
            printf("xverify %s\n", XV_VERSION);
            rc = 0;
            goto out;
        } else if (!strcmp(argv[i], "--man")) {
            help_man(stdout);
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
            help_all(stderr);
            rc = XV_EUSAGE;
            goto out;
        }
    }
    if (i >= argc) {
        help_all(stderr);
        rc = XV_EUSAGE;
        goto out;
    }
    const struct cmd *c = cmd_find(argv[i]);
    if (!c) {
        fprintf(stderr, "xverify: '%s' is not a command\n", argv[i]);
        help_all(stderr);
        rc = XV_EUSAGE;
        goto out;
    }
    xmlInitParser();
    xmlSetExternalEntityLoader(deny_entities);
    rules_catalogue_init();
    if ((rc = norm_init()) < 0)
        goto out;
    ctx.may_create = c->creates;
    ctx.read_only = c->reads;
    rc = run_command(c, argc - i - 1, argv + i + 1, &ctx);
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
