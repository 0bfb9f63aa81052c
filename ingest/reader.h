/* reader.h: what a format reader (CSV, XML) hands the loader: columns, then records. */
#ifndef XV_READER_H
#define XV_READER_H
#include <stddef.h>
#include "source.h"

struct csv_span {
    size_t start, len;
};

/* A plain CSV line (no quote, no CR, no more fields than the reader's column limit): the N
 * bytes at S without the line end, split into NF fields at SPAN; CONTROL when it holds a
 * control character other than tab. It holds record RECNO, which starts on line LINE. */
struct csv_line {
    const char *s;
    size_t n;
    const struct csv_span *span;
    int nf, control;
    long line, recno;
};

/* One record: V[i] is the value of source column i (NULL when absent), all valid UTF-8. */
struct rec {
    int n;
    char **v;
    long line;     /* CSV: line the record starts on; XML: line of the record element */
    long recno;    /* 1-based record number (not counting a CSV header) */
    /* CSV: the record's line without its end, when it is a plain line (see csv_line); NULL
     * otherwise */
    const char *text;
    size_t text_n;
    /* CSV: the length of each value (NULL: not given, strlen says) */
    const size_t *len;
    /* 1 when no value holds a control character other than a tab (0: not known) */
    int no_control;
};

struct reader_cb {
    /* Source column POS is called NAME (the CSV header cell, the XML element or @attr). */
    int (*column)(void *ctx, int pos, const char *name, long line);
    /* All columns are known (CSV: after the header; XML: never called). */
    int (*columns_done)(void *ctx);
    /* XML only: the value found at the mapping's as_of path. */
    int (*as_of)(void *ctx, const char *value, long line);
    int (*record)(void *ctx, const struct rec *r);
    void *ctx;
    /* Optional: 0 when record RECNO is not wanted. The CSV reader then skips a plain line
     * without splitting it; record() may still be called for unwanted records. */
    int (*wanted)(void *ctx, long recno);
    /* Optional: offered each plain line (see struct csv_line). 1: taken, it is not passed
     * to record(); 0: not taken; < 0: an error that stops the reading. */
    int (*line)(void *ctx, const struct csv_line *ln);
    /* Optional: offered each line that starts a record (after the header), before it is
     * split: the N bytes at S without the line end, record RECNO on line LINE. 1: taken, it
     * is neither split nor passed on; 0: not taken; < 0: an error that stops the reading. */
    int (*before)(void *ctx, const char *s, size_t n, long line, long recno);
};

/* Limits that keep memory bounded whatever the input. */
#define READER_MAX_FIELD (1 << 20)    /* bytes in one field before the file is refused */
#define READER_MAX_COLUMNS 1024
#define READER_MAX_RECORD (4 << 20)   /* bytes in one record's fields before the file is refused */

/* Reads S (named FILE in messages) as RFC 4180 CSV with a header row. Returns 0, XV_EDATA
 * for input it cannot read (FILE:LINE: message printed), or the first code a callback
 * returned. */
int csvin_read(struct src *s, const char *file, const struct reader_cb *cb);
/* 1 (the default): lines without quotes are split without libcsv, with the same result.
 * The unit tests set 0 to compare the two. */
extern int csvin_fast;

/* Splits the N bytes at S, a line with no quote, CR or line end, at its commas into fields
 * trimmed of spaces and tabs, as libcsv reads them: SPAN gets up to MAX fields; returns
 * their number, or MAX + 1 when there are more. */
int csvin_split(const char *s, size_t n, struct csv_span *span, int max);

/* csvin_split and the checks a line needs before it, in one pass of 16 bytes at a time:
 * returns what csvin_split would, and *FLAGS gets CSV_QUOTE_CR when the line holds a quote
 * or a CR (then nothing else is said: the line is libcsv's), CSV_CONTROL when it holds a
 * control character other than tab. Past MAX fields it stops (returning MAX + 1), and
 * FLAGS tells nothing of the rest of the line: such a line is libcsv's too. */
enum { CSV_QUOTE_CR = 1, CSV_CONTROL = 2 };
int csvin_scan(const char *s, size_t n, struct csv_span *span, int max, unsigned *flags);

/* XML layout: RECORD is the path of one record element ("/DATA/ROW"), NULL for "every child
 * of the root"; AS_OF an optional path ("/DATA/@EXPORT_DATE" or an element's text). */
struct xml_layout {
    const char *record;
    const char *as_of;
};

/* Reads S as XML in streaming mode with no network, no DTD and no entity expansion. */
int xmlin_read(struct src *s, const char *file, const struct xml_layout *lay,
               const struct reader_cb *cb);

#endif
