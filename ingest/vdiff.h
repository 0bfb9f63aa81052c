/* vdiff.h: sorts a load's record hashes against the open versions' into new, unchanged,
 * duplicate and ended, in memory that stays bounded whatever the size of the feed. */
#ifndef XV_VDIFF_H
#define XV_VDIFF_H
#include <stddef.h>
#include <stdint.h>

/* The two sides: the versions open before the load (id: their rid) and the file's records
 * (id: a record number or the rid it was stored under, increasing in file order). */
enum vd_side { VD_OPEN, VD_FILE };

/* What vd_run reports: for every file entry NEW (first of its content, no open version has
 * it), UNCHANGED (an open version has it) or DUPLICATE (an earlier file entry has it); for
 * every open version that no file entry has, ENDED. With pairing (vd_pairing), a file entry
 * that met an open version of its content in step is reported through that open version
 * instead, id its rid: PAIRED_UNCHANGED or PAIRED_DUPLICATE, as it would have been reported
 * without pairing. */
enum vd_result { VD_NEW, VD_UNCHANGED, VD_DUPLICATE, VD_ENDED, VD_PAIRED_UNCHANGED,
                 VD_PAIRED_DUPLICATE };

struct vdiff;

/* Starts a comparison of about EXPECTED entries (both sides) that keeps at most BUDGET
 * bytes of entries in memory; past that, entries go to an unnamed temporary file in DIR.
 * The caller owns *OUT and frees it with vd_free. Returns 0 or a negative code. */
int vd_new(struct vdiff **out, size_t expected, size_t budget, const char *dir);

/* Adds an entry: (H1, H2) is the content hash, LINE the hash of the CSV line it was read
 * from (0: none; see vd_pair_line). Entries of a side must come in the order
 * vd_run is to report them in. The two sides share nothing: one thread may add to each.
 * Returns 0, 1 when a file entry was paired (see vd_pairing: it is not in the join), or
 * XV_EIO when the temporary file could not grow: nothing is printed, the message is in this
 * thread's error context (xv_error_set). */
int vd_add(struct vdiff *v, enum vd_side side, uint64_t h1, uint64_t h2, uint64_t line,
           uint32_t id);

/* Pairing, for a reload whose open versions are added by one thread while the file's records
 * are added by another: called once before any vd_add, it makes each open entry also pass
 * to the file side, which compares every file entry with the next few open ones. A file
 * entry equal to one of them is paired with it and kept out of the join, which then has
 * only what changed on the file side (a reload of a file in the order of the one before
 * pairs nearly every record). Which entries pair changes no result, only the work.
 * The open side must call vd_open_done when it has added its last entry (or failed), and the
 * file side vd_file_done when it has (before the open side's thread is joined: the open side
 * waits while the file side has not taken what it handed over). Returns 0 or a negative
 * code. */
int vd_pairing(struct vdiff *v);
void vd_open_done(struct vdiff *v);
void vd_file_done(struct vdiff *v);

/* Pairing by line: 1 when a file entry read from a line of hash LINE (not 0) pairs with an
 * open entry within reach whose line hash is LINE, which makes it that open entry's content
 * (the caller's line hash says so; vd_add is then not called for it); 0 when not, and
 * nothing changed. */
int vd_pair_line(struct vdiff *v, uint64_t line);

/* The open rids that vd_add paired with a file entry of another line hash (not 0) than
 * theirs, and that line hash, in increasing rid order: *RID and *LINE (the vdiff's) get the
 * lists, the count is returned. At most 2 Mi are kept. */
size_t vd_refreshes(const struct vdiff *v, const uint32_t **rid, const uint64_t **line);

/* File entries that were paired. */
unsigned long long vd_paired(const struct vdiff *v);

/* Calls CB for every entry as described at enum vd_result; file entries of one content in
 * the order they were added. Stops at the first negative return of CB and returns it. */
typedef int (*vd_cb)(void *ctx, enum vd_result r, uint32_t id);
int vd_run(struct vdiff *v, vd_cb cb, void *ctx);

/* Bytes that went to the temporary file. */
unsigned long long vd_spilled(const struct vdiff *v);

void vd_free(struct vdiff *v);

#endif
