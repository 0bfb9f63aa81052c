/* vdiff.c: unit tests of ingest/vdiff.c: the join, spilling, and pairing against the plain join. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

/* vdiff: the partitioned, spilling join against a plain one, on entries drawn from a small
 * key space so that unchanged, duplicate, new and ended all occur. */
struct vdres {
    int file[20001];      /* by file id: 1 + enum vd_result */
    int ended[20001];     /* by open id: times ended */
};

static int vd_collect(void *ctx, enum vd_result r, uint32_t id)
{
    struct vdres *x = ctx;
    if (r == VD_ENDED)
        x->ended[id]++;
    else
        x->file[id] = 1 + (int)r;
    return 0;
}

static uint64_t key_h1(unsigned k)
{
    return (uint64_t)k * 0x9E3779B97F4A7C15ull;
}

void test_vdiff(void)
{
    static struct vdres got;
    static unsigned okey[20001], fkey[20001];
    unsigned seed = 7;
    int nopen = 6000, nfile = 20000;
    memset(&got, 0, sizeof got);
    for (int i = 1; i <= nopen; i++)   /* open versions have distinct contents */
        okey[i] = (unsigned)i * 3;
    for (int i = 1; i <= nfile; i++) {
        seed = seed * 1103515245u + 12345u;
        fkey[i] = (seed >> 8) % 24000;
    }
    struct vdiff *v;
    char dir[] = "/tmp";
    /* 1M expected entries: 16 partitions; no budget: a spill every 1024 entries a side */
    CHECK(vd_new(&v, 1u << 20, 0, dir) == 0, "vd_new");
    int bad = 0;
    for (int i = 1; i <= nopen; i++)
        bad += vd_add(v, VD_OPEN, key_h1(okey[i]), okey[i], 0, (uint32_t)i) != 0;
    for (int i = 1; i <= nfile; i++)
        bad += vd_add(v, VD_FILE, key_h1(fkey[i]), fkey[i], 0, (uint32_t)i) != 0;
    CHECK(bad == 0, "vd_add failed %d times", bad);
    CHECK(vd_spilled(v) > 0, "the entries went to the temporary file");
    CHECK(vd_run(v, vd_collect, &got) == 0, "vd_run");
    vd_free(v);
    /* the plain join: first file record of a content is new or unchanged, the others are
     * duplicates; open versions no record has are ended once */
    int wrong = 0, counts[4] = { 0 };
    static char seen[24000];
    memset(seen, 0, sizeof seen);
    for (int i = 1; i <= nfile; i++) {
        int want;
        if (seen[fkey[i]])
            want = VD_DUPLICATE;
        else
            want = fkey[i] % 3 == 0 && fkey[i] / 3 >= 1 && (int)(fkey[i] / 3) <= nopen ?
                   VD_UNCHANGED : VD_NEW;
        seen[fkey[i]] = 1;
        wrong += got.file[i] != 1 + want;
        counts[want]++;
    }
    for (int i = 1; i <= nopen; i++)
        wrong += got.ended[i] != !seen[okey[i]];
    CHECK(wrong == 0, "vdiff = plain join (%d differences)", wrong);
    CHECK(counts[VD_NEW] && counts[VD_UNCHANGED] && counts[VD_DUPLICATE], "all results occur");
}

/* vdiff with pairing: a file that follows the open versions' order with changes, insertions,
 * deletions (single and in runs longer than the near look-ahead), swaps and duplicates (of
 * earlier records, some of them paired), against open versions that include a second version
 * of one content. The open side is added by a thread of its own, as a reload does; every
 * result must be what the plain join gives. */
#define PN 30000

struct pairrun {
    struct vdiff *v;
    unsigned *okey;
    int nopen;
    int failed;
    int lines;              /* open entries have line hashes (open_line) */
};

/* The line hash of open entry I of content K: one per content, as if each had been read from
 * one line, except that every 17th has none (a quoted line, say), and that of PN / 5 + 1, a
 * second version of the content of PN / 5 from another line, the one the file has: it pairs
 * by line although the first is nearer, and must end all the same. */
static uint64_t open_line(int i, unsigned k)
{
    if (i == PN / 5 + 1)
        return 99;
    return i % 17 ? (uint64_t)k * 2654435761u + 1 : 0;
}

/* ... and of file entry I: every 13th was read from another line of the same content (other
 * blanks, say), so that only its content hash can pair it. */
static uint64_t file_line(int i, unsigned k)
{
    if (k == (unsigned)(PN / 5) * 3)
        return 99;
    return i % 13 ? (uint64_t)k * 2654435761u + 1 : (uint64_t)k * 40503u + 7;
}

static void *pair_open_side(void *arg)
{
    struct pairrun *r = arg;
    for (int i = 1; i <= r->nopen; i++)
        r->failed += vd_add(r->v, VD_OPEN, key_h1(r->okey[i]), r->okey[i],
                            r->lines ? open_line(i, r->okey[i]) : 0, (uint32_t)i) != 0;
    vd_open_done(r->v);
    return NULL;
}

struct pairres {
    int file[2 * PN + 1];   /* by file id: 1 + enum vd_result */
    int ended[PN + 1];
    int unchanged, duplicate;
};

static int pair_collect(void *ctx, enum vd_result r, uint32_t id)
{
    struct pairres *x = ctx;
    if (r == VD_ENDED)
        x->ended[id]++;
    else if (r == VD_PAIRED_UNCHANGED || r == VD_UNCHANGED)
        x->unchanged++;
    else if (r == VD_PAIRED_DUPLICATE || r == VD_DUPLICATE)
        x->duplicate++;
    if (r == VD_NEW || r == VD_UNCHANGED || r == VD_DUPLICATE)
        x->file[id] = 1 + (int)r;
    return 0;
}

/* The file side: the open versions' contents OKEY[1..NOPEN] with changes, deletions,
 * insertions, duplicates and swaps, into FKEY; returns how many. */
static int make_file(const unsigned *okey, int nopen, unsigned *fkey)
{
    unsigned seed = 11, fresh = 3 * PN + 1;
    int nfile = 0;
    for (int i = 1; i <= nopen && nfile < 2 * PN - 4;) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 8) % 1000;
        /* the open versions of those contents are copied (the first of the second pair is
         * deleted), whatever else would have happened around them */
        for (int k = i; k < i + 41; k++)
            if (k == nopen / 3 || k == nopen / 2 || k == nopen / 4 || k == nopen / 4 * 3 ||
                k == nopen / 5 || k == nopen / 5 + 1)
                r = k > i ? 999 : k == nopen / 4 ? 10 : 999;
        if (r < 10) {                    /* changed */
            fkey[++nfile] = fresh++;
            i++;
        } else if (r < 20) {             /* deleted, one or a run of 40 */
            i += r < 17 ? 1 : 40;
        } else if (r < 30) {             /* a new record */
            fkey[++nfile] = fresh++;
        } else if (r < 40 && nfile > 10) {   /* a duplicate of an earlier record */
            unsigned k = fkey[nfile - (int)((seed >> 4) % 10)];
            fkey[++nfile] = k;
        } else if (r < 45 && i < nopen) {    /* two swapped */
            fkey[++nfile] = okey[i + 1];
            fkey[++nfile] = okey[i];
            i += 2;
        } else {
            fkey[++nfile] = okey[i++];
        }
    }
    return nfile;
}

/* What one run of the comparison counted beside its results. */
struct pairstat {
    unsigned long long paired;
    long by_line, refreshes, bad_refresh;
};

/* Run RUN (0: the plain join; 1: pairing; 2: pairing, by line first) of the comparison of
 * the open contents OKEY with the file's FKEY, into GOT and ST. */
static void pair_run(int run, unsigned *okey, int nopen, const unsigned *fkey, int nfile,
                     struct pairres *got, struct pairstat *st)
{
    struct vdiff *v;
    char dir[] = "/tmp";
    memset(got, 0, sizeof *got);
    CHECK(vd_new(&v, 1u << 20, run ? 64 << 10 : 0, dir) == 0, "vd_new");
    struct pairrun pr = { v, okey, nopen, 0, run == 2 };
    pthread_t t;
    int bad = 0;
    if (run > 0) {
        CHECK(vd_pairing(v) == 0, "vd_pairing");
        CHECK(pthread_create(&t, NULL, pair_open_side, &pr) == 0, "thread");
    } else {
        pair_open_side(&pr);
    }
    for (int i = 1; i <= nfile; i++) {
        uint64_t line = run == 2 ? file_line(i, fkey[i]) : 0;
        if (run == 2 && vd_pair_line(v, line)) {
            st->by_line++;
            continue;
        }
        bad += vd_add(v, VD_FILE, key_h1(fkey[i]), fkey[i], line, (uint32_t)i) < 0;
    }
    if (run > 0) {
        vd_file_done(v);
        pthread_join(t, NULL);
        if (run == 1)
            st->paired = vd_paired(v);
    }
    if (run == 2) {
        /* each: an open version paired by content with a line of another hash */
        const uint32_t *rid;
        const uint64_t *rl;
        st->refreshes = (long)vd_refreshes(v, &rid, &rl);
        for (long k = 0; k < st->refreshes; k++) {
            unsigned key = okey[rid[k]];
            st->bad_refresh += (k && rid[k] <= rid[k - 1]) ||
                               rl[k] == open_line((int)rid[k], key) ||
                               (rl[k] != (uint64_t)key * 2654435761u + 1 &&
                                rl[k] != (uint64_t)key * 40503u + 7 && rl[k] != 99);
        }
    }
    CHECK(bad == 0 && pr.failed == 0, "vd_add failed %d and %d times", bad, pr.failed);
    CHECK(vd_run(v, pair_collect, got) == 0, "vd_run");
    vd_free(v);
}

void test_vdiff_pairing(void)
{
    static unsigned okey[PN + 1], fkey[2 * PN + 1];
    static struct pairres got[3];
    static unsigned char seen[4 * PN], kept[4 * PN];
    struct pairstat st = { 0, 0, 0, 0 };
    int nopen = PN;
    for (int i = 1; i <= nopen; i++)
        okey[i] = (unsigned)i * 3;
    /* two open versions of one content, twice: both versions paired, and only the later */
    okey[nopen / 2] = okey[nopen / 3];
    okey[nopen / 4 * 3] = okey[nopen / 4];
    okey[nopen / 5 + 1] = okey[nopen / 5];   /* side by side, from two lines (open_line) */
    int nfile = make_file(okey, nopen, fkey);
    for (int run = 0; run < 3; run++)
        pair_run(run, okey, nopen, fkey, nfile, &got[run], &st);
    /* the plain join: the first open version of a content is kept, a later one ends */
    int wrong = 0, unchanged = 0, duplicate = 0, news = 0;
    memset(seen, 0, sizeof seen);
    memset(kept, 0, sizeof kept);
    for (int i = 1; i <= nopen; i++)
        kept[okey[i]] = 1;
    for (int i = 1; i <= nfile; i++) {
        int want = seen[fkey[i]] ? VD_DUPLICATE : kept[fkey[i]] ? VD_UNCHANGED : VD_NEW;
        seen[fkey[i]] = 1;
        unchanged += want == VD_UNCHANGED;
        duplicate += want == VD_DUPLICATE;
        news += want == VD_NEW;
        for (int run = 0; run < 3; run++)
            if (want == VD_NEW || run == 0)
                wrong += got[run].file[i] != 1 + want;
    }
    for (int run = 0; run < 3; run++) {
        for (int i = 1; i <= nopen; i++) {
            int later = i == nopen / 2 || i == nopen / 4 * 3 || i == nopen / 5 + 1;
            wrong += got[run].ended[i] != (later || !seen[okey[i]]);
        }
        wrong += got[run].unchanged != unchanged || got[run].duplicate != duplicate;
    }
    CHECK(wrong == 0, "paired vdiff = plain join (%d differences; %d unchanged, %d duplicate, "
          "%d new)", wrong, unchanged, duplicate, news);
    CHECK(unchanged > nfile / 2 && duplicate > 100 && news > 300, "all results occur");
    CHECK(st.by_line > unchanged * 6 / 10 && st.by_line <= unchanged,
          "most unchanged records paired by line (%ld of %d)", st.by_line, unchanged);
    CHECK(st.refreshes > unchanged / 20 && st.refreshes < unchanged / 5 && st.bad_refresh == 0,
          "line hashes to set: %ld, %ld of them wrong", st.refreshes, st.bad_refresh);
    /* a record behind a run of deletions pairs once the open side's thread is far enough
     * ahead, which depends on the two threads' speeds: 96 to 99% here */
    CHECK(st.paired > (unsigned long long)unchanged * 8 / 10 &&
              st.paired <= (unsigned long long)unchanged,
          "most unchanged records paired (%llu of %d)", st.paired, unchanged);
}
