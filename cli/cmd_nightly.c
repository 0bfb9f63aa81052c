/* cmd_nightly.c: "xverify nightly --inbox DIR": load the inbox's new files in as-of order, then
 * match and report. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/hooks.h"
#include "../ingest/loader.h"
#include "drive.h"
#include "cmd.h"
#include "../core/err.h"
#include "../core/kinds.h"
#include "../core/loads.h"
#include "../core/msg.h"
#include "../core/official.h"
#include "../core/policy.h"
#include "../core/utf8.h"
#include "../core/util.h"
#include "../ingest/norm.h"

struct inbox_file {
    char *name;              /* in the inbox */
    const struct kind *kind;
    char as_of[11];          /* YYYY-MM-DD from the name */
    const char *refused;     /* why the name is refused, or NULL */
};

/* NAME as a log line may show it: a control character (a line break that would forge a line
 * of the cron log, say) as '?', and at most 200 bytes. */
static const char *shown(const char *name, char out[208])
{
    size_t i = 0;
    for (; name[i] && i < 200; i++)
        out[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7F ? '?' : name[i];
    out[i] = '\0';
    if (name[i])
        memcpy(out + i, "...", 4);
    return out;
}

const char *nightly_name(const char *name, const struct kind **kind, char as_of[11])
{
    const char *dash = strchr(name, '-');
    size_t n = strlen(name);
    char kname[32];
    struct sbuf plain = SBUF_INIT;
    *kind = NULL;
    as_of[0] = '\0';
    /* a name that would print otherwise than it reads (controls, bidirectional overrides,
     * bytes that are not UTF-8) is refused before anything else */
    utf8_printable(name, 0, &plain);
    int same = !strcmp(plain.s, name);
    sbuf_free(&plain);
    if (!same)
        return "its name holds a control character or bytes that are not UTF-8";
    if (!dash || n < 4 || (strcmp(name + n - 4, ".csv") && strcmp(name + n - 4, ".xml")))
        return "its name is not KIND-YYYYMMDD[-anything].csv|xml";
    if ((size_t)(dash - name) >= sizeof kname)
        return "its name names no known kind";
    memcpy(kname, name, (size_t)(dash - name));
    kname[dash - name] = '\0';
    const struct kind *k = kind_find(kname);
    if (!k || strcmp(k->name, kname))
        return "its name names no known kind";
    int digits = 1;
    for (int i = 1; i <= 8 && digits; i++)
        digits = dash[i] >= '0' && dash[i] <= '9';
    if (!digits || (dash[9] != '-' && dash + 9 != name + n - 4))
        return "its name has no date YYYYMMDD after the kind";
    char iso[11], norm[11];
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", dash + 1, dash + 5, dash + 7);
    if (norm_date(iso, norm) < 0 || strcmp(norm, iso))
        return "the date in its name is not a real date";
    *kind = k;
    memcpy(as_of, iso, 11);
    return NULL;
}

/* Fills F from NAME (nightly_name), with F->refused set when the name is refused. */
static void parse_name(const char *name, struct inbox_file *f)
{
    memset(f, 0, sizeof *f);
    f->refused = nightly_name(name, &f->kind, f->as_of);
}

/* Refused names first; then as-of order; on one date, in the order of the kind table
 * (applications first), then by name. */
static int cmp_file(const void *x, const void *y)
{
    const struct inbox_file *a = x, *b = y;
    if (!a->refused != !b->refused)
        return a->refused ? -1 : 1;
    int c = strcmp(a->as_of, b->as_of);
    if (c)
        return c;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* 1 when something (a link included, which is not followed) is at PATH, or at PATH.error. */
static int taken(const char *path)
{
    struct stat sb;
    struct sbuf e = SBUF_INIT;
    sbuf_addf(&e, "%s.error", path);
    int t = lstat(path, &sb) == 0 || lstat(e.s, &sb) == 0;
    sbuf_free(&e);
    return t;
}

/* Moves DIR/NAME into DIR/SUB/, a real folder (not a link), under a name that neither a file
 * nor its .error file has there yet. */
static int move_to(const char *dir, const char *sub, const char *name, struct sbuf *dest)
{
    struct sbuf from = SBUF_INIT, d = SBUF_INIT;
    struct stat sb;
    int rc = 0;
    sbuf_addf(&d, "%s/%s", dir, sub);
    if (mkdir(d.s, 0777) != 0 && errno != EEXIST) {
        rc = xv_fail(XV_EIO, "cannot create folder '%s': %s", d.s, strerror(errno));
        goto done;
    }
    if (lstat(d.s, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        rc = xv_fail(XV_EIO, "'%s' is not a folder (a symbolic link is not followed); the "
                     "night stops", d.s);
        goto done;
    }
    sbuf_addf(&from, "%s/%s", dir, name);
    sbuf_reset(dest);
    sbuf_addf(dest, "%s/%s", d.s, name);
    for (int i = 1; taken(dest->s); i++) {
        sbuf_reset(dest);
        sbuf_addf(dest, "%s/%s.%d", d.s, name, i);
    }
    if (rename(from.s, dest->s) != 0)
        rc = xv_fail(XV_EIO, "cannot move '%s' to '%s': %s", from.s, dest->s, strerror(errno));
done:
    sbuf_free(&from);
    sbuf_free(&d);
    return rc;
}

static int write_error_file(const char *path, const char *message)
{
    struct sbuf p = SBUF_INIT;
    int rc = 0;
    sbuf_addf(&p, "%s.error", path);
    /* a new file, never through a link planted under its name */
    int fd = open(p.s, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f && fd >= 0)
        close(fd);
    if (!f || fprintf(f, "%s\n", message) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = xv_fail(XV_EIO, "cannot write '%s': %s", p.s, strerror(errno));
    if (f && fclose(f) != 0 && rc == 0)
        rc = xv_fail(XV_EIO, "cannot write '%s': %s", p.s, strerror(errno));
    sbuf_free(&p);
    return rc;
}

/* KIND.map, a known kind's mapping file, stays in the inbox for the nights to come. */
static int is_mapping(const char *name)
{
    size_t n = strlen(name);
    char kind[32];
    if (n < 5 || n - 4 >= sizeof kind || strcmp(name + n - 4, ".map"))
        return 0;
    memcpy(kind, name, n - 4);
    kind[n - 4] = '\0';
    const struct kind *k = kind_find(kind);
    return k && !strcmp(k->name, kind);
}

static int scan(const char *dir, struct inbox_file **out, int *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    *out = NULL;
    *n = 0;
    if (!d)
        return xv_fail(XV_EUSAGE, "cannot read the inbox '%s': %s", dir, strerror(errno));
    while ((e = readdir(d))) {
        struct inbox_file f;
        struct stat sb;
        struct sbuf p = SBUF_INIT;
        sbuf_addf(&p, "%s/%s", dir, e->d_name);
        /* links are not followed: one is refused (moved aside as the link it is) */
        int got = lstat(p.s, &sb) == 0, link = got && S_ISLNK(sb.st_mode);
        sbuf_free(&p);
        if (!got || (!link && !S_ISREG(sb.st_mode)) || e->d_name[0] == '.')
            continue;
        if (is_mapping(e->d_name) && !link)
            continue;
        parse_name(e->d_name, &f);
        if (link)
            f.refused = "it is a symbolic link, which the nightly run does not follow";
        f.name = xstrdup(e->d_name);
        *out = xrealloc(*out, (size_t)(*n + 1) * sizeof **out);
        (*out)[(*n)++] = f;
    }
    closedir(d);
    if (*n > 1)
        qsort(*out, (size_t)*n, sizeof **out, cmp_file);
    return 0;
}

/* What the night's files came to. */
struct tally {
    int loaded, same, refused, needs;
};

/* Sets inbox file NAME aside in rejected/ with a .error file saying WHY. */
static int refuse(const char *inbox, const char *name, const char *why, struct tally *t)
{
    struct sbuf dest = SBUF_INIT;
    char buf[208];
    int rc;
    if ((rc = move_to(inbox, "rejected", name, &dest)) == 0 &&
        (rc = write_error_file(dest.s, why)) == 0)
        fprintf(stderr, "xverify: nightly: %s: refused; moved to rejected/ with its .error\n",
                shown(name, buf));
    sbuf_free(&dest);
    t->needs = 1;
    t->refused++;
    return rc;
}

/* Loads inbox file F and moves it to done/, or, refused, to rejected/ with its .error file.
 * Returns 0, or the code of a failure that stops the night (locked, I/O, internal: the file
 * stays for the next run). */
static int load_one(sqlite3 *db, const char *inbox, const struct inbox_file *f,
                    const struct policy *pol, struct tally *t)
{
    struct ldr_opts o = { 0 };
    struct ldr_result r;
    struct stat sb;
    struct sbuf path = SBUF_INIT, map = SBUF_INIT, dest = SBUF_INIT;
    if (f->refused) {
        char buf[208];
        fprintf(stderr, "xverify: nightly: %s: %s\n", shown(f->name, buf), f->refused);
        return refuse(inbox, f->name, f->refused, t);
    }
    sbuf_addf(&path, "%s/%s", inbox, f->name);
    sbuf_addf(&map, "%s/%s.map", inbox, f->kind->name);
    o.kind = f->kind->name;
    o.file = path.s;
    o.as_of = f->as_of;      /* the name's date, whatever else the file or mapping says */
    o.as_of_by = "file name";
    o.map = lstat(map.s, &sb) == 0 ? map.s : NULL;   /* a link there is refused on opening */
    o.quarantine_limit = pol->v[P_QUARANTINE_LIMIT];
    o.progress = isatty(STDERR_FILENO);
    int rc = ldr_run(db, &o, &r);
    if (rc == 0 || rc == XV_ENEEDS) {
        ldr_print(stdout, &r);
        hook_crash_point("load-committed");
        int mrc = move_to(inbox, "done", f->name, &dest);
        if (mrc == 0)
            fprintf(stderr, "xverify: nightly: %s: %s; moved to done/\n", f->name,
                    r.same_as ? "already loaded" : rc ? "loaded, records quarantined"
                                                    : "loaded");
        t->needs |= rc == XV_ENEEDS;
        if (r.same_as)
            t->same++;
        else
            t->loaded++;
        rc = mrc;
    } else if (rc == XV_EDATA || rc == XV_EUSAGE) {
        /* the file is refused, nothing of it stored: set aside with the reason */
        char *why = xstrdup(xv_last_error());
        rc = refuse(inbox, f->name, why, t);
        free(why);
    }
    ldr_result_free(&r);
    sbuf_free(&path);
    sbuf_free(&map);
    sbuf_free(&dest);
    return rc;
}

/* One nightly run at a time per database: a second one stops at once, having done nothing.
 * *FD holds the lock until it is closed. */
static int take_lock(const char *db_path, int *fd)
{
    struct sbuf lock = SBUF_INIT;
    int rc = 0;
    /* the database's real path, so that a linked alias of it takes the same lock */
    char *real = realpath(db_path, NULL);
    sbuf_addf(&lock, "%s.nightly-lock", real ? real : db_path);
    free(real);
    *fd = open(lock.s, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (*fd < 0)
        rc = xv_fail(XV_EIO, "cannot open the lock file '%s': %s", lock.s, strerror(errno));
    else if (flock(*fd, LOCK_EX | LOCK_NB) != 0)
        rc = xv_fail(XV_ELOCKED, "another nightly run is working on '%s'", db_path);
    sbuf_free(&lock);
    return rc;
}

int cmd_nightly(const struct args *a, struct xv_ctx *ctx)
{
    const char *inbox = arg_value(a, "inbox"), *out = arg_value(a, "out");
    const char *policy_path = arg_value(a, "policy");
    struct inbox_file *files = NULL;
    struct policy pol = { 0 };
    struct tally t = { 0, 0, 0, 0 };
    int rc, nfiles = 0, lockfd = -1;
    long long run_id;
    sqlite3 *db;
    if ((rc = take_lock(ctx->db_path, &lockfd)) < 0 || (rc = scan(inbox, &files, &nfiles)) < 0 ||
        (rc = xv_db(ctx, &db)) < 0)
        goto done;
    /* the quarantine limit: the policy given, else the official one */
    if ((rc = policy_path ? policy_load(policy_path, &pol) : official_policy(db, &pol, NULL)) < 0)
        goto done;
    /* the inbox is a shared folder: nothing in it is read through a link */
    xv_set_nofollow(1);
    for (int i = 0; i < nfiles && rc == 0; i++)
        rc = load_one(db, inbox, &files[i], &pol, &t);
    xv_set_nofollow(0);
    if (rc < 0)
        goto done;
    fprintf(stderr, "xverify: nightly: %d loaded, %d already loaded, %d refused\n", t.loaded,
            t.same, t.refused);
    long long newest = 0;
    if ((rc = loads_newest(db, NULL, &newest, NULL)) < 0)
        goto done;
    if (!newest) {
        /* an inbox whose every file was refused, on a new store: nothing to run on yet */
        fprintf(stderr, "xverify: nightly: nothing is loaded yet; no run\n");
    } else {
        struct match_opts mo = { NULL, NULL, 0, policy_path,
                                 msg_lang_parse(arg_value(a, "lang")) };
        if ((rc = drive_run(db, &mo, out, &run_id)) < 0)
            goto done;
        fprintf(stderr, "xverify: nightly: run %lld done\n", run_id);
    }
    rc = t.needs ? XV_ENEEDS : 0;
done:
    if (lockfd >= 0)
        close(lockfd);
    for (int i = 0; i < nfiles; i++)
        free(files[i].name);
    free(files);
    policy_free(&pol);
    return rc;
}
