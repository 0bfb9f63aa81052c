/* cmd.h: the command table: every subcommand with its operands and options, from which the
 * parser, --help and the manual page are all made; one function per command. */
#ifndef XV_CMD_H
#define XV_CMD_H
#include <sqlite3.h>
#include <stdio.h>

/* What every command is handed. The database is opened on first use by xv_db and closed
 * by main; commands never close it themselves. */
struct xv_ctx {
    const char *db_path;
    sqlite3 *db;
    int may_create;        /* the command may create the database (load, match, nightly) */
    int read_only;         /* the command only reads: the database is opened read-only */
};

/* Opens the database on first use (creating it only when the command may); *DB is owned by
 * CTX. XV_EUSAGE "no database at PATH" otherwise. */
int xv_db(struct xv_ctx *ctx, sqlite3 **db);

/* With --unmasked, which shows ID numbers in full: --by NAME and --reason TEXT are required
 * (a usage error of A's command otherwise), and the act goes into the audit trail (WHAT
 * SUBJECT), before anything is shown. 0 when --unmasked was not given. */
struct args;
int xv_unmasked_audit(const struct args *a, sqlite3 *db, const char *what, const char *subject);

/* Prints S and a newline on stdout with every control character escaped (utf8_printable):
 * a value from a feed or a file name cannot forge a line or drive the terminal. */
void xv_println(const char *s, int keep_tab);
/* printf for lines of values: the text formatted, a trailing newline kept, every other
 * control character escaped. */
void xv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CMD_MAX_OPTS 8

/* One option of a command. */
struct opt {
    const char *name;      /* "as-of": given as --as-of */
    const char *value;     /* what it takes ("DATE"; "county|city": one of these); NULL: a flag */
    int required;          /* it must be given */
    int repeat;            /* it may be given more than once (a list) */
    int group;             /* flags of one group > 0 are alternatives: exactly one is given */
    int choice;            /* the value must be one of VALUE's '|'-separated words */
    const char *help;
};

/* The options and operands a command was given, as the parser read them. */
struct args {
    const struct cmd *cmd;             /* the command they were parsed for */
    char **operand;
    int noperand;
    const char *value[CMD_MAX_OPTS];   /* an option's last value; a flag's "" when given */
    char **list[CMD_MAX_OPTS];         /* a repeatable option's values (owned) */
    int nlist[CMD_MAX_OPTS];
};

struct cmd {
    const char *name;
    int (*fn)(const struct args *a, struct xv_ctx *ctx);
    const char *operands;  /* as the synopsis shows them: "KIND FILE", "[RUN]" */
    int min, max;          /* how many operands */
    const char *expect;    /* the usage error for another count, or NULL: "unexpected argument" */
    const char *summary;   /* one line, for --help and the manual's list */
    const char *about;     /* a paragraph for the manual page, or NULL */
    struct opt opts[CMD_MAX_OPTS];
    int creates;           /* it may create the database; every other command needs one */
    int reads;             /* it never writes: the database is opened read-only */
};

/* The table (cli/commands.c), ending with a NULL name. */
extern const struct cmd xv_commands[];

/* The command named NAME, or NULL. */
const struct cmd *cmd_find(const char *name);
/* Reads ARGV (ARGC words after the command's name) as C's operands and options into A, and
 * --db PATH into CTX. Returns 0; 1 when --help was asked for (the help is printed); or
 * XV_EUSAGE after reporting a usage error. A is the caller's to release with args_free. */
int args_parse(const struct cmd *c, int argc, char **argv, struct xv_ctx *ctx, struct args *a);
void args_free(struct args *a);
/* The value of option NAME of the command A was parsed for (NULL: not given); for a flag, ""
 * when given. For a repeatable option, its values and their count. */
const char *arg_value(const struct args *a, const char *name);
char **arg_list(const struct args *a, const char *name, int *n);

/* Reports a usage error for command C and returns XV_EUSAGE. */
int xv_usage(const struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads a positive number of WHAT ("run", "sample") into *ID; a usage error of C when S is
 * not one. */
int xv_parse_number(const struct cmd *c, const char *s, const char *what, long long *id);
/* xv_parse_number of a run. */
int xv_parse_run(const struct cmd *c, const char *s, long long *id);
struct sbuf;
/* The synopsis of C ("xverify load KIND FILE [--as-of DATE] ..."), appended to B. */
void cmd_synopsis(const struct cmd *c, struct sbuf *b);
/* Prints the program's help, a command's help, or the manual page in roff, on F. */
void help_all(FILE *f);
void help_cmd(FILE *f, const struct cmd *c);
void help_man(FILE *f);

int cmd_load(const struct args *a, struct xv_ctx *ctx);
int cmd_match(const struct args *a, struct xv_ctx *ctx);
int cmd_show(const struct args *a, struct xv_ctx *ctx);
int cmd_report(const struct args *a, struct xv_ctx *ctx);
int cmd_review(const struct args *a, struct xv_ctx *ctx);
int cmd_approve(const struct args *a, struct xv_ctx *ctx);
int cmd_audit(const struct args *a, struct xv_ctx *ctx);
int cmd_check(const struct args *a, struct xv_ctx *ctx);
int cmd_key(const struct args *a, struct xv_ctx *ctx);
int cmd_exit(const struct args *a, struct xv_ctx *ctx);
int cmd_relieve(const struct args *a, struct xv_ctx *ctx);
int cmd_object(const struct args *a, struct xv_ctx *ctx);
int cmd_reject(const struct args *a, struct xv_ctx *ctx);
int cmd_withdraw(const struct args *a, struct xv_ctx *ctx);
int cmd_sample(const struct args *a, struct xv_ctx *ctx);
int cmd_spotcheck(const struct args *a, struct xv_ctx *ctx);
/* One sign-off of procedure PROC (procedures/approve.h) as A's --level and --by ask, with
 * REASON, and its report on stdout; approve, exit and relieve share it. */
int xv_signoff(const struct args *a, struct xv_ctx *ctx, int proc, const char *reason);
int cmd_policy(const struct args *a, struct xv_ctx *ctx);
int cmd_nightly(const struct args *a, struct xv_ctx *ctx);
int cmd_rerun(const struct args *a, struct xv_ctx *ctx);
int cmd_diff(const struct args *a, struct xv_ctx *ctx);

#endif
