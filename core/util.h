/* util.h: growable strings, checked allocation, bit sets, hashing and masking shared by all
 * modules. */
#ifndef XV_UTIL_H
#define XV_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* A growable, always NUL-terminated byte string. The caller owns s and frees it with sbuf_free. */
struct sbuf {
    char *s;
    size_t len, cap;
};
#define SBUF_INIT { NULL, 0, 0 }
/* Makes room for N more bytes (plus the NUL) without changing the content. */
void sbuf_reserve(struct sbuf *b, size_t n);
/* The adders are inline: the loader calls them a dozen times for every record. */
static inline void sbuf_add(struct sbuf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap)
        sbuf_reserve(b, n);
    if (n)
        __builtin_memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}
static inline void sbuf_adds(struct sbuf *b, const char *s)
{
    sbuf_add(b, s, __builtin_strlen(s));
}
static inline void sbuf_addc(struct sbuf *b, char c)
{
    if (b->len + 2 > b->cap)
        sbuf_reserve(b, 1);
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
}
void sbuf_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends V in decimal, as "%lld" would, without printf: every row the audit hashes has
 * integers, every tie of the trail two and every entry's hash one, and printf's cost was most
 * of the hashing's. */
void sbuf_add_decimal(struct sbuf *b, long long v);
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);
/* A pointer to the string, "" when nothing was added yet. */
const char *sbuf_str(const struct sbuf *b);

/* Allocation that exits with code 5 and a message when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* SIZE zeroed bytes at an address that is a multiple of 64 (a cache line); free() frees them. */
void *xcalloc_line(size_t size);
void *xrealloc(void *p, size_t n);
/* A large array of zeroed bytes, mapped in whole 2 MiB pages from a 2 MiB boundary with
 * transparent huge pages asked for (madvise; without them, 4 KiB pages): its first touches
 * fault 2 MiB at a time (on a virtual machine each 4 KiB first touch costs microseconds).
 * xhuge_grow makes P (OLD bytes, NULL: none) NEW_BYTES, the old ones copied, the rest
 * zeroed, P unmapped; xhuge_free unmaps P of BYTES (NULL: nothing). Out of memory exits as
 * above. */
void *xhuge_grow(void *p, size_t old, size_t new_bytes);
void xhuge_free(void *p, size_t bytes);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Blocks handed out from pieces of a MiB or more and freed all at once by arena_free, for
 * many small blocks that live and die together (141,000 findings freed one by one took a
 * quarter of a second). Blocks are not aligned: for text. Zero-initialise. */
struct arena {
    char **piece;
    size_t npieces, left;
    char *next;                  /* the last piece's first free byte, LEFT of them */
};
char *arena_take(struct arena *a, size_t n);
/* N bytes of S and a NUL, in A. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* S and its NUL in A; NULL for a NULL S. */
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);
/* Moves FROM's pieces into A (their blocks stay where they are, now A's) and empties FROM. A
 * takes its next blocks from a new piece. */
void arena_adopt(struct arena *a, struct arena *from);

/* A set of record numbers or rids, a bit each, growing as members are added. The owner
 * frees b; a zeroed struct is the empty set. */
struct bits {
    unsigned char *b;
    size_t len;     /* bytes */
};
void bits_set(struct bits *s, uint32_t n);
int bits_has(const struct bits *s, uint32_t n);
long bits_count(const struct bits *s);

/* SHA-256 of N bytes as 64 lower-case hex digits plus NUL in OUT. */
void sha256_hex(const void *p, size_t n, char out[65]);
/* The 32 bytes of MD as 64 lower-case hex digits and a NUL into OUT. */
void hex32(const unsigned char md[32], char out[65]);
/* SHA-256 of the file PATH (opened as xv_open_input opens it), read in chunks, into OUT.
 * Returns 0, or XV_EIO with a message when it cannot be read. */
int sha256_file(const char *path, char out[65]);

/* Input files in a shared folder (the nightly inbox) are opened without following links:
 * after xv_set_nofollow(1), xv_open_input refuses a symbolic link (errno ELOOP) and anything
 * but a regular file (EISDIR or EINVAL). Returns a read-only descriptor, or -1 with errno. */
void xv_set_nofollow(int on);
int xv_open_input(const char *path);
/* Reads the whole file PATH, at most MAX bytes, into B. Returns XV_EDATA (with a message)
 * when it cannot be read or is larger. */
int read_small_file(const char *path, size_t max, struct sbuf *b);

/* Seconds on a monotonic clock, for timing steps (never a date: matching reads no clock). */
double now_seconds(void);
/* 1 when Y-M-D is a real calendar date between 1900 and 2099. */
int date_is_real(int y, int m, int d);

/* The time now in UTC as YYYY-MM-DDTHH:MM:SSZ, for records of when a person acted. */
void utc_now(char out[21]);

/* The UTC time of S, "YYYY-MM-DD" (midnight) or "YYYY-MM-DDTHH:MM:SSZ", in seconds since the
 * epoch; fields past the end of a short S count as 0. */
long long iso_utc(const char *s);

/* Today's local date as YYYY-MM-DD. */
void today_iso(char out[11]);

/* A figure of one county, for the performance figures (绩效考核): FIGURE is its name, N its
 * value. A negative return stops the caller's walk and is returned. */
typedef int (*figure_fn)(void *ctx, const char *county, const char *figure, long long n);

#endif
