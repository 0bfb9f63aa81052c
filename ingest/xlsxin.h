/* xlsxin.h: reading one sheet of a returned workbook (.xlsx, a zip of XML) as a reader does a
 * CSV: its first row names the columns, each later row is a record. */
#ifndef XV_XLSXIN_H
#define XV_XLSXIN_H
#include "reader.h"

/* Limits on a workbook, whatever it claims: a zip bomb is refused before it is inflated. */
#define XLSX_MAX_ENTRIES 1000
#define XLSX_MAX_ENTRY (32LL << 20)    /* uncompressed bytes of one part read */
#define XLSX_MAX_STRINGS 1000000

/* 1 when the file open at FD starts as a zip archive does (its offset is left at 0). */
int xlsxin_is_zip(int fd);
/* Reads the first sheet named one of SHEETS (a NULL-terminated list) of the workbook open at
 * FD (named FILE in messages; FD is closed) through CB: column() for each cell of row 1, columns_done(), record() for every later row with
 * V[i] the text of column i (NULL when empty; numbers as written) and LINE its row number.
 * The parts are read with libzip and libxml2's reader, no DTD, no entities, no network.
 * XV_EDATA (FILE: message) for a file that is no workbook, a missing sheet, or one over the
 * limits above; else 0 or the first code a callback returned. */
int xlsxin_read(int fd, const char *file, const char *const *sheets, const struct reader_cb *cb);

#endif
