/* util.c: growable strings, checked allocation, UTF-8 helpers and hashing. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#include "err.h"
#include "util.h"

static void oom(void)
{
    xv_fatal("out of memory");
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc_line(size_t size)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, size ? size : 1) != 0)
        oom();
    memset(p, 0, size ? size : 1);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

#define ARENA_PIECE ((size_t)1 << 20)

char *arena_take(struct arena *a, size_t n)
{
    if (n > a->left) {
        size_t size = n > ARENA_PIECE ? n : ARENA_PIECE;
        a->piece = xrealloc(a->piece, (a->npieces + 1) * sizeof *a->piece);
        a->next = a->piece[a->npieces++] = xmalloc(size);
        a->left = size;
    }
    char *p = a->next;
    a->next += n;
    a->left -= n;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_take(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void arena_free(struct arena *a)
{
    for (size_t i = 0; i < a->npieces; i++)
        free(a->piece[i]);
    free(a->piece);
    memset(a, 0, sizeof *a);
}

void arena_adopt(struct arena *a, struct arena *from)
{
    if (!from->npieces)
        return;
    a->piece = xrealloc(a->piece, (a->npieces + from->npieces) * sizeof *a->piece);
    memcpy(a->piece + a->npieces, from->piece, from->npieces * sizeof *a->piece);
    a->npieces += from->npieces;
    a->next = NULL;
    a->left = 0;
    free(from->piece);
    memset(from, 0, sizeof *from);
}

#define HUGE_PAGE ((size_t)2 << 20)

/* BYTES rounded up to whole huge pages. */
static size_t huge_round(size_t bytes)
{
    return (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

void *xhuge_grow(void *p, size_t old, size_t new_bytes)
{
    /* a mapping starting on a huge page's boundary (the kernel gives huge pages only to
     * aligned ranges): map one huge page more and unmap the ends */
    size_t n = huge_round(new_bytes ? new_bytes : 1);
    char *m = mmap(NULL, n + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED)
        oom();
    size_t lead = (HUGE_PAGE - ((uintptr_t)m & (HUGE_PAGE - 1))) & (HUGE_PAGE - 1);
    if (lead)
        munmap(m, lead);
    munmap(m + lead + n, HUGE_PAGE - lead);
    m += lead;
#ifdef MADV_HUGEPAGE
    madvise(m, n, MADV_HUGEPAGE);   /* a hint */
#endif
    if (p) {
        memcpy(m, p, old < new_bytes ? old : new_bytes);
        xhuge_free(p, old);
    }
    return m;
}

void xhuge_free(void *p, size_t bytes)
{
    if (p)
        munmap(p, huge_round(bytes ? bytes : 1));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

static void sbuf_grow(struct sbuf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

void sbuf_reserve(struct sbuf *b, size_t n)
{
    sbuf_grow(b, n);
}

void sbuf_add_decimal(struct sbuf *b, long long v)
{
    char buf[24];
    int n = sizeof buf;
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--n] = '-';
    sbuf_add(b, buf + n, sizeof buf - (size_t)n);
}

/* Formats once into the room the buffer has (at least 64 bytes), and again only when the text
 * is longer: a number printed with %.17g costs more to format than to hash. */
void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    sbuf_grow(b, 63);
    size_t room = b->cap - b->len;
    va_start(ap, fmt);
    int n = vsnprintf(b->s + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->s[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        sbuf_grow(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void sbuf_reset(struct sbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

void sbuf_free(struct sbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

const char *sbuf_str(const struct sbuf *b)
{
    return b->s ? b->s : "";
}

static EVP_MD *sha256_md;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void hex32(const unsigned char md[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

/* The algorithm, fetched once: EVP_sha256() makes every call look it up again, which cost
 * as much as hashing a short row. */
static const EVP_MD *sha256(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sha256_fetch);
    if (!sha256_md)
        xv_fatal("SHA-256 failed");
    return sha256_md;
}

void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (!EVP_Digest(p, n, md, &mdlen, sha256(), NULL) || mdlen != 32)
        xv_fatal("SHA-256 failed");
    hex32(md, out);
}

int sha256_file(const char *path, char out[65])
{
    enum { CHUNK = 1 << 20 };
    unsigned char md[32];
    unsigned int mdlen = 0;
    int rc = 0, fd = xv_open_input(path);
    if (fd < 0)
        return xv_fail(XV_EIO, "cannot open '%s': %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *buf = xmalloc(CHUNK);
    if (!ctx || !EVP_DigestInit_ex(ctx, sha256(), NULL))
        xv_fatal("SHA-256 failed");
    for (;;) {
        ssize_t got = read(fd, buf, CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = xv_fail(XV_EIO, "cannot read '%s': %s", path, strerror(errno));
            goto done;
        }
        if (got == 0)
            break;
        if (!EVP_DigestUpdate(ctx, buf, (size_t)got))
            xv_fatal("SHA-256 failed");
    }
    if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)
        xv_fatal("SHA-256 failed");
    hex32(md, out);
done:
    EVP_MD_CTX_free(ctx);
    free(buf);
    close(fd);
    return rc;
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long long iso_utc(const char *s)
{
    struct tm tm;
    size_t n = strlen(s);
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = (n > 5 ? atoi(s + 5) : 1) - 1;
    tm.tm_mday = n > 8 ? atoi(s + 8) : 1;
    if (n > 11)
        tm.tm_hour = atoi(s + 11);
    if (n > 14)
        tm.tm_min = atoi(s + 14);
    if (n > 17)
        tm.tm_sec = atoi(s + 17);
    return (long long)timegm(&tm);
}

void today_iso(char out[11])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int nofollow;

void xv_set_nofollow(int on)
{
    nofollow = on;
}

int xv_open_input(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW | O_NONBLOCK : 0));
    if (fd < 0 || !nofollow)
        return fd;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
        close(fd);
        errno = e;
        return -1;
    }
    /* a regular file: blocking reads again */
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int read_small_file(const char *path, size_t max, struct sbuf *b)
{
    char chunk[8192];
    size_t got;
    int rc = 0;
    int fd = xv_open_input(path);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        rc = xv_fail(XV_EDATA, "cannot open '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        sbuf_add(b, chunk, got);
        if (b->len > max) {
            rc = xv_fail(XV_EDATA, "'%s' is larger than %zu bytes", path, max);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = xv_fail(XV_EDATA, "cannot read '%s': %s", path, strerror(errno));
    fclose(f);
    return rc;
}

void utc_now(char out[21])
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 21, "0000-00-00T00:00:00Z");
}

void bits_set(struct bits *s, uint32_t n)
{
    size_t byte = n / 8;
    if (byte >= s->len) {
        size_t len = s->len ? s->len : 4096;
        while (len <= byte)
            len *= 2;
        s->b = xrealloc(s->b, len);
        memset(s->b + s->len, 0, len - s->len);
        s->len = len;
    }
    s->b[byte] |= (unsigned char)(1u << (n % 8));
}

int bits_has(const struct bits *s, uint32_t n)
{
    return n / 8 < s->len && (s->b[n / 8] >> (n % 8) & 1);
}

long bits_count(const struct bits *s)
{
    long n = 0;
    for (size_t i = 0; i < s->len; i++)
        n += __builtin_popcount(s->b[i]);
    return n;
}

int date_is_real(int y, int m, int d)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max;
}
