/* cmd.h: the command table: one function per subcommand, each in a file of its module. */
#ifndef XV_CMD_H
#define XV_CMD_H
#include <sqlite3.h>


/* What every command is handed. The database is opened on first use by xv_db and closed
 * by main; commands never close it themselves. */
struct xv_ctx {
    const char *db_path;
    sqlite3 *db;
};

/* Opens the database (creating it) on first use; *DB is owned by CTX. */
int xv_db(struct xv_ctx *ctx, sqlite3 **db);

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv, struct xv_ctx *ctx);
    const char *usage;     /* arguments after the command name */
    const char *summary;
};

/* Reports a usage error for command CMD and returns XV_EUSAGE. */
int xv_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct option;
/* The options of command CMD, one per call, getopt_long style. OPTS lists the command's own
 * options (ending with a NULL name); --db and --help are every command's and handled here.
 * Returns the next option's value; -1 at the end (optind is then the first argument);
 * XV_OPT_HELP after printing the help (the command returns 0); XV_OPT_BAD after reporting a
 * usage error (the command returns XV_EUSAGE). Starts over when ARGV changes. */
int xv_getopt(struct xv_ctx *ctx, const char *cmd, int argc, char **argv,
              const struct option *opts);
#define XV_OPT_HELP (-100)
#define XV_OPT_BAD (-101)
/* Reads a run number for command CMD into *ID; a usage error when S is not one. */
int xv_parse_run(const char *cmd, const char *s, long long *id);
/* Prints CMD's help on stdout. */
void xv_cmd_help(const char *cmd);

int cmd_load(int argc, char **argv, struct xv_ctx *ctx);
int cmd_match(int argc, char **argv, struct xv_ctx *ctx);
int cmd_show(int argc, char **argv, struct xv_ctx *ctx);
int cmd_report(int argc, char **argv, struct xv_ctx *ctx);
int cmd_review(int argc, char **argv, struct xv_ctx *ctx);
int cmd_approve(int argc, char **argv, struct xv_ctx *ctx);
int cmd_audit(int argc, char **argv, struct xv_ctx *ctx);
int cmd_nightly(int argc, char **argv, struct xv_ctx *ctx);
int cmd_rerun(int argc, char **argv, struct xv_ctx *ctx);
int cmd_diff(int argc, char **argv, struct xv_ctx *ctx);

#endif
