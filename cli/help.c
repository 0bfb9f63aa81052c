/* help.c: --help, CMD --help and the manual page xverify(1), all from the command table. */
#include <stdio.h>
#include <string.h>
#include "../core/run.h"
#include "../core/util.h"
#include "cmd.h"

void help_all(FILE *f)
{
    fprintf(f, "usage: xverify [--db PATH] COMMAND [ARGS]\n\ncommands:\n");
    for (const struct cmd *c = xv_commands; c->name; c++)
        fprintf(f, "  %-8s %s\n", c->name, c->summary);
    fprintf(f, "\nThe database is --db PATH, else $XVERIFY_DB, else ./xverify.db.\n"
               "xverify COMMAND --help describes one command; man xverify tells the rest.\n");
}

void help_cmd(FILE *f, const struct cmd *c)
{
    struct sbuf b = SBUF_INIT;
    cmd_synopsis(c, &b);
    fprintf(f, "usage: %s\n\n%s.\n", b.s, c->summary);
    for (int i = 0; i < CMD_MAX_OPTS && c->opts[i].name; i++) {
        if (i == 0)
            fputs("\noptions:\n", f);
        const struct opt *o = &c->opts[i];
        sbuf_reset(&b);
        sbuf_addf(&b, "--%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
        fprintf(f, "  %-28s %s\n", b.s, o->help);
    }
    sbuf_free(&b);
}

/* S for roff: a backslash doubled, a leading dot or quote escaped, every '-' as \-. */
static void roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

static const char *const exits[][2] = {
    { "0", "done" },
    { "1", "done, but something needs a person: rows quarantined, a file refused in a nightly "
           "run, an approval or a review refused" },
    { "2", "usage error: unknown command or option, missing argument, unknown run, "
           "fingerprint, application or county" },
    { "3", "data error: a file unreadable, wrong encoding, required columns missing, "
           "quarantine over the limit; nothing loaded" },
    { "4", "the database is locked by another run, is not an xverify database, or failed its "
           "check" },
    { "5", "an internal error or an I/O failure (disk full): nothing partial was committed" },
};

void help_man(FILE *f)
{
    struct sbuf b = SBUF_INIT;
    fprintf(f, ".TH XVERIFY 1 \"\" \"xverify %s\" \"User Commands\"\n.SH NAME\n"
               "xverify \\- cross-check hardship archive applicants against government feeds\n"
               ".SH SYNOPSIS\n.B xverify\n[\\-\\-db PATH] COMMAND [ARGS]\n.br\n"
               ".B xverify\n\\-\\-help | \\-\\-version\n.SH DESCRIPTION\n", XV_VERSION);
    fputs("xverify loads the feeds of household registration, social insurance, business "
          "registration, property and vehicles, links every applicant and family member to "
          "their records, applies the eligibility rules and writes the reports whose gate "
          "decides archive approval. Its user's guide is in the docs/ folder of its "
          "source.\n.SH COMMANDS\n", f);
    for (const struct cmd *c = xv_commands; c->name; c++) {
        sbuf_reset(&b);
        cmd_synopsis(c, &b);
        fputs(".TP\n.B ", f);
        roff(f, b.s);
        fputc('\n', f);
        roff(f, c->summary);
        fputs(".\n", f);
        if (c->about) {
            fputs(".br\n", f);
            roff(f, c->about);
            fputc('\n', f);
        }
        for (int i = 0; i < CMD_MAX_OPTS && c->opts[i].name; i++) {
            const struct opt *o = &c->opts[i];
            sbuf_reset(&b);
            sbuf_addf(&b, "--%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
            fputs(".RS\n.TP\n.B ", f);
            roff(f, b.s);
            fputc('\n', f);
            roff(f, o->help);
            fputs("\n.RE\n", f);
        }
    }
    fputs(".SH EXIT STATUS\n", f);
    for (size_t i = 0; i < sizeof exits / sizeof exits[0]; i++)
        fprintf(f, ".TP\n.B %s\n%s\n", exits[i][0], exits[i][1]);
    fputs(".SH ENVIRONMENT\n.TP\n.B XVERIFY_DB\nthe database when \\-\\-db is not given "
          "(default ./xverify.db)\n.SH FILES\n.TP\n.I reports/RUN/\na run's report files: "
          "findings.csv, gates.csv, findings.xml, summary.txt, county\\-CODE.html\n", f);
    sbuf_free(&b);
}
