/* err.h: error codes and the error context every module reports through. */
#ifndef XV_ERR_H
#define XV_ERR_H

/* Every function that can fail returns int: 0 on success, one of these on failure.
 * The distinct codes map one-to-one onto the exit codes of cli.md. */
enum {
    XV_OK = 0,
    XV_ERR = -1,      /* internal error (exit 5) */
    XV_EUSAGE = -2,   /* usage error (exit 2) */
    XV_EDATA = -3,    /* data error: unreadable, bad encoding, refused (exit 3) */
    XV_ELOCKED = -4,  /* database locked or failed its check (exit 4) */
    XV_EIO = -5,      /* I/O failure, disk full (exit 5) */
    XV_ENEEDS = -6    /* done, but a person must look (exit 1) */
};

/* Prints "xverify: MESSAGE" on stderr and returns XV_ERR (git's error()). */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "xverify: MESSAGE" on stderr and returns CODE. */
int xv_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "xverify: FILE:LINE: MESSAGE" (LINE omitted when <= 0) and returns CODE. */
int xv_fail_at(int code, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints "xverify: warning: MESSAGE" on stderr. */
void xv_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last error or warning reported, without the "xverify: " prefix ("" before any). */
const char *xv_last_error(void);
/* The process exit code for a return code. */
int xv_exit_code(int rc);

#endif
