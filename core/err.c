/* err.c: prints errors in the "xverify: FILE:LINE: message" form and maps codes to exit codes. */
#include <stdarg.h>
#include <stdio.h>
#include "err.h"

static char last[4096];

const char *xv_last_error(void)
{
    return last;
}

static void vreport(const char *prefix, const char *file, long line, const char *fmt, va_list ap)
{
    va_list copy;
    int n = 0;
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

void xv_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", NULL, 0, fmt, ap);
    va_end(ap);
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
