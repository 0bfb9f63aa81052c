/* hooks.c: the test hooks of hooks.h. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hooks.h"

void hook_crash_point(const char *point)
{
    const char *want = getenv("XVERIFY_CRASH_AT");
    if (want && !strcmp(want, point)) {
        fflush(NULL);
        raise(SIGKILL);
    }
}

size_t hook_spill_bytes(size_t deflt)
{
    const char *s = getenv("XVERIFY_SPILL_BYTES");
    return s && *s ? (size_t)strtoull(s, NULL, 10) : deflt;
}

int hook_pairing(void)
{
    const char *s = getenv("XVERIFY_PAIRING");
    return !s || strcmp(s, "0");
}

int hook_fail_app(const char *id)
{
    const char *s = getenv("XVERIFY_FAIL_APP");
    size_t n = strlen(id);
    while (s && *s) {
        size_t len = strcspn(s, ",");
        if (len == n && !strncmp(s, id, n))
            return 1;
        s += len + (s[len] == ',');
    }
    return 0;
}

int hook_fail_open(const char *what)
{
    const char *s = getenv("XVERIFY_FAIL_OPEN");
    return s && !strcmp(s, what);
}

int hook_writers(int deflt)
{
    const char *s = getenv("XVERIFY_WRITERS");
    int n = s && *s ? atoi(s) : deflt;
    return n < 0 ? 0 : n > deflt ? deflt : n;
}
