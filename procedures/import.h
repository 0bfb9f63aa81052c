/* import.h: "review --import": many review decisions at once from a returned file. */
#ifndef XV_IMPORT_H
#define XV_IMPORT_H
#include <sqlite3.h>

/* The file at PATH, a CSV (UTF-8 or GB18030, as a spreadsheet saves it) with the columns
 * fingerprint, decision and reason (or 指纹, 处理意见, 理由; others are ignored), decided by BY
 * at LEVEL. */
struct import_req {
    const char *path, *by, *level;
};

struct import_done {
    long decided[2];          /* dismissed, confirmed */
    long left_open;           /* rows with neither decision nor reason: not decided yet */
};

/* Takes every decision of Q's file in one transaction, each row checked as if typed alone
 * (review.h). A file with a bad row is refused whole: every bad row is reported as
 * "FILE:LINE: message", nothing is recorded, and XV_EDATA is returned. A link, a file that is
 * not regular or is over 16 MiB, or over 100,000 rows, is refused (XV_EDATA) before any row. */
int review_import(sqlite3 *db, const struct import_req *q, struct import_done *out);

#endif
