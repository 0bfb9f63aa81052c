/* utf8.c: UTF-8: the validity rules of RFC 3629 (a byte loop, and 16 bytes at a time with
 * SSSE3), decoding and encoding. */
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_UTF8_SIMD 1
#endif
#include "utf8.h"
#include "util.h"

/* The length of the sequence lead byte C starts (0: C cannot start one) and the range of its
 * second byte, which excludes overlong forms, surrogates and code points past U+10FFFF. */
static inline size_t lead(unsigned c, unsigned *lo, unsigned *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF) {
        *lo = c == 0xE0 ? 0xA0 : 0x80;
        *hi = c == 0xED ? 0x9F : 0xBF;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        *lo = c == 0xF0 ? 0x90 : 0x80;
        *hi = c == 0xF4 ? 0x8F : 0xBF;
        return 4;
    }
    return 0;
}

/* Eight bytes at a time over ASCII, and the rules of RFC 3629 for the rest, without decoding:
 * the second byte's range depends on the first (no overlong forms, no surrogates, nothing past
 * U+10FFFF), the others are 80..BF. The code-point-decoding loop this replaced was 12% of a
 * reload's samples. */
static size_t utf8_check_bytes(const unsigned char *p, size_t n, int partial_ok, size_t *tail)
{
    const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    size_t i = 0;
    *tail = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            /* no byte with its top bit set, and none zero (NUL is refused: it is no text) */
            if (!(w & high) && !((w - ones) & ~w & high)) {
                i += 8;
                continue;
            }
        }
        unsigned c = p[i];
        if (c < 0x80) {
            if (c == 0)
                return i;
            i++;
            continue;
        }
        size_t len;
        unsigned lo, hi;
        if (!(len = lead(c, &lo, &hi)))
            return i;
        size_t have = n - i < len ? n - i : len;
        int ok = have < 2 || (p[i + 1] >= lo && p[i + 1] <= hi);
        for (size_t k = 2; ok && k < have; k++)
            ok = (p[i + k] & 0xC0) == 0x80;
        if (!ok)
            return i;
        if (have < len) {   /* a sequence cut by the buffer's end: valid so far */
            if (!partial_ok)
                return i;
            *tail = have;
            return n;
        }
        i += len;
    }
    return n;
}

#ifdef HAVE_UTF8_SIMD
/* The same rules 16 bytes at a time, after Keiser and Lemire, "Validating UTF-8 in less than
 * one instruction per byte" (2021): three table lookups on the high and low nibble of each
 * byte's predecessor and the high nibble of the byte itself give the errors that two bytes
 * show (a bit each), and the bytes two and three places after a three- or four-byte lead
 * must be continuations. 1 when the M bytes at P (M a multiple of 16, starting at a
 * character) hold an error or a NUL; a sequence cut by the end is not one. The byte loop
 * above was 9% of a reload's samples on text that is 40% Chinese. */
enum {
    U_SHORT = 1 << 0,     /* a lead or ASCII, then a lead or ASCII where a continuation was due */
    U_LONG = 1 << 1,      /* ASCII, then a continuation */
    U_OVER3 = 1 << 2,     /* E0 80..9F */
    U_LARGE = 1 << 3,     /* F4 90..BF, F5..FF 90..BF */
    U_SURR = 1 << 4,      /* ED A0..BF */
    U_OVER2 = 1 << 5,     /* C0..C1 80..BF */
    U_LARGE80 = 1 << 6,   /* F5..FF 80..8F; also F0 80..8F, overlong */
    U_CONTS = 1 << 7,     /* a continuation, then a continuation (unless 2-3 places from a lead) */
    U_CARRY = U_SHORT | U_LONG | U_CONTS,
};

__attribute__((target("ssse3"))) static int utf8_simd_bad(const unsigned char *p, size_t m)
{
    const __m128i hi1 = _mm_setr_epi8(
        U_LONG, U_LONG, U_LONG, U_LONG, U_LONG, U_LONG, U_LONG, U_LONG,
        (char)U_CONTS, (char)U_CONTS, (char)U_CONTS, (char)U_CONTS,
        U_SHORT | U_OVER2, U_SHORT, U_SHORT | U_OVER3 | U_SURR,
        U_SHORT | U_LARGE | U_LARGE80);
    const __m128i lo1 = _mm_setr_epi8(
        (char)(U_CARRY | U_OVER3 | U_OVER2 | U_LARGE80), (char)(U_CARRY | U_OVER2),
        (char)U_CARRY, (char)U_CARRY, (char)(U_CARRY | U_LARGE),
        (char)(U_CARRY | U_LARGE | U_LARGE80), (char)(U_CARRY | U_LARGE | U_LARGE80),
        (char)(U_CARRY | U_LARGE | U_LARGE80), (char)(U_CARRY | U_LARGE | U_LARGE80),
        (char)(U_CARRY | U_LARGE | U_LARGE80), (char)(U_CARRY | U_LARGE | U_LARGE80),
        (char)(U_CARRY | U_LARGE | U_LARGE80), (char)(U_CARRY | U_LARGE | U_LARGE80),
        (char)(U_CARRY | U_LARGE | U_LARGE80 | U_SURR), (char)(U_CARRY | U_LARGE | U_LARGE80),
        (char)(U_CARRY | U_LARGE | U_LARGE80));
    const __m128i hi2 = _mm_setr_epi8(
        U_SHORT, U_SHORT, U_SHORT, U_SHORT, U_SHORT, U_SHORT, U_SHORT, U_SHORT,
        (char)(U_LONG | U_OVER2 | U_CONTS | U_OVER3 | U_LARGE80),
        (char)(U_LONG | U_OVER2 | U_CONTS | U_OVER3 | U_LARGE),
        (char)(U_LONG | U_OVER2 | U_CONTS | U_SURR | U_LARGE),
        (char)(U_LONG | U_OVER2 | U_CONTS | U_SURR | U_LARGE),
        U_SHORT, U_SHORT, U_SHORT, U_SHORT);
    const __m128i nib = _mm_set1_epi8(0x0F), zero = _mm_setzero_si128();
    /* the last three bytes of a block, when they begin a sequence the block does not end */
    const __m128i cut = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                      (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    __m128i prev = zero, err = zero;
    for (size_t i = 0; i < m; i += 16) {
        __m128i in = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        err = _mm_or_si128(err, _mm_cmpeq_epi8(in, zero));
        if (!_mm_movemask_epi8(in)) {   /* ASCII: only a sequence cut before it is wrong */
            err = _mm_or_si128(err, _mm_subs_epu8(prev, cut));
            prev = in;
            continue;
        }
        __m128i prev1 = _mm_alignr_epi8(in, prev, 15);
        __m128i sc = _mm_and_si128(
            _mm_and_si128(_mm_shuffle_epi8(hi1, _mm_and_si128(_mm_srli_epi16(prev1, 4), nib)),
                          _mm_shuffle_epi8(lo1, _mm_and_si128(prev1, nib))),
            _mm_shuffle_epi8(hi2, _mm_and_si128(_mm_srli_epi16(in, 4), nib)));
        __m128i third = _mm_subs_epu8(_mm_alignr_epi8(in, prev, 14), _mm_set1_epi8(0xE0 - 0x80));
        __m128i fourth = _mm_subs_epu8(_mm_alignr_epi8(in, prev, 13), _mm_set1_epi8(0xF0 - 0x80));
        __m128i must = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
        err = _mm_or_si128(err, _mm_xor_si128(must, sc));
        prev = in;
    }
    return _mm_movemask_epi8(_mm_cmpeq_epi8(err, zero)) != 0xFFFF;
}
#endif

/* The blocks of 16 go to the SIMD check, where the CPU has SSSE3; the rest, and any buffer
 * it finds a fault in (to say where), to the byte loop. */
size_t utf8_check(const unsigned char *p, size_t n, int partial_ok, size_t *tail)
{
#ifdef HAVE_UTF8_SIMD
    size_t m = n & ~(size_t)15;
    if (m >= 64 && __builtin_cpu_supports("ssse3") && !utf8_simd_bad(p, m)) {
        /* the blocks hold whole sequences up to the last character that starts in the
         * three bytes before their end: the byte loop takes it from there */
        size_t c = m - 3;
        while (c < m && (p[c] & 0xC0) == 0x80)
            c++;
        size_t r = utf8_check_bytes(p + c, n - c, partial_ok, tail);
        return r == n - c ? n : c + r;
    }
#endif
    return utf8_check_bytes(p, n, partial_ok, tail);
}


int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    unsigned lo, hi;
    size_t len = lead(c, &lo, &hi);
    if (!len || len > n || s[1] < lo || s[1] > hi)
        return 0;
    uint32_t v = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return (int)len;
}

int utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Code points that must not reach a terminal or a line-based file raw: C0 controls and DEL,
 * C1 controls, and the marks and overrides that reorder bidirectional text. */
static int hidden(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void utf8_printable(const char *s, int keep_tab, struct sbuf *b)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n > 0) {
        uint32_t cp;
        int len = utf8_decode(p, n, &cp);
        if (len == 0) {
            sbuf_addf(b, "\\x%02x", *p);
            len = 1;
        } else if (cp == '\t' && keep_tab) {
            sbuf_addc(b, '\t');
        } else if (hidden(cp)) {
            if (cp < 0x80)
                sbuf_addf(b, "\\x%02x", (unsigned)cp);
            else
                sbuf_addf(b, "\\u%04x", (unsigned)cp);
        } else {
            sbuf_add(b, p, (size_t)len);
        }
        p += len;
        n -= (size_t)len;
    }
    if (!b->s)
        sbuf_add(b, "", 0);
}
