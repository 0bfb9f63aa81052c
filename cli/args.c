/* args.c: reads a command's operands and options as its entry in the command table says, and
 * opens the database when the command first asks for it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/utf8.h"
#include "cmd.h"

const struct cmd *cmd_find(const char *name)
{
    for (const struct cmd *c = xv_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

/* The synopsis of C: "KIND FILE [--as-of DATE] ...", into B. */
void cmd_synopsis(const struct cmd *c, struct sbuf *b)
{
    sbuf_addf(b, "xverify %s%s%s", c->name, *c->operands ? " " : "", c->operands);
    for (int i = 0; i < CMD_MAX_OPTS && c->opts[i].name; i++) {
        const struct opt *o = &c->opts[i];
        if (o->group && i > 0 && c->opts[i - 1].group == o->group)
            continue;   /* printed with the first of its group */
        sbuf_adds(b, o->required || o->group ? " " : " [");
        sbuf_addf(b, "--%s", o->name);
        for (int j = i + 1; o->group && j < CMD_MAX_OPTS && c->opts[j].group == o->group; j++)
            sbuf_addf(b, "|--%s%s%s", c->opts[j].name, c->opts[j].value ? " " : "",
                      c->opts[j].value ? c->opts[j].value : "");
        if (o->value)
            sbuf_addf(b, " %s", o->value);
        sbuf_adds(b, o->required || o->group ? "" : "]");
        if (o->repeat)
            sbuf_adds(b, "...");
    }
}

int xv_usage(const struct cmd *c, const char *fmt, ...)
{
    va_list ap;
    struct sbuf b = SBUF_INIT;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    xv_fail(XV_EUSAGE, "%s", msg);
    cmd_synopsis(c, &b);
    fprintf(stderr, "usage: %s\n", b.s);
    sbuf_free(&b);
    return XV_EUSAGE;
}

int xv_parse_number(const struct cmd *c, const char *s, const char *what, long long *id)
{
    char *end;
    errno = 0;
    *id = strtoll(s, &end, 10);
    if (!*s || *end || errno || *id <= 0)
        return xv_usage(c, "'%s' is not a %s number", s, what);
    return 0;
}

int xv_parse_run(const struct cmd *c, const char *s, long long *id)
{
    return xv_parse_number(c, s, "run", id);
}

/* "a, b or c" for the choices "a|b|c", into B. */
static void choices(const char *value, struct sbuf *b)
{
    int n = 1, i = 0;
    for (const char *p = value; *p; p++)
        n += *p == '|';
    for (const char *p = value; *p; i++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        sbuf_adds(b, i == 0 ? "" : i == n - 1 ? " or " : ", ");
        sbuf_add(b, p, len);
        p += len + (bar != NULL);
    }
}

/* 1 when V is one of the choices "a|b|c". */
static int is_choice(const char *choices_, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices_; p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
        if (!strncmp(p, v, n) && (p[n] == '|' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Option O (index I of C) with value V (NULL for a flag). */
static int take(const struct cmd *c, int i, const char *v, struct args *a)
{
    const struct opt *o = &c->opts[i];
    if (v && o->choice && !is_choice(o->value, v)) {
        struct sbuf b = SBUF_INIT;
        choices(o->value, &b);
        int rc = xv_usage(c, "--%s must be %s", o->name, b.s);
        sbuf_free(&b);
        return rc;
    }
    if (o->group)
        for (int j = 0; j < CMD_MAX_OPTS && c->opts[j].name; j++)
            if (j != i && c->opts[j].group == o->group && a->value[j]) {
                struct sbuf b = SBUF_INIT;
                for (int k = 0; k < CMD_MAX_OPTS && c->opts[k].name; k++)
                    if (c->opts[k].group == o->group)
                        sbuf_addf(&b, "%s--%s", b.len ? " and " : "", c->opts[k].name);
                int rc = xv_usage(c, "give one of %s", b.s);
                sbuf_free(&b);
                return rc;
            }
    a->value[i] = v ? v : "";
    if (o->repeat) {
        a->list[i] = xrealloc(a->list[i], (size_t)(a->nlist[i] + 1) * sizeof *a->list[i]);
        a->list[i][a->nlist[i]++] = (char *)v;
    }
    return 0;
}

/* One word ARG that starts with "--": the option, its value (from "=" or the next word, *I
 * moving on), or --db or --help. */
static int option(const struct cmd *c, int argc, char **argv, int *i, struct xv_ctx *ctx,
                  struct args *a)
{
    const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    if (len == 4 && !strncmp(arg, "help", 4) && !eq) {
        help_cmd(stdout, c);
        return 1;
    }
    int db = len == 2 && !strncmp(arg, "db", 2), k = -1;
    for (int j = 0; !db && j < CMD_MAX_OPTS && c->opts[j].name; j++)
        if (strlen(c->opts[j].name) == len && !strncmp(c->opts[j].name, arg, len))
            k = j;
    int wants = db || (k >= 0 && c->opts[k].value);
    if ((!db && k < 0) || (!wants && eq) || (wants && !eq && *i + 1 >= argc))
        return xv_usage(c, "unknown option or missing value: '%s'", argv[*i]);
    const char *v = !wants ? NULL : eq ? eq + 1 : argv[++*i];
    if (db) {
        ctx->db_path = v;
        return 0;
    }
    return take(c, k, v, a);
}

/* What the table asks of every command once its words are read: the operand count, the
 * required options and one of each group. */
static int complete(const struct cmd *c, const struct args *a)
{
    if (a->noperand < c->min || a->noperand > c->max) {
        if (c->expect)
            return xv_usage(c, "%s", c->expect);
        if (a->noperand > c->max)
            return xv_usage(c, "unexpected argument '%s'", a->operand[c->max]);
    }
    for (int i = 0; i < CMD_MAX_OPTS && c->opts[i].name; i++) {
        const struct opt *o = &c->opts[i];
        if (o->required && !a->value[i]) {
            if (!o->choice)
                return xv_usage(c, "--%s %s is required", o->name, o->value);
            struct sbuf b = SBUF_INIT;
            choices(o->value, &b);
            int rc = xv_usage(c, "--%s must be %s", o->name, b.s);
            sbuf_free(&b);
            return rc;
        }
        if (o->group && (i == 0 || c->opts[i - 1].group != o->group)) {
            int given = 0;
            struct sbuf b = SBUF_INIT;
            for (int j = i; j < CMD_MAX_OPTS && c->opts[j].group == o->group; j++) {
                given += a->value[j] != NULL;
                sbuf_addf(&b, "%s--%s", b.len ? " or " : "", c->opts[j].name);
            }
            int rc = given ? 0 : xv_usage(c, "give %s", b.s);
            sbuf_free(&b);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

int args_parse(const struct cmd *c, int argc, char **argv, struct xv_ctx *ctx, struct args *a)
{
    int rc, only_operands = 0;
    memset(a, 0, sizeof *a);
    a->cmd = c;
    a->operand = xcalloc((size_t)argc + 1, sizeof *a->operand);
    for (int i = 0; i < argc; i++) {
        if (!only_operands && !strcmp(argv[i], "--")) {
            only_operands = 1;
        } else if (!only_operands && argv[i][0] == '-' && argv[i][1] == '-') {
            if ((rc = option(c, argc, argv, &i, ctx, a)) != 0)
                return rc;
        } else if (!only_operands && argv[i][0] == '-' && argv[i][1]) {
            return xv_usage(c, "unknown option or missing value: '%s'", argv[i]);
        } else {
            a->operand[a->noperand++] = argv[i];
        }
    }
    return complete(c, a);
}

void args_free(struct args *a)
{
    free(a->operand);
    for (int i = 0; i < CMD_MAX_OPTS; i++)
        free(a->list[i]);
    memset(a, 0, sizeof *a);
}

/* The index of option NAME in C; a programming error (exit 5) when it has none. */
static int index_of(const struct cmd *c, const char *name)
{
    for (int i = 0; i < CMD_MAX_OPTS && c->opts[i].name; i++)
        if (!strcmp(c->opts[i].name, name))
            return i;
    xv_fatal("an option the command table does not have was asked for");
}

const char *arg_value(const struct args *a, const char *name)
{
    return a->value[index_of(a->cmd, name)];
}

char **arg_list(const struct args *a, const char *name, int *n)
{
    int i = index_of(a->cmd, name);
    *n = a->nlist[i];
    return a->list[i];
}


int xv_unmasked_audit(const struct args *a, sqlite3 *db, const char *what, const char *subject)
{
    const char *by = arg_value(a, "by"), *reason = arg_value(a, "reason");
    if (!arg_value(a, "unmasked"))
        return 0;
    if (!by || !*by || !reason || !*reason)
        return xv_usage(a->cmd, "--unmasked needs --by NAME and --reason TEXT: it is audited");
    struct sbuf d = SBUF_INIT;
    sbuf_addf(&d, "%s %s with ID numbers in full, by %s: %s", what, subject, by, reason);
    int rc = store_begin(db);
    if (rc == 0 && (rc = audit_append(db, "unmasked", subject, d.s)) == 0)
        rc = store_commit(db);
    else if (rc < 0)
        store_rollback(db);
    sbuf_free(&d);
    return rc;
}

int xv_db(struct xv_ctx *ctx, sqlite3 **db)
{
    if (!ctx->db) {
        int rc = store_open(ctx->db_path, ctx->may_create ? STORE_CREATE
                                 : ctx->read_only ? STORE_READONLY : STORE_RW, &ctx->db);
        if (rc < 0)
            return rc;
    }
    *db = ctx->db;
    return 0;
}

void xv_println(const char *s, int keep_tab)
{
    struct sbuf b = SBUF_INIT;
    utf8_printable(s, keep_tab, &b);
    printf("%s\n", b.s);
    sbuf_free(&b);
}

void xv_printf(const char *fmt, ...)
{
    struct sbuf b = SBUF_INIT, e = SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        sbuf_reserve(&b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b.s, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b.len = (size_t)n;
    }
    int nl = b.len && b.s[b.len - 1] == '\n';
    if (nl)
        b.s[--b.len] = '\0';
    utf8_printable(sbuf_str(&b), 1, &e);
    fputs(e.s, stdout);
    if (nl)
        fputc('\n', stdout);
    sbuf_free(&b);
    sbuf_free(&e);
}
