/* writer.h: the loader's second thread: it binds and steps prepared rows while the first
 * thread reads and normalises the next ones. */
#ifndef XV_WRITER_H
#define XV_WRITER_H
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct wr;

/* Starts a writer over DB with statement STMT[op] for each row kind (the statements stay
 * the caller's; they must not be used elsewhere until wr_finish). */
int wr_start(struct wr **w, sqlite3 *db, sqlite3_stmt *const *stmt, int nstmt);

/* Building one row: the values of parameters (1-based IDX) of statement OP. */
void wr_row(struct wr *w, int op);
void wr_null(struct wr *w, int idx);
void wr_int(struct wr *w, int idx, int64_t v);
void wr_double(struct wr *w, int idx, double v);
void wr_text(struct wr *w, int idx, const char *s, size_t n);
void wr_blob(struct wr *w, int idx, const void *p, size_t n);
/* Drops the row being built. */
void wr_cancel(struct wr *w);
/* Queues the row; returns the writer's first error (an XV_E* code), if it had one. */
int wr_end(struct wr *w);

/* Writes what is queued, stops the thread and frees W. Returns the first error. */
int wr_finish(struct wr *w);

#endif
