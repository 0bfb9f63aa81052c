/* ldr_history.c: a load in the store's history: its row in loads, the versions it ends or
 * takes back, and the checks before it commits. */

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/loads.h"
#include "../core/status.h"
#include "../core/store.h"
#include "../core/hooks.h"
#include "../core/util.h"
#include "ldr_int.h"

/* The as-of date of the load: --as-of, the mapping's, the file name's, or today's. */
static void choose_as_of(struct ldr *l)
{
    struct ldr_result *r = l->r;
    if (l->o->as_of) {
        r->as_of_source = l->o->as_of_by ? l->o->as_of_by : "--as-of";
    } else if (l->map_as_of[0]) {
        memcpy(r->as_of, l->map_as_of, 11);
        r->as_of_source = "mapping";
    } else if (ldr_file_name_date(l->o->file, l->k->name, r->as_of) == 0) {
        r->as_of_source = "file name";
    } else {
        today_iso(r->as_of);
        r->as_of_source = "today";
    }
}

/* Refuses a load older than the kind's newest, then records the load's row in loads. */
static int record_load(struct ldr *l)
{
    struct ldr_result *r = l->r;
    char last[11], today[11];
    long long newest;
    int rc;
    /* a snapshot cannot describe a day that has not come: a future date would move every
     * run's window past the data */
    today_iso(today);
    if (strcmp(r->as_of, today) > 0)
        return xv_fail(XV_EUSAGE, "%s: as-of date %s (by %s) is later than today, %s; "
                       "file refused", l->o->file, r->as_of, r->as_of_source, today);
    /* History is kept in as-of order: an earlier snapshot after a later one would rewrite
     * what past runs saw. */
    if ((rc = loads_newest(l->db, l->k->name, &newest, last)) < 0)
        return rc;
    if (newest && strcmp(last, r->as_of) > 0) {
        /* a file loaded before is a no-op whatever its date: its hash decides first */
        if ((rc = ldr_join_scan(l)) < 0)
            return rc;
        if (r->same_as)
            return XV_STOP;
        return xv_fail(XV_EDATA, "%s: '%s' is already loaded as of %s, later than %s; loads "
                       "of a kind must come in as-of order", l->o->file, l->k->name, last,
                       r->as_of);
    }
    struct load_row row = { 0 };
    snprintf(row.kind, sizeof row.kind, "%s", l->k->name);
    snprintf(row.file, sizeof row.file, "%s", l->o->file);
    snprintf(row.sha256, sizeof row.sha256, "%s", l->info.sha256);
    snprintf(row.map_sha256, sizeof row.map_sha256, "%s", l->have_map ? l->map.sha256 : "");
    snprintf(row.as_of, sizeof row.as_of, "%s", r->as_of);
    snprintf(row.format, sizeof row.format, "%s", r->format);
    snprintf(row.encoding, sizeof row.encoding, "%s", r->encoding);
    return loads_add(l->db, &row, &r->load_id);
}

/* The vdiff, with the open versions of the kind on its open side: read now, or, in a reload,
 * on a connection of their own beside the first pass. */
static int open_versions(struct ldr *l)
{
    long long open = 0, maxrid = 0;
    int rc;
    if ((rc = ldr_count_open(l->db, l->k->name, &open)) < 0 ||
        (rc = ldr_max_rid(l, &maxrid)) < 0)
        return rc;
    l->next_rid = maxrid + 1;
    l->deferred = open > 0 && !l->k->upsert;
    /* a spill file goes beside the database, where there is room for the feed's data */
    const char *dbfile = sqlite3_db_filename(l->db, "main");
    char *path = xstrdup(dbfile && *dbfile ? dbfile : "./x");
    size_t budget = hook_spill_bytes(VD_BUDGET);
    l->keep_budget = budget;
    rc = vd_new(&l->vd, (size_t)open + (size_t)(l->info.size / 40), budget, dirname(path));
    free(path);
    if (rc < 0)
        return rc;
    if (l->open_expect >= 0)
        l->open_expect = open;
    if ((rc = ldr_chunk_start(l)) < 0)
        return rc;
    if (l->deferred && dbfile && *dbfile) {
        /* a reload reads them on a connection of its own, beside its first pass, which
         * pairs each record with the open version of its content when they come in step */
        if (hook_pairing() && (rc = vd_pairing(l->vd)) < 0)
            return rc;
        if ((rc = ldr_open_start(l, dbfile)) < 0)
            vd_open_done(l->vd);
        return rc;
    }
    if ((rc = ldr_read_open(l->db, l->k->name, l->open_expect, l->vd)) < 0)
        return rc == XV_EREBUILD ? ldr_rehash() : xv_error_raise();
    return 0;
}

/* The statements every record uses: a version, a quarantined record, a row of <kind>_hash
 * and, for a feed, of <kind>_keys. */
static int prepare_writes(struct ldr *l)
{
    struct sbuf sql = SBUF_INIT;
    sbuf_addf(&sql, "INSERT INTO %s(load_id,line,h1,h2,raw", l->k->name);
    int n = 5, rc;
    for (int i = 0; i < l->k->ncols; i++) {
        sbuf_addf(&sql, ",%s", l->k->cols[i].name);
        n++;
        if (col_has_valid(&l->k->cols[i])) {
            sbuf_addf(&sql, ",%s_valid", l->k->cols[i].name);
            n++;
        }
    }
    sbuf_adds(&sql, ") VALUES(?");
    for (int i = 1; i < n; i++)
        sbuf_adds(&sql, ",?");
    sbuf_adds(&sql, ")");
    if ((rc = store_prepare(l->db, sql.s, &l->stmt[OP_INSERT])) < 0)
        goto done;
    if ((rc = store_prepare(l->db, "INSERT INTO quarantine(load_id,line,record,reason,raw) "
                                   "VALUES(?,?,?,?,?)", &l->stmt[OP_QUARANTINE])) < 0)
        goto done;
    sbuf_reset(&sql);
    sbuf_addf(&sql, "INSERT OR REPLACE INTO %s_hash(chunk,hashes) VALUES(?,?)", l->k->name);
    if ((rc = store_prepare(l->db, sql.s, &l->stmt[OP_HASH])) < 0 || !l->kslot)
        goto done;
    sbuf_reset(&sql);
    sbuf_addf(&sql, "INSERT OR REPLACE INTO %s_keys(chunk,keys) VALUES(?,?)", l->k->name);
    rc = store_prepare(l->db, sql.s, &l->stmt[OP_KEYS]);
done:
    sbuf_free(&sql);
    return rc;
}

int ldr_start(struct ldr *l)
{
    int rc;
    l->started = 1;
    choose_as_of(l);
    if ((rc = record_load(l)) < 0 || (rc = open_versions(l)) < 0 ||
        (rc = prepare_writes(l)) < 0)
        return rc;
    return l->deferred ? 0 : wr_start(&l->w, l->db, l->stmt, NOPS);
}

/* ---- finishing ---- */

/* Ends the open version RID, unless the kind is upserted and the file did not name its
 * application. Called in rid order, so that the ends are appended to their table. */
static int end_version(struct ldr *l, uint32_t rid)
{
    if (l->key) {
        sqlite3_reset(l->key);
        sqlite3_bind_int64(l->key, 1, rid);
        if (sqlite3_step(l->key) != SQLITE_ROW)
            return store_err(l->db, "reading a record's key");
        if (!ldr_keyset_has(&l->keys, (const char *)sqlite3_column_text(l->key, 0)))
            return 0;
    }
    sqlite3_reset(l->end);
    sqlite3_bind_int64(l->end, 1, rid);
    sqlite3_bind_int64(l->end, 2, l->r->load_id);
    if (sqlite3_step(l->end) != SQLITE_DONE)
        return store_err(l->db, "ending a record's version");
    l->r->rows_closed++;
    return 0;
}

/* Takes the version RID that this load stored out again. */
static int unstore(struct ldr *l, uint32_t rid)
{
    sqlite3_reset(l->del);
    sqlite3_bind_int64(l->del, 1, rid);
    if (sqlite3_step(l->del) != SQLITE_DONE)
        return store_err(l->db, "taking back a stored record");
    int rc = store_hash_clear(l->db, l->k->name, &l->hblob, rid);
    if (rc == 0 && l->kslot)
        rc = bkeys_clear(l->db, l->k->name, &l->kblob, rid);
    if (rc < 0)
        return rc;
    l->r->rows_added--;
    return 0;
}

static int on_diff(void *ctx, enum vd_result res, uint32_t id)
{
    struct ldr *l = ctx;
    int rc;
    switch (res) {
    case VD_NEW:
        if (l->deferred)
            bits_set(&l->todo, id);
        return 0;
    case VD_UNCHANGED:
    case VD_DUPLICATE:
        if (!l->deferred && (rc = unstore(l, id)) < 0)
            return rc;
        if (res == VD_UNCHANGED)
            l->r->rows_unchanged++;
        else
            l->r->rows_duplicate++;
        return 0;
    case VD_ENDED:   /* in hash order: ended once the join is done, in rid order */
        bits_set(&l->ended, id);
        return 0;
    case VD_PAIRED_UNCHANGED:   /* only a reload pairs: it has nothing to take back */
    case VD_PAIRED_DUPLICATE:
        if (!l->deferred)
            return error("'%s': a record was paired in a first load", l->k->name);
        if (res == VD_PAIRED_UNCHANGED)
            l->r->rows_unchanged++;
        else
            l->r->rows_duplicate++;
        return 0;
    }
    return 0;
}

/* Sorts the file's records against the open versions (see struct ldr). */
int ldr_diff(struct ldr *l)
{
    struct sbuf sql = SBUF_INIT;
    int rc;
    sbuf_addf(&sql, "INSERT INTO %s_end(rid, to_load) VALUES(?, ?)", l->k->name);
    if ((rc = store_prepare(l->db, sql.s, &l->end)) < 0)
        goto done;
    sbuf_reset(&sql);
    sbuf_addf(&sql, "DELETE FROM %s WHERE rid=?", l->k->name);
    if ((rc = store_prepare(l->db, sql.s, &l->del)) < 0)
        goto done;
    if (l->k->upsert) {
        sbuf_reset(&sql);
        sbuf_addf(&sql, "SELECT applicant_id FROM %s WHERE rid=?", l->k->name);
        if ((rc = store_prepare(l->db, sql.s, &l->key)) < 0)
            goto done;
    }
    if ((rc = vd_run(l->vd, on_diff, l)) < 0)
        goto done;
    for (size_t i = 0; i < l->ended.len; i++)
        for (unsigned b = 0; l->ended.b[i] >> b; b++)
            if ((l->ended.b[i] >> b & 1) && (rc = end_version(l, (uint32_t)(i * 8 + b))) < 0)
                goto done;
    if (l->hblob && sqlite3_blob_close(l->hblob) != SQLITE_OK)
        rc = store_err(l->db, "clearing record hashes");
    l->hblob = NULL;
    if (l->kblob && sqlite3_blob_close(l->kblob) != SQLITE_OK && rc == 0)
        rc = store_err(l->db, "clearing record keys");
    l->kblob = NULL;
done:
    sbuf_free(&sql);
    return rc;
}

int ldr_finish(struct ldr *l)
{
    struct ldr_result *r = l->r;
    int rc;
    if (!l->started && (rc = ldr_start(l)) < 0)
        return rc;
    if ((rc = ldr_check_required(l)) < 0)
        return rc;
    if (r->rows_read == 0 && !l->k->upsert)
        return xv_fail(XV_EDATA, "%s: no records: an empty snapshot would erase every '%s' "
                       "record; file refused", l->o->file, l->k->name);
    if (r->rows_read > 0 &&
        (double)r->rows_quarantined > l->o->quarantine_limit * (double)r->rows_read) {
        for (int i = 0; i < r->nnotes; i++)
            fprintf(stderr, "xverify: %s\n", r->notes[i]);
        return xv_fail(XV_EDATA, "%s: %ld of %ld records quarantined (%.1f%%), over the limit "
                       "of %.1f%%; file refused, nothing loaded", l->o->file,
                       r->rows_quarantined, r->rows_read,
                       100.0 * (double)r->rows_quarantined / (double)r->rows_read,
                       100.0 * l->o->quarantine_limit);
    }
    if (!strcmp(l->k->name, "applicant") && (rc = status_from_load(l->db, r->load_id,
                                                                    r->as_of)) < 0)
        return rc;
    if (l->unknown.len)
        r->unknown_columns = xstrdup(l->unknown.s);
    struct load_counts counts = { r->rows_read, r->rows_added, r->rows_unchanged,
                                  r->rows_closed, r->rows_duplicate, r->rows_quarantined,
                                  l->unknown.len ? l->unknown.s : "" };
    if ((rc = loads_set_counts(l->db, r->load_id, &counts)) < 0)
        return rc;
    char subject[32];
    struct sbuf detail = SBUF_INIT;
    snprintf(subject, sizeof subject, "%lld", r->load_id);
    sbuf_addf(&detail, "%s %s as of %s sha256 %s: %ld read, %ld added, %ld closed, "
                       "%ld quarantined", l->k->name, l->o->file, r->as_of, r->sha256,
              r->rows_read, r->rows_added, r->rows_closed, r->rows_quarantined);
    rc = audit_append(l->db, "load", subject, sbuf_str(&detail));
    sbuf_free(&detail);
    return rc;
}

int ldr_find_same(struct ldr *l)
{
    const char *map = l->have_map ? l->map.sha256 : "";
    struct ldr_result *r = l->r;
    struct load_row newest;
    long long id = 0;
    char as_of[11] = "";
    int rc = loads_find_same(l->db, l->k->name, l->info.sha256, map, &id, as_of);
    if (rc < 0 || !id)
        return rc;
    /* a file whose content a later, different snapshot replaced (A, then B, then A again) is
     * a new snapshot when it is dated after that one: it must end B's records, not be taken
     * for A delivered twice. Undated yet (a date inside the file), it is read first; the
     * as-of order check asks again once the date is known. */
    if ((rc = loads_newest_other(l->db, l->k->name, r->load_id, &newest)) < 0)
        return rc;
    if (rc && newest.id != id &&
        (strcmp(newest.sha256, l->info.sha256) || strcmp(newest.map_sha256, map)) &&
        (!r->as_of[0] || strcmp(r->as_of, newest.as_of) > 0))
        return 0;
    r->same_as = id;
    memcpy(r->as_of, as_of, sizeof as_of);
    return 0;
}

/* The records stored were given the rids counted: the vdiff's ids are right. */
int ldr_check_rids(struct ldr *l)
{
    long long max = 0;
    int rc = ldr_max_rid(l, &max);
    if (rc >= 0 && max != l->next_rid - 1)
        rc = error("'%s': the last record stored has rid %lld, not %lld as counted; load "
                   "refused", l->k->name, max, (long long)l->next_rid - 1);
    return rc < 0 ? rc : 0;
}

/* Joins the scan job, if any: its verdict on the encoding must be the guess the reading used,
 * the bytes read must be the bytes hashed, and a file loaded before is left alone
 * (r->same_as). The load row gets the file's hash. */
int ldr_join_scan(struct ldr *l)
{
    struct ldr_result *r = l->r;
    if (!l->job)
        return 0;
    enum src_enc guess = l->info.enc;
    int rc = src_scan_wait(l->job, &l->info);
    l->job = NULL;
    if (rc < 0)
        return rc;
    /* the guess is UTF-8 or GB18030 only from valid text, and a first MiB that is not UTF-8
     * cannot make a whole that is: the one way to differ is this */
    if (l->info.enc != guess)
        return xv_fail(XV_EDATA, "'%s': its first MiB is UTF-8 but the byte at offset %llu is "
                       "not, and the whole file is only valid GB18030; a file that mixes "
                       "encodings is refused (--encoding forces one)", l->o->file,
                       l->info.not_utf8_at);
    if (l->read_done && (rc = src_same(l->src, &l->info)) < 0)
        return rc;
    memcpy(r->sha256, l->info.sha256, sizeof r->sha256);
    if ((rc = ldr_find_same(l)) < 0 || r->same_as)
        return rc;
    if (!l->started)
        return 0;
    return loads_set_sha256(l->db, r->load_id, l->info.sha256);
}
