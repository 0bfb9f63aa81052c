/* files.c: the report folder: each file written beside its final name and put in place once
 * complete, and the hashes a run records of its files. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/hooks.h"
#include "../core/policy.h"
#include "../core/store.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "../matchers/rules/catalogue.h"
#include "rpt_int.h"

/* Opens NAME for writing in the folder WORK (a hidden file when WORK is DIR itself); its
 * final path is DIR/NAME. */
int rpt_open_out(const char *dir, const char *work, const char *name, struct out *o)
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
    o->buf = xmalloc(RPT_OUT_BUF);
    setvbuf(o->f, o->buf, _IOFBF, RPT_OUT_BUF);
    return 0;
}

/* Flushes O to disk; on any failure removes the temporary file. */
int rpt_close_out(struct out *o)
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
    free(o->buf);
    o->buf = NULL;
    if (bad) {
        unlink(o->tmp);
        return xv_fail(XV_EIO, "cannot write '%s': %s", o->path, strerror(err ? err : EIO));
    }
    return 0;
}

void rpt_drop_out(struct out *o)
{
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
    }
    free(o->buf);
    o->buf = NULL;
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
}

/* Removes the files of folder PATH and the folder (a report folder: files only). */
void rpt_remove_folder(const char *path)
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

int rpt_mkdirs(const char *path)
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

/* ---- the files ---------------------------------------------------------------------------- */

/* Records the report hashes the first time; later, compares them with the recorded ones. */
int rpt_record_hashes(sqlite3 *db, const struct run *r, char **names, char **paths, int n)
{
    sqlite3_stmt *get = NULL, *put = NULL;
    int rc, differ = 0, added = 0;
    if ((rc = store_begin(db)) < 0)
        return rc;
    if ((rc = store_prepare(db, "SELECT sha256 FROM run_reports WHERE run_id=? AND file=?",
                            &get)) < 0 ||
        (rc = store_prepare(db, "INSERT INTO run_reports(run_id,file,sha256) VALUES(?,?,?)",
                            &put)) < 0)
        goto done;
    for (int i = 0; i < n; i++) {
        char h[65];
        if ((rc = sha256_file(paths[i], h)) < 0)
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
        store_bind(put, "itt", r->id, names[i], h);
        if (sqlite3_step(put) != SQLITE_DONE) {
            rc = store_err(db, "recording report hashes");
            goto done;
        }
        added++;
    }
    if (added) {
        char subject[24], detail[64];
        snprintf(subject, sizeof subject, "%lld", r->id);
        snprintf(detail, sizeof detail, "%d report files and their hashes", added);
        rc = audit_append(db, "reports", subject, detail);
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
int rpt_compare_hashes(sqlite3 *db, const struct run *r, char **names, char **paths, int n)
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
            if ((rc = sha256_file(paths[i], h)) < 0)
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
