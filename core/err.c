/* err.c: prints errors in the "xverify: FILE:LINE: message" form and maps codes to exit codes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "err.h"
#include "utf8.h"
#include "util.h"

/* the last message reported, and the error context of xv_error_set: each thread its own */
static _Thread_local char last[4096];
static _Thread_local int pending_code;
static _Thread_local char pending[1024];
/* where the messages of xv_error_where point */
static _Thread_local const char *where_file;
static _Thread_local long where_line;
/* xv_error_hold: this thread's errors are recorded, not printed */
static _Thread_local int holding;

void xv_error_hold(int on)
{
    holding = on;
}

void xv_error_where(const char *file, long line)
{
    where_file = file;
    where_line = line;
}

const char *xv_last_error(void)
{
    return last;
}

/* Reports an error of CODE (a warning when PREFIX is given). */
static void vreport(int code, const char *prefix, const char *file, long line, const char *fmt,
                    va_list ap)
{
    struct sbuf msg = SBUF_INIT, safe = SBUF_INIT;
    va_list copy;
    if (!file && where_file) {
        file = where_file;
        line = where_line;
    }
    if (file && line > 0)
        sbuf_addf(&msg, "%s:%ld: ", file, line);
    else if (file)
        sbuf_addf(&msg, "%s: ", file);
    va_copy(copy, ap);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (len > 0) {
        size_t at = msg.len;
        sbuf_reserve(&msg, (size_t)len);
        vsnprintf(msg.s + at, (size_t)len + 1, fmt, ap);
        msg.len = at + (size_t)len;
    }
    /* every control character escaped: a file name or a value must not start a line of its
     * own (a forged message) or drive the terminal */
    utf8_printable(sbuf_str(&msg), 1, &safe);
    /* the message is also kept, without the program name, for the nightly run's .error files */
    snprintf(last, sizeof last, "%s", safe.s);
    if (holding && !prefix) {
        if (!pending_code) {   /* the first: what went wrong, not what failed after it */
            snprintf(pending, sizeof pending, "%s", safe.s);
            pending_code = code;
        }
    } else {
        fprintf(stderr, "xverify: %s%s\n", prefix ? prefix : "", safe.s);
    }
    sbuf_free(&msg);
    sbuf_free(&safe);
}

int error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(XV_ERR, NULL, NULL, 0, fmt, ap);
    va_end(ap);
    return XV_ERR;
}

int xv_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(code, NULL, NULL, 0, fmt, ap);
    va_end(ap);
    return code;
}

int xv_fail_at(int code, const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(code, NULL, file, line, fmt, ap);
    va_end(ap);
    return code;
}

int xv_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pending, sizeof pending, fmt, ap);
    va_end(ap);
    pending_code = code;
    return code;
}

int xv_error_adopt(int code, const char *msg)
{
    snprintf(pending, sizeof pending, "%s", msg);
    pending_code = code;
    return code;
}

void xv_error_take(int *code, char *msg, size_t n)
{
    *code = pending_code;
    snprintf(msg, n, "%s", pending);
    pending_code = 0;
    pending[0] = '\0';
}

int xv_error_raise(void)
{
    int code = pending_code ? pending_code : XV_ERR;
    int rc = xv_fail(code, "%s", pending[0] ? pending : "internal error");
    pending_code = 0;
    pending[0] = '\0';
    return rc;
}

void xv_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(0, "warning: ", NULL, 0, fmt, ap);
    va_end(ap);
}

static void (*fatal_routine)(void) __attribute__((noreturn)) = abort;

void xv_set_fatal(void (*routine)(void) __attribute__((noreturn)))
{
    fatal_routine = routine;
}

void xv_fatal(const char *message)
{
    fprintf(stderr, "xverify: %s\n", message);
    fatal_routine();
}

int xv_exit_code(int rc)
{
    switch (rc) {
    case XV_OK: return 0;
    case XV_ENEEDS: return 1;
    case XV_EUSAGE: return 2;
    case XV_EDATA: return 3;
    case XV_ELOCKED: return 4;
    default: return 5;
    }
}
