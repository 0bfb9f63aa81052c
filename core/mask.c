/* mask.c: masking ID numbers in whatever form a feed wrote them, for everything printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mask.h"

/* The ID character at P: its length in bytes (0: none) and, in *C, its ASCII form ('0'-'9' or
 * 'X'). Full-width digits are U+FF10..FF19 (EF BC 90..99), Ｘ U+FF38 (EF BC B8), ｘ U+FF58
 * (EF BD 98). */
static size_t id_char(const unsigned char *p, char *c)
{
    if (*p >= '0' && *p <= '9') {
        *c = (char)*p;
        return 1;
    }
    if (*p == 'x' || *p == 'X') {
        *c = 'X';
        return 1;
    }
    if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
        *c = (char)('0' + p[2] - 0x90);
        return 3;
    }
    if ((p[0] == 0xEF && p[1] == 0xBC && p[2] == 0xB8) ||
        (p[0] == 0xEF && p[1] == 0xBD && p[2] == 0x98)) {
        *c = 'X';
        return 3;
    }
    return 0;
}

/* The separator at P the normaliser drops inside an ID: its length in bytes, or 0. */
static size_t id_sep(const unsigned char *p)
{
    if (*p == ' ' || *p == '-' || *p == '\t')
        return 1;
    if (p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if ((p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) ||
        (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8D))
        return 3;
    return 0;
}

static int alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* N ID characters of ID masked into B: the first 6 and last 4 kept. */
static void masked(const char *id, size_t n, struct sbuf *b)
{
    for (size_t i = 0; i < n; i++)
        sbuf_addc(b, i < 6 || i >= n - 4 ? id[i] : '*');
}

/* The ID-shaped run at P: its ID characters into ID (at most 20), their count in *N; returns
 * the bytes it spans. A run is digits in groups: a separator joins the next group only after
 * a group of 3 digits or more (so dates such as 2026-11-01 2026-11-30 are no run), and an X
 * ends it. */
static size_t id_run(const unsigned char *p, char id[21], size_t *n)
{
    size_t at = 0, group = 0, len;
    char c;
    *n = 0;
    while ((len = id_char(p + at, &c)) > 0) {
        if (c == 'X' && *n == 0)
            break;
        if (*n < 20)
            id[*n] = c;
        ++*n;
        at += len;
        group++;
        if (c == 'X')
            break;
        size_t s = id_sep(p + at);
        char next;
        if (s && group >= 3 && id_char(p + at + s, &next) && next != 'X') {
            at += s;
            group = 0;
        }
    }
    return at;
}

/* The lower-case hex word at P (64 digits, a SHA-256, not glued to letters or digits): its
 * length, or 0. P starts a word. */
static size_t hex_word(const char *p)
{
    size_t n = strspn(p, "0123456789abcdef");
    return n == 64 && !alnum((unsigned char)p[n]) ? n : 0;
}

void mask_id(const char *id, int unmasked, char *out, size_t n)
{
    char buf[64], c;
    size_t k = 0, len;
    const unsigned char *p = (const unsigned char *)id;
    if (unmasked) {
        snprintf(out, n, "%s", id);
        return;
    }
    while (*p) {
        if ((len = id_char(p, &c)) > 0) {
            if (k < sizeof buf)
                buf[k] = c;
            k++;
        } else if (*p == '\r' || *p == '\n') {
            len = 1;   /* the normaliser trims line ends: a field may end in them */
        } else if (!(len = id_sep(p))) {
            break;
        }
        p += len;
    }
    if (*p || k > sizeof buf) {
        /* not an ID number's shape: masked as text */
        struct sbuf b = SBUF_INIT;
        mask_text(id, 0, &b);
        snprintf(out, n, "%s", sbuf_str(&b));
        sbuf_free(&b);
        return;
    }
    if (k <= 10) {
        snprintf(out, n, "%s", id);
        return;
    }
    struct sbuf b = SBUF_INIT;
    masked(buf, k, &b);
    snprintf(out, n, "%s", sbuf_str(&b));
    sbuf_free(&b);
}

/* Whether byte C can start nothing mask_text looks for (an ID character, a full-width one's
 * first byte, a hex word's first digit, the "i" of "id_no="): such bytes are copied as they
 * are, a run at a time. */
static int plain(unsigned char c)
{
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == 'x' || c == 'X' ||
             c == 'i' || c == 0xEF);
}

void mask_text(const char *text, int unmasked, struct sbuf *b)
{
    static const char field[] = "id_no=";
    const char *p = text;
    if (unmasked) {
        sbuf_adds(b, text);
        return;
    }
    while (*p) {
        const char *q = p;
        while (*q && plain((unsigned char)*q))
            q++;
        if (q > p) {
            sbuf_add(b, p, (size_t)(q - p));
            p = q;
            continue;
        }
        int word_start = p == text || !alnum((unsigned char)p[-1]);
        size_t n;
        if (word_start && !strncmp(p, field, sizeof field - 1)) {
            /* an ID field of a record's evidence: its value up to "; " */
            const char *v = p + sizeof field - 1, *end = strstr(v, "; ");
            size_t vn = end ? (size_t)(end - v) : strlen(v);
            char *val = xstrndup(v, vn), *m = xmalloc(vn + 64);
            sbuf_add(b, p, sizeof field - 1);
            mask_id(val, 0, m, vn + 64);
            sbuf_adds(b, m);
            free(val);
            free(m);
            p = v + vn;
            continue;
        }
        if (word_start && (n = hex_word(p)) > 0) {
            sbuf_add(b, p, n);
            p += n;
            continue;
        }
        char id[21];
        size_t len = id_run((const unsigned char *)p, id, &n);
        if (len == 0) {
            sbuf_addc(b, *p++);
        } else {
            if (n >= 15 && n <= 19)
                masked(id, n, b);
            else
                sbuf_add(b, p, len);
            p += len;
        }
    }
    if (!b->s)
        sbuf_add(b, "", 0);
}

void mask_field(const char *s, int unmasked, struct sbuf *b)
{
    size_t n = strspn(s, "0123456789abcdef");
    if (!s[n] && (n == 16 || n == 64))
        sbuf_adds(b, s);
    else
        mask_text(s, unmasked, b);
}
