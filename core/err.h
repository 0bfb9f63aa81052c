/* err.h: error codes and the error context every module reports through. */
#ifndef XV_ERR_H
#define XV_ERR_H
#include <stddef.h>

/* Every function that can fail returns int: 0 on success, one of these on failure.
 * The distinct codes map one-to-one onto the exit codes of cli.md. */
enum {
    XV_OK = 0,
    XV_ERR = -1,      /* internal error (exit 5) */
    XV_EUSAGE = -2,   /* usage error (exit 2) */
    XV_EDATA = -3,    /* data error: unreadable, bad encoding, refused (exit 3) */
    XV_ELOCKED = -4,  /* database locked or failed its check (exit 4) */
    XV_EIO = -5,      /* I/O failure, disk full (exit 5) */
    XV_ENEEDS = -6,   /* done, but a person must look (exit 1) */
    /* two signals between the steps of one module, never a command's result (exit 5 if one
     * ever escaped): */
    XV_STOP = -7,     /* stop early, no error: e.g. a load finds its file loaded before */
    XV_EREBUILD = -8  /* derived data failed its check: rebuild it, then do the work again */
};

/* Prints "xverify: MESSAGE" on stderr and returns XV_ERR (git's error()). */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "xverify: MESSAGE" on stderr and returns CODE. */
int xv_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "xverify: FILE:LINE: MESSAGE" (LINE omitted when <= 0) and returns CODE. */
int xv_fail_at(int code, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Until called again with NULL, messages that name no file (error, xv_fail, xv_warn) name
 * FILE:LINE: the row of an input file that every check of a step is about. */
void xv_error_where(const char *file, long line);
/* The error context, for code that must not print (a thread of its own): records CODE and
 * MESSAGE for this thread without printing, and returns CODE. */
int xv_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the message xv_error_set recorded on this thread (as xv_fail would) and returns its
 * code; XV_ERR with "internal error" when none was recorded. Clears it. */
int xv_error_raise(void);
/* Hands the error recorded on this thread to the caller: *CODE and MSG (N bytes). Clears it.
 * For a thread's result, raised by the thread that joins it (xv_error_adopt). */
void xv_error_take(int *code, char *msg, size_t n);
/* Records CODE and MSG (taken from another thread) on this thread, without printing. */
int xv_error_adopt(int code, const char *msg);
/* For a thread of its own that calls code which reports as it fails (xv_fail, error, a
 * store error): while ON, this thread's errors are not printed; the first is recorded as
 * xv_error_set would, for xv_error_take. Warnings are printed. */
void xv_error_hold(int on);
/* Prints "xverify: warning: MESSAGE" on stderr. */
void xv_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last error or warning reported, without the "xverify: " prefix ("" before any). */
const char *xv_last_error(void);
/* The one failure no function returns: memory or the C library's hashing failing. It reports
 * MESSAGE and calls the fatal routine, which does not return: by default abort(); the
 * command layer sets one that exits with code 5 (xv_set_fatal). */
void xv_fatal(const char *message) __attribute__((noreturn));
void xv_set_fatal(void (*routine)(void) __attribute__((noreturn)));
/* The process exit code for a return code. */
int xv_exit_code(int rc);

#endif
