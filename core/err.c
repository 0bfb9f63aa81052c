/* err.c: prints errors in the "xverify: FILE:LINE: message" form and maps codes to exit codes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "err.h"

/* the last message reported, and the error context of xv_error_set: each thread its own */
static _Thread_local char last[4096];
static _Thread_local int pending_code;
static _Thread_local char pending[1024];
/* where the messages of xv_error_where point */
static _Thread_local const char *where_file;
static _Thread_local long where_line;

void xv_error_where(const char *file, long line)
{
    where_file = file;
    where_line = line;
}

const char *xv_last_error(void)
{
    return last;
}

static void vreport(const char *prefix, const char *file, long line, const char *fmt, va_list ap)
{
    va_list copy;
    int n = 0;
    if (!file && where_file) {
        file = where_file;
        line = where_line;
    }
    /* the message is also kept, without the program name, for the nightly run's .error files */
    if (file && line > 0)
        n = snprintf(last, sizeof last, "%s:%ld: ", file, line);
    else if (file)
        n = snprintf(last, sizeof last, "%s: ", file);
    if (n < 0 || (size_t)n >= sizeof last)
        n = 0;
    va_copy(copy, ap);
    vsnprintf(last + n, sizeof last - (size_t)n, fmt, copy);
    va_end(copy);
    fputs("xverify: ", stderr);
    if (prefix)
        fputs(prefix, stderr);
    if (file) {
        if (line > 0)
            fprintf(stderr, "%s:%ld: ", file, line);
        else
            fprintf(stderr, "%s: ", file);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(NULL, NULL, 0, fmt, ap);
    va_end(ap);
    return XV_ERR;
}

int xv_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(NULL, NULL, 0, fmt, ap);
    va_end(ap);
    return code;
}

int xv_fail_at(int code, const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(NULL, file, line, fmt, ap);
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
    vreport("warning: ", NULL, 0, fmt, ap);
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
