/* utf8.c: unit tests of core/utf8.c: the validator against a decoding reference, on random strings. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

/* The reference for utf8_check: decoding code point by code point; a sequence cut by the
 * end counts as valid (when PARTIAL) if some continuation bytes would complete it. */
static size_t utf8_ref(const unsigned char *s, size_t len, int partial, size_t *tail)
{
    size_t want = 0;
    uint32_t cp;
    *tail = 0;
    for (int l; want < len; want += (size_t)l) {
        if (s[want] == 0 || !(l = utf8_decode(s + want, len - want, &cp)))
            break;
    }
    if (want < len && partial && len - want < 4) {
        static const unsigned char fill[] = { 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF };
        size_t have = len - want;
        for (int f = 0; f < 6 * 6 * 6 && want < len; f++) {
            unsigned char t[4] = { 0 };
            memcpy(t, s + want, have);
            for (size_t k = have, d = (size_t)f; k < 4; k++, d /= 6)
                t[k] = fill[d % 6];
            for (size_t need = have + 1; need <= 4 && want < len; need++)
                if (utf8_decode(t, need, &cp) == (int)need) {
                    *tail = have;
                    want = len;
                }
        }
    }
    return want;
}

/* Appends the UTF-8 encoding of CP to S at *N. */
static void put_utf8(unsigned char *s, size_t *n, uint32_t cp)
{
    if (cp < 0x80) {
        s[(*n)++] = (unsigned char)cp;
    } else if (cp < 0x800) {
        s[(*n)++] = (unsigned char)(0xC0 | cp >> 6);
        s[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s[(*n)++] = (unsigned char)(0xE0 | cp >> 12);
        s[(*n)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        s[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        s[(*n)++] = (unsigned char)(0xF0 | cp >> 18);
        s[(*n)++] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        s[(*n)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        s[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
    }
}

void test_utf8(void)
{
    size_t tail;
    const unsigned char ok[] = "a\xE4\xB8\xAD";
    CHECK(utf8_check(ok, 4, 0, &tail) == 4, "valid utf-8");
    CHECK(utf8_check(ok, 3, 1, &tail) == 3 && tail == 2, "cut sequence kept: tail %zu", tail);
    CHECK(utf8_check(ok, 3, 0, &tail) == 1, "cut sequence at the end is bad");
    const unsigned char overlong[] = "\xC0\xAF";
    CHECK(utf8_check(overlong, 2, 0, &tail) == 0, "overlong");
    const unsigned char surrogate[] = "\xED\xA0\x80";
    CHECK(utf8_check(surrogate, 3, 0, &tail) == 0, "surrogate");
    const unsigned char nul[] = "ab\0c";
    CHECK(utf8_check(nul, 4, 0, &tail) == 2, "NUL");
    const unsigned char big[] = "\xF4\x90\x80\x80", cut4[] = "ab\xF0\x9F\x98";
    CHECK(utf8_check(big, 4, 0, &tail) == 0, "past U+10FFFF");
    CHECK(utf8_check(cut4, 5, 1, &tail) == 5 && tail == 3, "cut 4-byte sequence kept");
    /* the validator against utf8_decode, on random strings of ASCII, NUL, and lead and
     * continuation bytes at the edges of their ranges, whole and cut */
    static const unsigned char atoms[] = { 'a', ',', 0, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                           0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE4, 0xED,
                                           0xEF, 0xF0, 0xF4, 0xF5, 0xFF };
    unsigned seed = 99;
    int same = 0, cases = 20000, valid = 0;
    for (int c = 0; c < cases; c++) {
        unsigned char s[40];
        size_t len = 1 + (size_t)((seed = seed * 1103515245u + 12345u) >> 16) % sizeof s;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = atoms[(seed >> 16) % sizeof atoms];
        }
        int partial = c & 1;
        size_t want_tail, got_tail, want = utf8_ref(s, len, partial, &want_tail);
        size_t got = utf8_check(s, len, partial, &got_tail);
        same += got == want && got_tail == want_tail;
        valid += got == len;
    }
    CHECK(same == cases, "utf8_check = decoding in %d of %d random strings", same, cases);
    /* long strings, where utf8_check works 16 bytes at a time: text of code points at the
     * edges of their lengths' ranges (in some strings long runs of ASCII), with a byte
     * replaced by one of the atoms in two strings of three, and cut anywhere */
    static const uint32_t cps[] = { 'a', 0x7F, 0x80, 0x7FF, 0x800, 0x4E2D, 0xD7FF, 0xE000,
                                    0xFFFD, 0xFFFF, 0x10000, 0x10FFFF };
    int lsame = 0, lvalid = 0, lcases = 20000;
    for (int c = 0; c < lcases; c++) {
        unsigned char s[420];
        size_t len = 0, want_len = 64 + ((seed = seed * 1103515245u + 12345u) >> 16) % 340;
        int ascii = c % 5 == 0;
        while (len < want_len) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) % 64;
            put_utf8(s, &len, ascii && r < 60 ? 'a' : cps[r % (sizeof cps / sizeof cps[0])]);
        }
        if (c % 3) {
            seed = seed * 1103515245u + 12345u;
            s[(seed >> 8) % len] = atoms[(seed >> 20) % sizeof atoms];
        }
        seed = seed * 1103515245u + 12345u;
        len -= (seed >> 16) % 4;   /* perhaps cut in a sequence */
        int partial = c & 1;
        size_t want_tail, got_tail, want = utf8_ref(s, len, partial, &want_tail);
        size_t got = utf8_check(s, len, partial, &got_tail);
        lsame += got == want && got_tail == want_tail;
        lvalid += got == len;
    }
    CHECK(lsame == lcases, "utf8_check = decoding in %d of %d long random strings", lsame,
          lcases);
    CHECK(lvalid > 1000 && lvalid < lcases - 1000,
          "the long random strings include valid ones (%d)", lvalid);
    CHECK(valid > 100 && valid < cases - 100, "the random strings include valid ones (%d)",
          valid);
}
