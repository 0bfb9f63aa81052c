/* cli.c: unit tests of cli/args.c: the command table read as the parser reads it. */
#include <stdio.h>
#include <string.h>
#include "../../cli/cmd.h"
#include "unit.h"

/* Parses the words of LINE (space-separated, at most 15) for command NAME; returns what
 * args_parse returned, with A filled (the caller frees it). */
static int parse(const char *name, const char *line, struct args *a, struct xv_ctx *ctx)
{
    static char buf[512];
    char *argv[16];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *p = buf; *p && argc < 15;) {
        argv[argc++] = p;
        p += strcspn(p, " ");
        if (*p)
            *p++ = '\0';
    }
    return args_parse(cmd_find(name), argc, argv, ctx, a);
}

static void expect(const char *name, const char *line, int want, const char *why)
{
    struct args a;
    struct xv_ctx ctx = { "x.db", NULL };
    int rc = parse(name, line, &a, &ctx);
    CHECK(rc == want, "%s %s: %d, not %d (%s)", name, line, rc, want, why);
    args_free(&a);
}

void test_cli_args(void)
{
    struct args a;
    struct xv_ctx ctx = { "x.db", NULL };
    int n = 0;
    printf("(the next usage errors are expected)\n");
    fflush(stdout);
    CHECK(parse("match", "--applicant A1 --as-of=2026-11-01 --applicant A2 --db y.db", &a,
                &ctx) == 0, "match parses");
    char **list = arg_list(&a, "applicant", &n);
    CHECK(n == 2 && !strcmp(list[0], "A1") && !strcmp(list[1], "A2"), "a repeated option");
    CHECK(!strcmp(arg_value(&a, "as-of"), "2026-11-01") && !arg_value(&a, "policy"),
          "--opt=value, and an option not given");
    CHECK(!strcmp(ctx.db_path, "y.db"), "--db after the command");
    args_free(&a);
    CHECK(parse("review", "abc --confirm --by x --level city --reason y", &a, &ctx) == 0 &&
          a.noperand == 1 && !strcmp(a.operand[0], "abc") && arg_value(&a, "confirm") &&
          !arg_value(&a, "dismiss"), "a flag of a group");
    args_free(&a);
    CHECK(parse("show", "-- --odd", &a, &ctx) == 0 && a.noperand == 1 &&
          !strcmp(a.operand[0], "--odd"), "an operand after --");
    args_free(&a);
    expect("review", "abc --by x --level city --reason y", XV_EUSAGE, "no flag of the group");
    expect("review", "abc --dismiss --confirm --by x --level city --reason y", XV_EUSAGE,
           "two flags of one group");
    expect("review", "abc --dismiss --by x --level province --reason y", XV_EUSAGE,
           "not one of the choices");
    expect("review", "abc --dismiss --by x --reason y", XV_EUSAGE, "a required option missing");
    expect("review", "abc --dismiss=1 --by x --level city --reason y", XV_EUSAGE,
           "a flag given a value");
    expect("load", "household", XV_EUSAGE, "too few operands");
    expect("load", "household a.csv b.csv", XV_EUSAGE, "too many operands");
    expect("rerun", "1 2", XV_EUSAGE, "an operand past the optional one");
    expect("load", "household a.csv --encoding", XV_EUSAGE, "a value missing at the end");
    expect("load", "household a.csv -x", XV_EUSAGE, "a short option");
    expect("load", "household a.csv --colour red", XV_EUSAGE, "an unknown option");
    expect("load", "household a.csv --encoding whatever", 0, "free values are the command's");
    expect("report", "--help", 1, "help");
    struct sbuf b = SBUF_INIT;
    cmd_synopsis(cmd_find("review"), &b);
    CHECK(!strcmp(b.s, "xverify review [FINGERPRINT] --dismiss|--confirm|--import FILE --by "
                       "NAME --level county|city [--reason TEXT]"), "synopsis: %s", b.s);
    sbuf_reset(&b);
    cmd_synopsis(cmd_find("match"), &b);
    CHECK(!strcmp(b.s, "xverify match [--as-of DATE] [--applicant ID]... [--policy FILE] "
                       "[--out DIR] [--lang zh|en]"), "synopsis: %s", b.s);
    sbuf_free(&b);
    int options = 0, documented = 0;
    for (const struct cmd *c = xv_commands; c->name; c++)
        for (int i = 0; i < CMD_MAX_OPTS && c->opts[i].name; i++) {
            options++;
            documented += c->opts[i].help && *c->opts[i].help;
        }
    CHECK(options > 20 && documented == options, "every option has its help (%d of %d)",
          documented, options);
}
