/* store.c: unit tests of core/store_hash.c (the entries of <kind>_hash), of a range of
 * <kind>_keys and its ends (core/bkeys.c), of binding values, of the audit's row hash and tie
 * lines (core/audit_ties.c), and of core/util.c's memory for large and many things (huge-page
 * arrays, arenas). */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../core/audit.h"
#include "../../core/bkeys.h"
#include "../../core/kinds.h"
#include "../../core/seal.h"
#include "unit.h"

void test_hash_entries(void)
{
    unsigned char e[STORE_HASH_SIZE];
    uint64_t a, b, c;
    store_hash_put(e, 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull, 0x1122334455667788ull);
    CHECK(e[0] == 0x01 && e[7] == 0xEF && e[8] == 0xFE && e[15] == 0x10 && e[16] == 0x11 &&
          e[23] == 0x88, "big-endian, h1, h2, line: %02x %02x %02x %02x %02x %02x", e[0], e[7],
          e[8], e[15], e[16], e[23]);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == 0x0123456789ABCDEFull &&
          b == 0xFEDCBA9876543210ull && c == 0x1122334455667788ull, "read back");
    store_hash_put(e, 0, 1, 0);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == 0 && b == 1 && c == 0,
          "a zero h1 alone is an entry");
    store_hash_put(e, (uint64_t)-1, 0, 0);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == UINT64_MAX && b == 0, "a zero h2 alone too");
    store_hash_put(e, 0, 0, 5);
    CHECK(store_hash_get(e, &a, &b, &c) == 0, "no content hash is no entry, whatever the line");
}

/* A reload's line hashes are set in the rows of <kind>_hash that get many of them, and in
 * the first few that get a few; the other rows are left as they were (rewriting them costs
 * more than splitting those lines). */
/* A cursor over rids FROM to TO - 1 gives the rows that hold them, each with the entries in
 * the range, and sees the ends from FROM on: the two halves of a run's scan of a feed. */
_Static_assert(BKEYS_ROW == 60000, "the rows the test makes");
void test_keys_range(void)
{
    sqlite3 *db = NULL;
    struct bkeys_cursor c;
    const int64_t from = BKEYS_RIDS - 100, to = 2 * BKEYS_RIDS + 100;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK &&
          store_exec(db, "CREATE TABLE vehicle_keys(chunk INTEGER PRIMARY KEY, keys BLOB NOT NULL);"
                         "CREATE TABLE vehicle_end(rid INTEGER PRIMARY KEY, to_load INTEGER NOT NULL);"
                         "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 3) "
                         "INSERT INTO vehicle_keys SELECT i, zeroblob(60000) FROM n;"
                         "INSERT INTO vehicle_end VALUES (5, 2), (2400, 2), (2450, 2), (2460, 9)")
              == 0, "four rows of keys, four ends");
    CHECK(bkeys_open(db, kind_find("vehicle"), 2, from, to, &c) == 0, "a range opened");
    int64_t rows[8];
    int n = 0, spans_ok = 1;
    while (n < 8 && bkeys_next(&c) > 0) {
        rows[n++] = c.no;
        int64_t first = c.no * BKEYS_RIDS;
        spans_ok &= first + c.j0 == (from > first ? from : first) &&
                    first + c.j1 == (to < first + BKEYS_RIDS ? to : first + BKEYS_RIDS);
    }
    CHECK(n == 3 && rows[0] == 0 && rows[1] == 1 && rows[2] == 2 && spans_ok,
          "the rows of the range (%d), each with its entries in it", n);
    struct bkeys_entry e = { .load = 1 };
    CHECK(bkeys_sees(&c, 2400, &e) == 0 && bkeys_sees(&c, 2401, &e) == 1 &&
          bkeys_sees(&c, 2450, &e) == 0 && bkeys_sees(&c, 2460, &e) == 1,
          "the ends from the range's start, of the loads the run sees");
    bkeys_close(&c);
    sqlite3_close(db);
}

void test_hash_lines(void)
{
    enum { DENSE = STORE_HASH_LINES_MIN, SPARSE = STORE_HASH_SPARSE_ROWS + 6, N = DENSE + SPARSE };
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    uint32_t rid[N];
    uint64_t line[N];
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK &&
          store_exec(db, "CREATE TABLE v_hash(chunk INTEGER PRIMARY KEY, hashes BLOB NOT NULL)")
              == 0 &&
          sqlite3_prepare_v2(db, "INSERT INTO v_hash VALUES (?1, zeroblob(60000))", -1, &st,
                             NULL) == SQLITE_OK, "a table of hashes");
    int made = 0;
    for (int no = 0; no <= SPARSE; no++) {
        sqlite3_reset(st);
        sqlite3_bind_int(st, 1, no);
        made += sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    CHECK(made == SPARSE + 1, "%d rows of hashes", made);
    /* row 0 gets DENSE line hashes, rows 1 to SPARSE one each */
    for (int i = 0; i < DENSE; i++)
        rid[i] = (uint32_t)(7 * i), line[i] = 1000u + (uint64_t)i;
    for (int i = 0; i < SPARSE; i++)
        rid[DENSE + i] = (uint32_t)((i + 1) * STORE_HASH_RIDS + 11), line[DENSE + i] = 5;
    CHECK(store_hash_lines(db, "v", rid, line, N) == 0, "lines set");
    CHECK(sqlite3_prepare_v2(db, "SELECT hashes FROM v_hash ORDER BY chunk", -1, &st, NULL) ==
              SQLITE_OK, "rows read back");
    int dense = 0, first = 0, rest = 0;
    for (int no = 0; sqlite3_step(st) == SQLITE_ROW; no++) {
        const unsigned char *row = sqlite3_column_blob(st, 0);
        uint64_t h1, h2, got;
        for (int i = 0; i < N; i++) {
            if ((int)(rid[i] / STORE_HASH_RIDS) != no)
                continue;
            store_hash_get(row + store_hash_at(rid[i]), &h1, &h2, &got);
            if (got != line[i])
                continue;
            if (no == 0)
                dense++;
            else if (no <= STORE_HASH_SPARSE_ROWS)
                first++;
            else
                rest++;
        }
    }
    CHECK(dense == DENSE, "a row with %d new line hashes has them all: %d", DENSE, dense);
    CHECK(first == STORE_HASH_SPARSE_ROWS, "the first %d rows with one have it: %d",
          STORE_HASH_SPARSE_ROWS, first);
    CHECK(rest == 0, "the rows after them are left as they were: %d set", rest);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

void test_store_bind(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK &&
          sqlite3_prepare_v2(db, "SELECT ?1, typeof(?2), ?3, ?4", -1, &st, NULL) == SQLITE_OK,
          "a statement to bind");
    CHECK(store_bind(st, "ttid", "张伟", (const char *)NULL, 1LL << 40, 2.5) == 0 &&
          sqlite3_step(st) == SQLITE_ROW, "bound");
    CHECK(!strcmp((const char *)sqlite3_column_text(st, 0), "张伟") &&
          !strcmp((const char *)sqlite3_column_text(st, 1), "null") &&
          sqlite3_column_int64(st, 2) == 1LL << 40 && sqlite3_column_double(st, 3) == 2.5,
          "text, NULL, a 64-bit integer and a double, in order");
    sqlite3_reset(st);
    printf("(the next error is expected)\n");
    fflush(stdout);
    CHECK(store_bind(st, "x", 1) == XV_ERR, "an unknown type is refused");
    sqlite3_finalize(st);
    /* the page cache set for a pass over the feeds' entries, then put back as it was */
    long long was = 0, now = 0;
    CHECK(store_exec(db, "PRAGMA cache_size=-65536") == 0 &&
          store_cache_set(db, 8192, &was) == 0 && was == -65536, "cache was %lld", was);
    CHECK(store_int(db, "PRAGMA cache_size", NULL, NULL, &now) == 1 && now == -8192,
          "cache set to 8 MiB: %lld", now);
    CHECK(store_cache_restore(db, was) == 0 &&
          store_int(db, "PRAGMA cache_size", NULL, NULL, &now) == 1 && now == -65536,
          "cache restored: %lld", now);
    sqlite3_close(db);
}

/* A row's hash covers each value with its type, in the text the audit has always written:
 * stores sealed before must verify. */
void test_row_hash(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char got[65], want[65];
    /* every type, the integers at both ends and a negative one */
    static const char text[] = "I-9223372036854775808\x1fI9223372036854775807\x1fI0\x1f"
                               "I-42\x1fR1.5\x1fR0.10000000000000001\x1fN\x1fT6:\xe5\xbc\xa0"
                               "\xe4\xbc\x9f\x1fT0:\x1f" "B3:abc\x1fR1500\x1fR-3\x1fR0\x1fR-0\x1f"
                               "R1000000000000000\x1fR123456789012345\x1f";
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK &&
          sqlite3_prepare_v2(db, "SELECT -9223372036854775807 - 1, 9223372036854775807, 0, -42, "
                                 "1.5, 0.1, NULL, '张伟', '', x'616263', 1500.0, -3.0, 0.0, -0.0, "
                                 "1e15, 123456789012345.0", -1, &st, NULL) ==
              SQLITE_OK && sqlite3_step(st) == SQLITE_ROW, "a row of every type");
    audit_row_hash(st, 0, 16, got);
    sha256_hex(text, sizeof text - 1, want);
    CHECK(!strcmp(got, want), "the row's text is the audit's: %s", got);
    audit_row_hash(st, 2, 1, got);
    sha256_hex("I0\x1f", 3, want);
    CHECK(!strcmp(got, want), "from a column on");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A tie's line, which an entry's seal covers, is the text the trail has always sealed:
 * "table\x1frow\x1fcolumns\x1fhash\x1e" (stores sealed before must verify). */
void test_tie_line(void)
{
    struct sbuf b = SBUF_INIT;
    static const char want[] = "statuses\x1f" "9223372036854775807\x1f" "12\x1f" "ab12\x1e"
                               "gates\x1f" "-5\x1f" "0\x1f" "\x1e";
    sbuf_adds(&b, "x");   /* appended to what the buffer holds */
    audit_tie_line(&b, "statuses", 9223372036854775807LL, 12, "ab12");
    audit_tie_line(&b, "gates", -5, 0, "");
    CHECK(b.len == sizeof want && b.s[0] == 'x' && !memcmp(b.s + 1, want, sizeof want - 1),
          "the tie lines as sealed: %zu bytes", b.len);
    sbuf_free(&b);
}

/* Adds to *CTX the rows statement P stepped through in full scans of the trail's table. */
static int count_trail_scans(unsigned type, void *ctx, void *p, void *x)
{
    const char *sql = sqlite3_sql(p);
    (void)x;
    if (type == SQLITE_TRACE_PROFILE && sql && strstr(sql, "FROM audit "))
        *(long long *)ctx += sqlite3_stmt_status(p, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    return 0;
}

/* Appending an entry does not read the whole trail: a review import appends one a decision,
 * and a trail of a year holds hundreds of thousands. The entries without a seal, which every
 * append counts, are found through their index (schema version 12). */
/* Removes the write-ahead log and shared-memory files beside the store at DPATH (NULL:
 * none); the store itself is a write_tmp file, removed at the end. */
static void unlink_wal(const char *dpath)
{
    char wal[300];
    if (!dpath)
        return;
    snprintf(wal, sizeof wal, "%s-wal", dpath);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", dpath);
    unlink(wal);
}

void test_append_reads_no_trail(void)
{
    static const char key[] = "00112233445566778899aabbccddeeff"
                              "00112233445566778899aabbccddeeff\n";
    char *kpath = write_tmp("audit.key", key, sizeof key - 1);
    char *dpath = write_tmp("trail.db", "", 0);
    sqlite3 *db = NULL;
    long long scanned = 0;
    int ok = kpath && dpath && chmod(kpath, 0600) == 0 && unlink(dpath) == 0 &&
             setenv("XVERIFY_KEY", kpath, 1) == 0 && store_open(dpath, STORE_CREATE, &db) == 0 &&
             store_begin(db) == 0;
    for (int i = 0; ok && i < 300; i++)
        ok = audit_append(db, "test", "subject", "detail") == 0;
    CHECK(ok && store_commit(db) == 0, "300 entries appended");
    sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, count_trail_scans, &scanned);
    CHECK(store_begin(db) == 0 && audit_append(db, "test", "subject", "detail") == 0 &&
          store_commit(db) == 0, "one more appended");
    sqlite3_trace_v2(db, 0, NULL, NULL);
    CHECK(scanned < 10, "the append read %lld entries of the trail in full scans", scanned);
    struct audit_head head;
    CHECK(audit_verify(db, &head) == 0 && head.entries == 301, "the trail verifies: %lld "
          "entries", head.entries);
    /* the seal is HMAC-SHA-256 under the key, the same for every message after the first
     * (the keyed context is started again each time): values from another implementation */
    char mac[65] = "", id[17] = "";
    CHECK(seal_mac("abc", 3, mac) == 0 && !strcmp(mac, "c523adb6e8584aa9c80de47e6470e918"
                                                       "0657274b0013e4460c74ba8adae45426"),
          "HMAC-SHA-256 of 'abc': %s", mac);
    CHECK(seal_mac("abc", 3, mac) == 0 && !strcmp(mac, "c523adb6e8584aa9c80de47e6470e918"
                                                       "0657274b0013e4460c74ba8adae45426"),
          "the same again: %s", mac);
    CHECK(seal_key_id(id) == 0 && !strcmp(id, "c32ebe9ce249bd99"), "the key's id: %s", id);
    store_close(db);
    unsetenv("XVERIFY_KEY");
    unlink_wal(dpath);
}

/* Work beside a transaction: what the thread's connection reads, and a failure told to the
 * joining thread whichever way the work shows it (a code alone, a message alone). */
static int beside_count(sqlite3 *db, void *arg)
{
    return store_int(db, "SELECT count(*) FROM runs", NULL, NULL, arg);
}
static int beside_code_only(sqlite3 *db, void *arg)
{
    (void)db;
    (void)arg;
    return XV_EDATA;
}
static int beside_message_only(sqlite3 *db, void *arg)
{
    (void)db;
    (void)arg;
    xv_error_set(XV_EIO, "the unit's disk is gone");
    return 0;
}
static void beside_ended(int rc, void *arg)
{
    *(int *)arg = rc ? rc : 1;
}

void test_store_beside(void)
{
    char *dpath = write_tmp("beside.db", "", 0);
    sqlite3 *db = NULL;
    struct store_beside b;
    long long n = -1;
    int ended = 0;
    int ok = dpath && unlink(dpath) == 0 && store_open(dpath, STORE_CREATE, &db) == 0;
    CHECK(ok && store_readable_beside(db) == 1, "a new store is readable beside");
    const char *path = ok ? sqlite3_db_filename(db, "main") : "";
    CHECK(ok && store_beside_start(&b, path, "counting", beside_count, NULL, &n) == 1 &&
          store_beside_finish(&b, 0) == 0 && n == 0 && !b.running, "the work ran: %lld", n);
    CHECK(ok && store_beside_start(&b, path, "checking the unit", beside_code_only,
                                   beside_ended, &ended) == 1 &&
          store_beside_finish(&b, 0) == XV_EDATA && ended == XV_EDATA &&
          !strcmp(xv_last_error(), "checking the unit failed"),
          "a code without a message fails: %d, '%s'", ended, xv_last_error());
    CHECK(ok && store_beside_start(&b, path, "writing", beside_message_only, NULL, NULL) == 1 &&
          store_beside_finish(&b, 0) == XV_EIO &&
          !strcmp(xv_last_error(), "the unit's disk is gone"),
          "a message under a result of 0 fails: '%s'", xv_last_error());
    CHECK(ok && store_beside_start(&b, path, "writing", beside_message_only, NULL, NULL) == 1 &&
          store_beside_finish(&b, XV_EUSAGE) == XV_EUSAGE, "the caller's error comes first");
    setenv("XVERIFY_FAIL_OPEN", "counting", 1);
    n = -1;
    CHECK(ok && store_beside_start(&b, path, "counting", beside_count, NULL, &n) == 1 &&
          store_beside_finish(&b, 0) == XV_EIO && n == -1, "a connection not opened: no work");
    unsetenv("XVERIFY_FAIL_OPEN");
    store_close(db);
    unlink_wal(dpath);
}

/* A huge-page array grows keeping its bytes, the new ones zeroed. */
void test_huge_array(void)
{
    size_t small = (size_t)3 << 20, big = (size_t)9 << 20;
    unsigned char *p = xhuge_grow(NULL, 0, small);
    int zero = 1;
    for (size_t i = 0; i < small; i += 4093)
        zero &= p[i] == 0;
    CHECK(zero, "a new array is zeroed");
    CHECK(((uintptr_t)p & (((size_t)2 << 20) - 1)) == 0, "on a 2 MiB boundary: %p", (void *)p);
    for (size_t i = 0; i < small; i++)
        p[i] = (unsigned char)(i * 7);
    p = xhuge_grow(p, small, big);
    int kept = 1;
    for (size_t i = 0; i < small; i++)
        kept &= p[i] == (unsigned char)(i * 7);
    zero = 1;
    for (size_t i = small; i < big; i++)
        zero &= p[i] == 0;
    CHECK(kept && zero, "grown: the old bytes kept (%d), the new ones zeroed (%d)", kept, zero);
    CHECK(((uintptr_t)p & (((size_t)2 << 20) - 1)) == 0, "grown, on a 2 MiB boundary: %p",
          (void *)p);
    xhuge_free(p, big);
    xhuge_free(NULL, 0);
}

/* An arena hands out blocks that stay put as it grows, a block larger than a piece too. */
void test_arena(void)
{
    struct arena a = { 0 };
    char *first = arena_strndup(&a, "张伟xyz", 6);
    char *big = arena_take(&a, (size_t)3 << 20);
    memset(big, 'b', (size_t)3 << 20);
    char *many[3000];
    for (int i = 0; i < 3000; i++)
        many[i] = arena_strndup(&a, "0123456789abcdef0123456789abcdef0123456789abcdef", 40 + i % 9);
    int ok = 1;
    for (int i = 0; i < 3000; i++)
        ok &= strlen(many[i]) == (size_t)(40 + i % 9) && many[i][0] == '0';
    CHECK(!strcmp(first, "张伟") && big[((size_t)3 << 20) - 1] == 'b' && ok,
          "blocks kept: '%s', %d", first, ok);
    CHECK(a.npieces >= 2, "more than one piece: %zu", a.npieces);
    arena_free(&a);
    CHECK(a.npieces == 0 && !a.piece && !a.left, "freed whole");

    /* another arena's blocks, adopted, stay where they are; both go on handing out blocks */
    struct arena b = { 0 }, c = { 0 };
    char *in_b = arena_strdup(&b, "第一半"), *in_c = arena_strdup(&c, "第二半");
    arena_adopt(&b, &c);
    CHECK(c.npieces == 0 && !c.piece && !c.left && b.npieces == 2,
          "adopted: %zu pieces, %zu left behind", b.npieces, c.npieces);
    char *after = arena_strdup(&b, "之后"), *again = arena_strdup(&c, "再用");
    CHECK(!strcmp(in_b, "第一半") && !strcmp(in_c, "第二半") && !strcmp(after, "之后") &&
              !strcmp(again, "再用") && b.npieces == 3,
          "blocks kept: '%s' '%s' '%s' '%s', %zu pieces", in_b, in_c, after, again, b.npieces);
    arena_adopt(&b, &c);
    arena_adopt(&b, &c);   /* an empty one adds nothing */
    CHECK(b.npieces == 4 && !strcmp(again, "再用"), "%zu pieces", b.npieces);
    arena_free(&b);
    arena_free(&c);
}

/* sbuf_addf formats into the room the buffer has and again when the text is longer: either
 * way the text is whole, terminated, and appended after what was there. */
void test_sbuf_addf(void)
{
    struct sbuf b = SBUF_INIT;
    sbuf_addf(&b, "R%.17g", 0.1);
    CHECK(!strcmp(sbuf_str(&b), "R0.10000000000000001") && b.len == 20, "'%s' (%zu)",
          sbuf_str(&b), b.len);
    char longer[301];
    memset(longer, 'x', 300);
    longer[300] = '\0';
    size_t before = b.len, cap = b.cap;
    sbuf_addf(&b, "|%s|%d", longer, 42);
    CHECK(b.len == before + 304 && b.cap > cap && b.s[b.len] == '\0' &&
              !strncmp(b.s, "R0.10000000000000001|xxx", 24) && !strcmp(b.s + b.len - 4, "x|42"),
          "grown: %zu bytes, ends '%s'", b.len, b.s + b.len - 4);
    /* exactly as long as the room left: the terminator needs one byte more */
    sbuf_reset(&b);
    size_t room = b.cap - b.len;
    char fill[4096];
    CHECK(room < sizeof fill, "room %zu", room);
    memset(fill, 'y', room);
    fill[room] = '\0';
    sbuf_addf(&b, "%s", fill);
    CHECK(b.len == room && b.s[room] == '\0' && b.s[room - 1] == 'y', "%zu of %zu", b.len,
          room);
    sbuf_free(&b);
}
