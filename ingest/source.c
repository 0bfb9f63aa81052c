/* source.c: hashes a feed file, detects UTF-8 or GB18030 strictly, and streams it as UTF-8. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <xxhash.h>
#include "../core/err.h"
#include "../core/utf8.h"
#include "../core/util.h"
#include "source.h"

#define GUESS_BYTES (1 << 20)   /* read to guess the encoding */

int src_enc_parse(const char *name)
{
    if (!strcasecmp(name, "auto"))
        return ENC_AUTO;
    if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8"))
        return ENC_UTF8;
    if (!strcasecmp(name, "gb18030") || !strcasecmp(name, "gbk") || !strcasecmp(name, "gb2312"))
        return ENC_GB18030;
    return -1;
}

const char *src_enc_name(enum src_enc e)
{
    return e == ENC_GB18030 ? "gb18030" : e == ENC_UTF8 ? "utf-8" : "auto";
}

/* Feeds N bytes to iconv; returns the offset in BUF of the first bad byte, or N. A sequence
 * cut at the end is kept (*TAIL) when more may come. */
static size_t gb_check(iconv_t cd, const unsigned char *buf, size_t n, int last, size_t *tail)
{
    char out[16384];
    char *in = (char *)buf;
    size_t inleft = n;
    *tail = 0;
    while (inleft > 0) {
        char *o = out;
        size_t oleft = sizeof out;
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        if (r != (size_t)-1)
            continue;
        if (errno == E2BIG)
            continue;
        if (errno == EINVAL && !last) {
            *tail = inleft;
            return n;
        }
        return (size_t)((unsigned char *)in - buf);
    }
    /* NUL bytes decode but are no text */
    const unsigned char *z = memchr(buf, 0, n);
    return z ? (size_t)(z - buf) : n;
}

/* The scan reads 1 MiB at a time: with 64 KiB reads, a 1 GB file's scan took 0.05 s more
 * in read calls (0.125 s against 0.073 s for the reads alone). */
#define SCAN_BLOCK (1 << 20)

/* Checks the stream of chunks for one encoding, keeping a sequence cut at a chunk's end. */
struct enc_check {
    int on;
    int gb;                       /* 0: UTF-8, 1: GB18030 through iconv */
    iconv_t cd;
    unsigned char buf[SCAN_BLOCK + 8];
    size_t carry;
    unsigned long long bad;       /* offset of the first bad byte, or -1 */
};

#define NO_BAD ((unsigned long long)-1)

/* Feeds N new bytes that start at file offset OFF (N == 0: the end). */
static void enc_feed(struct enc_check *c, const unsigned char *p, size_t n, unsigned long long off)
{
    if (!c->on || c->bad != NO_BAD)
        return;
    memcpy(c->buf + c->carry, p, n);
    size_t all = c->carry + n, tail, bad;
    int last = n == 0;
    if (c->gb)
        bad = gb_check(c->cd, c->buf, all, last, &tail);
    else
        bad = utf8_check(c->buf, all, !last, &tail);
    if (bad < all) {
        c->bad = off - c->carry + bad;
        return;
    }
    memmove(c->buf, c->buf + all - tail, tail);
    c->carry = tail;
}

/* Lines that read as UTF-8 Chinese in a file that is otherwise GB18030: a line whose non-ASCII
 * bytes are all UTF-8 sequences of CJK characters (U+3000..303F, U+3400..4DBF, U+4E00..9FFF,
 * U+FF00..FFEF), at least MIXED_CJK of them. GB18030 text reads as such by chance for a short
 * run of bytes only: six characters need eighteen bytes that each fall into place (about one
 * line in 10^13), while a name and an address written in UTF-8 easily have them. */
#define MIXED_CJK 6

struct line_check {
    unsigned long long line, off;  /* the line under way (from 1) and the offset it starts at */
    int ok, cjk, need;
    unsigned cp;
    unsigned long long found, found_off;   /* the first such line, 0: none */
};

static void line_feed(struct line_check *c, const unsigned char *p, size_t n,
                      unsigned long long off)
{
    for (size_t i = 0; i < n && !c->found; i++) {
        unsigned b = p[i];
        if (b == '\n') {
            if (c->ok && c->need == 0 && c->cjk >= MIXED_CJK) {
                c->found = c->line;
                c->found_off = c->off;
            }
            c->line++;
            c->off = off + i + 1;
            c->ok = 1;
            c->cjk = c->need = 0;
        } else if (!c->ok || (b < 0x80 && c->need == 0)) {
            continue;
        } else if (c->need > 0) {
            if ((b & 0xC0) != 0x80) {
                c->ok = 0;
                continue;
            }
            c->cp = c->cp << 6 | (b & 0x3F);
            if (--c->need == 0) {
                unsigned cp = c->cp;
                if ((cp >= 0x3000 && cp <= 0x303F) || (cp >= 0x3400 && cp <= 0x4DBF) ||
                    (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xFF00 && cp <= 0xFFEF))
                    c->cjk++;
                else
                    c->ok = 0;
            }
        } else if (b >= 0xE0 && b <= 0xEF) {
            c->need = 2;
            c->cp = b & 0x0F;
        } else {
            c->ok = 0;
        }
    }
}

/* A scan under way: the file, the hashes, and an encoding check for each candidate. */
struct scan {
    const char *path;
    int fd;
    unsigned char *buf;
    struct enc_check *chk;     /* UTF-8, GB18030: each holds a block, so not on the stack */
    EVP_MD_CTX *md;
    XXH3_state_t *xx;
    struct line_check lines;   /* with auto, on the GB18030 pass: a UTF-8 line among the rest */
};

static int scan_start(struct scan *sc, const char *path, enum src_enc want)
{
    memset(sc, 0, sizeof *sc);
    sc->path = path;
    sc->fd = -1;
    sc->buf = xmalloc(SCAN_BLOCK);
    sc->chk = xcalloc(2, sizeof *sc->chk);
    struct enc_check *u8 = &sc->chk[0], *gb = &sc->chk[1];
    u8->bad = gb->bad = NO_BAD;
    gb->gb = 1;
    gb->cd = (iconv_t)-1;
    sc->md = EVP_MD_CTX_new();
    sc->xx = XXH3_createState();
    if ((sc->fd = xv_open_input(path)) < 0)
        return xv_error_set(XV_EDATA, "cannot open '%s': %s", path, strerror(errno));
    if (!sc->md || !sc->xx || !EVP_DigestInit_ex(sc->md, EVP_sha256(), NULL) ||
        XXH3_128bits_reset(sc->xx) == XXH_ERROR)
        return xv_error_set(XV_ERR, "hash init failed");
    u8->on = want != ENC_GB18030;
    gb->on = want == ENC_GB18030;
    if ((gb->cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1)
        return xv_error_set(XV_ERR, "iconv cannot convert GB18030: %s", strerror(errno));
    return 0;
}

static void scan_end(struct scan *sc)
{
    if (sc->chk[1].cd != (iconv_t)-1)
        iconv_close(sc->chk[1].cd);
    if (sc->fd >= 0)
        close(sc->fd);
    free(sc->chk);
    free(sc->buf);
    EVP_MD_CTX_free(sc->md);
    XXH3_freeState(sc->xx);
}

/* One pass over the file: the first hashes it and checks the asked encoding (and UTF-8); the
 * second checks GB18030 alone, and stops at its first bad byte. */
static int scan_pass(struct scan *sc, int pass, struct src_info *info)
{
    unsigned long long off = 0;
    if (pass == 2 && lseek(sc->fd, 0, SEEK_SET) < 0)
        return xv_error_set(XV_EDATA, "cannot read '%s': %s", sc->path, strerror(errno));
    for (;;) {
        ssize_t got = read(sc->fd, sc->buf, SCAN_BLOCK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return xv_error_set(XV_EDATA, "cannot read '%s': %s", sc->path, strerror(errno));
        size_t n = (size_t)got;
        if (pass == 1) {
            if (n && (!EVP_DigestUpdate(sc->md, sc->buf, n) ||
                      XXH3_128bits_update(sc->xx, sc->buf, n) == XXH_ERROR))
                return xv_error_set(XV_ERR, "hash update failed");
            info->size += n;
            enc_feed(&sc->chk[0], sc->buf, n, off);
        }
        enc_feed(&sc->chk[1], sc->buf, n, off);
        if (pass == 2)
            line_feed(&sc->lines, sc->buf, n, off);
        off += n;
        if (n == 0 || (pass == 2 && sc->chk[1].bad != NO_BAD))
            return 0;
    }
}

/* The hashes into INFO, and the verdict on the encoding: WANT's, or with auto, UTF-8 when the
 * whole file is, else GB18030 when it is that. */
static int scan_verdict(struct scan *sc, enum src_enc want, struct src_info *info)
{
    static const char hex[] = "0123456789abcdef";
    unsigned long long u8 = sc->chk[0].bad, gb = sc->chk[1].bad;
    if (!EVP_DigestFinal_ex(sc->md, sc->buf, NULL))
        return xv_error_set(XV_ERR, "hash final failed");
    for (int i = 0; i < 32; i++) {
        info->sha256[2 * i] = hex[sc->buf[i] >> 4];
        info->sha256[2 * i + 1] = hex[sc->buf[i] & 15];
    }
    XXH128_hash_t h = XXH3_128bits_digest(sc->xx);
    info->fast[0] = h.low64;
    info->fast[1] = h.high64;
    info->not_utf8_at = u8;
    if (want == ENC_UTF8 && u8 != NO_BAD)
        return xv_error_set(XV_EDATA, "'%s': not valid UTF-8: bad byte at offset %llu",
                            sc->path, u8);
    if (want == ENC_GB18030 && gb != NO_BAD)
        return xv_error_set(XV_EDATA, "'%s': not valid GB18030: bad byte at offset %llu",
                            sc->path, gb);
    if (want == ENC_AUTO && u8 != NO_BAD && gb != NO_BAD)
        return xv_error_set(XV_EDATA, "'%s': neither UTF-8 (bad byte at offset %llu) nor "
                            "GB18030 (bad byte at offset %llu)", sc->path, u8, gb);
    info->enc = want == ENC_GB18030 || u8 != NO_BAD ? ENC_GB18030 : ENC_UTF8;
    /* the line under way at the end counts as well */
    if (want == ENC_AUTO && info->enc == ENC_GB18030 && !sc->lines.found)
        line_feed(&sc->lines, (const unsigned char *)"\n", 1, info->size);
    if (want == ENC_AUTO && info->enc == ENC_GB18030 && sc->lines.found)
        return xv_error_set(XV_EDATA, "'%s': line %llu (offset %llu) is UTF-8 Chinese, and the "
                            "file is not UTF-8 (bad byte at offset %llu) but valid GB18030 "
                            "otherwise: a file that mixes encodings is refused (--encoding "
                            "forces one)", sc->path, sc->lines.found, sc->lines.found_off, u8);
    return 0;
}

/* src_scan's work: returns 0 or a code, with the message in the thread's error context
 * (nothing is printed, so that it can run beside the reader in its own thread). */
static int scan_file(const char *path, enum src_enc want, struct src_info *info)
{
    struct scan sc;
    memset(info, 0, sizeof *info);
    int rc = scan_start(&sc, path, want);
    /* Pass 1 hashes and checks the asked encoding; with auto, a second pass checks
     * GB18030 only when the file is not UTF-8. */
    if (rc == 0)
        rc = scan_pass(&sc, 1, info);
    if (rc == 0 && want == ENC_AUTO && sc.chk[0].bad != NO_BAD) {
        sc.chk[1].on = 1;
        sc.lines.line = sc.lines.ok = 1;
        rc = scan_pass(&sc, 2, info);
    }
    if (rc == 0)
        rc = scan_verdict(&sc, want, info);
    scan_end(&sc);
    return rc;
}

int src_scan(const char *path, enum src_enc want, struct src_info *info)
{
    int rc = scan_file(path, want, info);
    return rc < 0 ? xv_error_raise() : rc;
}

struct src_job {
    pthread_t thread;
    char *path;
    enum src_enc want;
    struct src_info info;
    char msg[1024];         /* the thread's error, with its code in rc */
    int rc, done;
};

static void *scan_thread(void *arg)
{
    struct src_job *j = arg;
    int rc = scan_file(j->path, j->want, &j->info);
    if (rc < 0) {
        xv_error_take(&j->rc, j->msg, sizeof j->msg);
        if (j->rc >= 0)   /* a failure without its message is still one */
            j->rc = rc;
    }
    __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

int src_scan_start(struct src_job **out, const char *path, enum src_enc want)
{
    struct src_job *j = xcalloc(1, sizeof *j);
    j->path = xstrdup(path);
    j->want = want;
    if (pthread_create(&j->thread, NULL, scan_thread, j) != 0) {
        free(j->path);
        free(j);
        return error("cannot start a thread to hash '%s'", path);
    }
    *out = j;
    return 0;
}

int src_scan_finished(const struct src_job *j)
{
    return __atomic_load_n(&j->done, __ATOMIC_ACQUIRE);
}

int src_scan_wait(struct src_job *j, struct src_info *info)
{
    pthread_join(j->thread, NULL);
    int rc = j->rc;
    if (rc < 0) {
        xv_error_adopt(rc, j->msg);
        rc = xv_error_raise();
    } else {
        *info = j->info;
    }
    free(j->path);
    free(j);
    return rc;
}

/* Reads up to N bytes from the start of FD into BUF and closes FD; returns how many. */
static size_t read_head(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    return got;
}

enum src_enc src_guess(const char *path)
{
    unsigned char *buf = xmalloc(GUESS_BYTES);
    size_t n = 0, tail;
    enum src_enc enc = ENC_AUTO;
    int fd = xv_open_input(path);
    if (fd < 0) {
        free(buf);
        return ENC_AUTO;   /* the scan says why */
    }
    n = read_head(fd, buf, GUESS_BYTES);
    int ascii = 1;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = buf[i] < 0x80;
    if (!ascii && utf8_check(buf, n, n == GUESS_BYTES, &tail) == n) {
        enc = ENC_UTF8;
    } else if (!ascii) {
        iconv_t cd = iconv_open("UTF-8", "GB18030");
        if (cd != (iconv_t)-1) {
            if (gb_check(cd, buf, n, n < GUESS_BYTES, &tail) == n)
                enc = ENC_GB18030;
            iconv_close(cd);
        }
    }
    free(buf);
    return enc;
}

int src_xml_declared(const char *path, enum src_enc *enc)
{
    char buf[256], name[32];
    size_t n = 0;
    *enc = ENC_AUTO;
    int fd = xv_open_input(path);
    if (fd < 0)
        return 0;   /* the scan says why */
    n = read_head(fd, buf, sizeof buf - 1);
    buf[n] = '\0';
    const char *p = buf;
    if (!strncmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    const char *end = strstr(p, "?>");
    if (strncmp(p, "<?xml", 5) || !end)
        return 0;
    const char *e = strstr(p, "encoding");
    if (!e || e > end)
        return 0;
    e += 8;
    e += strspn(e, " \t\r\n");
    if (*e++ != '=')
        return 0;
    e += strspn(e, " \t\r\n");
    char q = *e++;
    const char *close_q = (q == '"' || q == '\'') ? strchr(e, q) : NULL;
    if (!close_q || close_q > end || (size_t)(close_q - e) >= sizeof name)
        return xv_fail(XV_EDATA, "'%s': its XML declaration names no readable encoding", path);
    memcpy(name, e, (size_t)(close_q - e));
    name[close_q - e] = '\0';
    if (!strcasecmp(name, "UTF-8") || !strcasecmp(name, "UTF8"))
        *enc = ENC_UTF8;
    else if (!strcasecmp(name, "GB18030") || !strcasecmp(name, "GBK") ||
             !strcasecmp(name, "GB2312") || !strcasecmp(name, "CP936"))
        *enc = ENC_GB18030;
    else
        return xv_fail(XV_EDATA, "'%s': its XML declaration names the encoding '%.31s'; "
                       "UTF-8 and GB18030 (GBK, GB2312) are read", path, name);
    return 0;
}

int src_open(struct src *s, const char *path, enum src_enc enc)
{
    int fd = xv_open_input(path);
    if (fd < 0) {
        memset(s, 0, sizeof *s);
        s->fd = -1;
        s->cd = (iconv_t)-1;
        return xv_fail(XV_EDATA, "cannot open '%s': %s", path, strerror(errno));
    }
    return src_open_fd(s, fd, path, enc);
}

int src_open_fd(struct src *s, int fd, const char *path, enum src_enc enc)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->enc = enc;
    s->cd = (iconv_t)-1;
    s->fd = fd;
    if (enc == ENC_GB18030) {
        s->cd = iconv_open("UTF-8", "GB18030");
        if (s->cd == (iconv_t)-1) {
            close(s->fd);
            s->fd = -1;
            return error("iconv cannot convert GB18030: %s", strerror(errno));
        }
    }
    XXH3_state_t *xx = XXH3_createState();
    if (!xx || XXH3_128bits_reset(xx) == XXH_ERROR) {
        src_close(s);
        return error("out of memory");
    }
    s->xxh = xx;
    return 0;
}

/* Tops up in[] from the file; sets eof at the end. */
static int fill(struct src *s)
{
    while (!s->eof && s->inlen < sizeof s->in) {
        ssize_t got = read(s->fd, s->in + s->inlen, sizeof s->in - s->inlen);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return xv_fail(XV_EDATA, "cannot read '%s': %s", s->path, strerror(errno));
        }
        if (got == 0) {
            s->eof = 1;
            break;
        }
        if (XXH3_128bits_update(s->xxh, s->in + s->inlen, (size_t)got) == XXH_ERROR)
            return error("hash update failed");
        s->inlen += (size_t)got;
        break;
    }
    return 0;
}

static void consume(struct src *s, size_t k)
{
    memmove(s->in, s->in + k, s->inlen - k);
    s->inlen -= k;
    s->offset += k;
}

ssize_t src_read(struct src *s, char *buf, size_t n)
{
    int rc;
    for (;;) {
        if (s->inlen == 0 || (s->enc == ENC_GB18030 && s->inlen < 4 && !s->eof) ||
            (!s->started && s->inlen < 4 && !s->eof)) {
            if ((rc = fill(s)) < 0)
                return rc;
        }
        if (!s->started) {
            if (s->inlen < 4 && !s->eof)
                continue;
            s->started = 1;
            if (s->enc == ENC_UTF8 && s->inlen >= 3 && !memcmp(s->in, "\xEF\xBB\xBF", 3))
                consume(s, 3);
            else if (s->enc == ENC_GB18030 && s->inlen >= 4 && !memcmp(s->in, "\x84\x31\x95\x33", 4))
                consume(s, 4);
        }
        if (s->inlen == 0)
            return s->eof ? 0 : (ssize_t)0;
        if (s->enc == ENC_UTF8) {
            size_t k = s->inlen < n ? s->inlen : n;
            memcpy(buf, s->in, k);
            consume(s, k);
            return (ssize_t)k;
        }
        char *in = (char *)s->in, *out = buf;
        size_t inleft = s->inlen, outleft = n;
        size_t r = iconv(s->cd, &in, &inleft, &out, &outleft);
        size_t used = s->inlen - inleft, made = n - outleft;
        if (r == (size_t)-1 && errno == EILSEQ && made == 0)
            return xv_fail(XV_EDATA, "'%s': not valid GB18030: bad byte at offset %llu "
                           "(the file changed while being loaded?)", s->path, s->offset + used);
        if (r == (size_t)-1 && errno == EINVAL && s->eof && made == 0)
            return xv_fail(XV_EDATA, "'%s': GB18030 sequence cut at offset %llu", s->path,
                           s->offset + used);
        consume(s, used);
        if (made > 0)
            return (ssize_t)made;
        if (s->eof && s->inlen == 0)
            return 0;
        if ((rc = fill(s)) < 0)
            return rc;
    }
}

int src_finish(struct src *s)
{
    int rc;
    /* the parser may stop before the end (trailing bytes after XML): hash what is left */
    while (!s->eof) {
        s->inlen = 0;
        if ((rc = fill(s)) < 0)
            return rc;
    }
    XXH128_hash_t h = XXH3_128bits_digest(s->xxh);
    s->fast[0] = h.low64;
    s->fast[1] = h.high64;
    return 0;
}

int src_same(const struct src *s, const struct src_info *info)
{
    if (s->fast[0] != info->fast[0] || s->fast[1] != info->fast[1])
        return xv_fail(XV_EDATA, "'%s' changed while being loaded", s->path);
    return 0;
}

int src_verify(struct src *s, const struct src_info *info)
{
    int rc = src_finish(s);
    return rc < 0 ? rc : src_same(s, info);
}

void src_close(struct src *s)
{
    if (s->cd != (iconv_t)-1)
        iconv_close(s->cd);
    s->cd = (iconv_t)-1;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    XXH3_freeState(s->xxh);
    s->xxh = NULL;
}
