/* kv.c: parses "key = value" files line by line, reporting FILE:LINE for what it cannot read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "kv.h"
#include "utf8.h"
#include "util.h"

#define KV_MAX_FILE (1 << 20)

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *end = '\0';
    return s;
}

int kv_parse_buf(const char *name, const char *text, size_t n, kv_fn fn, void *ctx)
{
    int rc = 0;
    char *copy = xstrndup(text, n);
    char *p = copy, *end = copy + n;
    long line = 0;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    while (p < end && rc == 0) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        line++;
        if (memchr(p, '\0', (size_t)(eol - p))) {
            rc = xv_fail_at(XV_EUSAGE, name, line, "NUL byte in line");
            break;
        }
        *eol = '\0';
        char *hash = strchr(p, '#');
        char *stop = hash ? hash : eol;
        char *s = trim(p, stop);
        if (*s) {
            char *eq = strchr(s, '=');
            if (!eq) {
                /* the line itself is not quoted: the file may not be what it claims */
                rc = xv_fail_at(XV_EUSAGE, name, line, "expected 'key = value'");
                break;
            }
            char *key = trim(s, eq);
            char *val = trim(eq + 1, eq + 1 + strlen(eq + 1));
            if (!*key) {
                rc = xv_fail_at(XV_EUSAGE, name, line, "missing key before '='");
                break;
            }
            /* each checked once, whole: a long value costs its length, not its square */
            size_t tail, kl = strlen(key), vl = strlen(val);
            if (utf8_check((const unsigned char *)key, kl, 0, &tail) != kl ||
                utf8_check((const unsigned char *)val, vl, 0, &tail) != vl) {
                rc = xv_fail_at(XV_EUSAGE, name, line, "not valid UTF-8");
                break;
            }
            if (rc == 0)
                rc = fn(ctx, key, val, name, line);
        }
        p = nl ? nl + 1 : end;
    }
    free(copy);
    return rc;
}

int kv_parse_file(const char *path, kv_fn fn, void *ctx)
{
    struct sbuf b = SBUF_INIT;
    int rc = read_small_file(path, KV_MAX_FILE, &b);
    if (rc == 0)
        rc = kv_parse_buf(path, sbuf_str(&b), b.len, fn, ctx);
    sbuf_free(&b);
    return rc;
}
