/* norm.c: normalises feed values to the canonical forms of matching.md, with PCRE2 patterns. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <opencc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../core/utf8.h"
#include "../core/err.h"
#include "../core/util.h"
#include "norm.h"

enum { P_DATE, P_MONTH, P_NUMBER, P_PLATE, P_COUNT };

static const char *const pattern_src[P_COUNT] = {
    /* 1: year, 2: month, 3: day (separated) or 4: month, 5: day (compact) */
    "^(\\d{4})(?:\\s*[-/.年]\\s*(\\d{1,2})\\s*[-/.月]\\s*(\\d{1,2})\\s*日?|(\\d{2})(\\d{2}))"
    "(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)?$",
    /* 1: year, 2: month (separated) or 3: month (compact) */
    "^(\\d{4})(?:\\s*[-/.年]\\s*(\\d{1,2})\\s*月?|(\\d{2}))$",
    /* 1: integer part with optional groups of three, 2: fraction */
    "^(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d+))?$",
    "^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z]"
    "[A-Z0-9]{4,6}[挂学警港澳领使试超]?$",
};

static pcre2_code *patterns[P_COUNT];
static pcre2_match_data *mdata;
static pcre2_match_context *mctx;

/* Traditional -> simplified for single code points, read from OpenCC's t2s tables once. */
#define T2S_LO 0x3400
#define T2S_HI 0xFAFF
static uint32_t *t2s_map;   /* index cp - T2S_LO; 0 = unchanged */
static int t2s_ready;

/* Scratch buffers for the folded input: the normalisers are not re-entrant. */
static struct sbuf scratch, scratch2;

int norm_init(void)
{
    int err;
    PCRE2_SIZE off;
    for (int i = 0; i < P_COUNT; i++) {
        if (patterns[i])
            continue;
        patterns[i] = pcre2_compile((PCRE2_SPTR)pattern_src[i], PCRE2_ZERO_TERMINATED,
                                    PCRE2_UTF | PCRE2_NO_UTF_CHECK, &err, &off, NULL);
        if (!patterns[i]) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            return error("pattern %d at %zu: %s", i, (size_t)off, (char *)msg);
        }
        /* JIT is an optimisation: when it is not available the interpreter is used. */
        (void)pcre2_jit_compile(patterns[i], PCRE2_JIT_COMPLETE);
    }
    if (!mdata)
        mdata = pcre2_match_data_create(16, NULL);
    if (!mctx) {
        mctx = pcre2_match_context_create(NULL);
        if (mctx) {
            pcre2_set_match_limit(mctx, 100000);
            pcre2_set_depth_limit(mctx, 1000);
        }
    }
    if (!mdata || !mctx)
        return error("out of memory for PCRE2");
    return 0;
}

/* Builds t2s_map by converting every ideograph in the range, one per line so that OpenCC's
 * phrase tables do not apply: names are not phrases. */
static int t2s_load(void)
{
    int rc = 0;
    struct sbuf in = SBUF_INIT;
    char *out = NULL;
    opencc_t cc = opencc_open("t2s.json");
    if (cc == (opencc_t)-1)
        cc = opencc_open("/usr/share/opencc/t2s.json");
    if (cc == (opencc_t)-1) {
        rc = error("cannot open OpenCC 't2s.json': %s", opencc_error());
        goto done;
    }
    for (uint32_t cp = T2S_LO; cp <= T2S_HI; cp++) {
        char u[4];
        int l = utf8_encode(cp, u);
        sbuf_add(&in, u, (size_t)l);
        sbuf_addc(&in, '\n');
    }
    out = opencc_convert_utf8(cc, in.s, in.len);
    if (!out) {
        rc = error("OpenCC conversion failed: %s", opencc_error());
        goto done;
    }
    t2s_map = xcalloc(T2S_HI - T2S_LO + 1, sizeof *t2s_map);
    const char *p = out;
    for (uint32_t cp = T2S_LO; cp <= T2S_HI && *p; cp++) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        uint32_t to;
        int l = utf8_decode((const unsigned char *)p, (size_t)(nl - p), &to);
        if (l > 0 && p + l == nl && to != cp)
            t2s_map[cp - T2S_LO] = to;
        p = nl + 1;
    }
    t2s_ready = 1;
done:
    if (out)
        opencc_convert_utf8_free(out);
    if (cc != (opencc_t)-1)
        opencc_close(cc);
    sbuf_free(&in);
    return rc;
}

void norm_fini(void)
{
    for (int i = 0; i < P_COUNT; i++) {
        pcre2_code_free(patterns[i]);
        patterns[i] = NULL;
    }
    pcre2_match_data_free(mdata);
    pcre2_match_context_free(mctx);
    mdata = NULL;
    mctx = NULL;
    free(t2s_map);
    t2s_map = NULL;
    sbuf_free(&scratch);
    sbuf_free(&scratch2);
    t2s_ready = 0;
}

/* Matches pattern P against S; returns the number of groups set or <= 0 for no match. */
static int match(int p, const char *s)
{
    int n = pcre2_match(patterns[p], (PCRE2_SPTR)s, strlen(s), 0, PCRE2_NO_UTF_CHECK, mdata,
                        mctx);
    return n;
}

/* Group G of the last match as an integer; -1 when unset. */
static long group_int(const char *s, int g)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(mdata);
    if ((int)pcre2_get_ovector_count(mdata) <= g || ov[2 * g] == PCRE2_UNSET)
        return -1;
    long v = 0;
    for (PCRE2_SIZE i = ov[2 * g]; i < ov[2 * g + 1]; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int group_set(int g)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(mdata);
    return (int)pcre2_get_ovector_count(mdata) > g && ov[2 * g] != PCRE2_UNSET;
}

static int is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0xA0 || cp == 0x3000 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0xFEFF;
}

/* The lead bytes of what folding changes: U+FF01..FF5E (EF BC, EF BD), U+3000 (E3 80 80)
 * and U+00A0 (C2 A0). Every other byte is copied as it is, a run at a time. */
static const unsigned char fold_lead[256] = { [0xC2] = 1, [0xE3] = 1, [0xEF] = 1 };

void norm_fold(const char *in, struct sbuf *out)
{
    size_t n = strlen(in);
    /* folding never lengthens: U+FF01..FF5E and U+3000 are 3 bytes, U+00A0 is 2 */
    sbuf_reset(out);
    sbuf_reserve(out, n);
    const unsigned char *s = (const unsigned char *)in, *end = s + n;
    unsigned char *o = (unsigned char *)out->s;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    while (s < end) {
        unsigned c = *s;
        if (!fold_lead[c]) {
            const unsigned char *run = s;
            while (++s < end && !fold_lead[*s])
                ;
            memcpy(o, run, (size_t)(s - run));
            o += s - run;
        } else if (c == 0xEF && end - s >= 3 && (s[1] == 0xBC || s[1] == 0xBD) &&
                   (s[2] & 0xC0) == 0x80) {
            /* U+FF00..U+FF7F: EF BC 80..BF = FF00..FF3F, EF BD 80..BF = FF40..FF7F */
            uint32_t cp = 0xFF00 + ((uint32_t)(s[1] - 0xBC) << 6) + (s[2] & 0x3F);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                *o++ = (unsigned char)(cp - 0xFF01 + 0x21);
            } else {
                memcpy(o, s, 3);
                o += 3;
            }
            s += 3;
        } else if (c == 0xE3 && end - s >= 3 && s[1] == 0x80 && s[2] == 0x80) {
            *o++ = ' ';
            s += 3;
        } else if (c == 0xC2 && end - s >= 2 && s[1] == 0xA0) {
            *o++ = ' ';
            s += 2;
        } else {
            *o++ = (unsigned char)c;
            s++;
        }
    }
    while (o > (unsigned char *)out->s &&
           (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\r' || o[-1] == '\n'))
        o--;
    *o = '\0';
    out->len = (size_t)(o - (unsigned char *)out->s);
}


struct sbuf *norm_fold_tmp(const char *raw)
{
    norm_fold(raw, &scratch);
    return &scratch;
}

static int is_dot_cp(uint32_t cp)
{
    return cp == 0xB7 || cp == 0x2022 || cp == 0x30FB || cp == '.' || cp == 0xFF0E ||
           cp == 0x2027 || cp == 0xFF65 || cp == 0x2219 || cp == 0x22C5 || cp == 0x0387;
}

int norm_name(const char *raw, struct sbuf *out)
{
    struct sbuf *b = norm_fold_tmp(raw);
    sbuf_reset(out);
    sbuf_add(out, "", 0);
    const unsigned char *s = (const unsigned char *)sbuf_str(b);
    size_t n = b->len;
    while (n > 0) {
        uint32_t cp;
        int l = utf8_decode(s, n, &cp);
        if (l == 0) {
            s++, n--;
            continue;
        }
        s += l;
        n -= (size_t)l;
        if (is_space_cp(cp))
            continue;
        if (is_dot_cp(cp))
            cp = 0xB7;
        if (cp >= T2S_LO && cp <= T2S_HI) {
            if (!t2s_ready && t2s_load() < 0) {
                return XV_ERR;
            }
            if (t2s_map[cp - T2S_LO])
                cp = t2s_map[cp - T2S_LO];
        }
        sbuf_reserve(out, 4);
        out->len += (size_t)utf8_encode(cp, out->s + out->len);
    }
    out->s[out->len] = '\0';
    return out->len ? 0 : XV_EDATA;
}

/* Writes "YYYY-MM" (7 bytes, no NUL) of a real year and month. */
static void put_year_month(char *out, long y, long m)
{
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
}

/* 1 when S is exactly YYYY-MM-DD in ASCII digits (a real date or not). */
static int is_iso_date(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
            return 0;
    return s[10] == '\0';
}

/* Parses an already folded date S. */
static int date_folded(const char *s, char out[11])
{
    long y, m, d;
    if (is_iso_date(s)) {   /* the feeds' usual form, read as the pattern would */
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        m = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');
        goto check;
    }
    if (match(P_DATE, s) <= 0)
        return XV_EDATA;
    y = group_int(s, 1);
    if (group_set(2)) {
        m = group_int(s, 2);
        d = group_int(s, 3);
    } else {
        m = group_int(s, 4);
        d = group_int(s, 5);
    }
check:
    if (!date_is_real((int)y, (int)m, (int)d))
        return XV_EDATA;
    put_year_month(out, y, m);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
    return 0;
}

int norm_date(const char *raw, char out[11])
{
    return date_folded(sbuf_str(norm_fold_tmp(raw)), out);
}

int norm_month(const char *raw, char out[8])
{
    int rc = XV_EDATA;
    char date[11];
    struct sbuf *b = norm_fold_tmp(raw);
    const char *s = sbuf_str(b);
    if (match(P_MONTH, s) > 0) {
        long y = group_int(s, 1);
        long m = group_set(2) ? group_int(s, 2) : group_int(s, 3);
        if (date_is_real((int)y, (int)m, 1)) {
            put_year_month(out, y, m);   /* snprintf here was 1.4% of a load */
            out[7] = '\0';
            rc = 0;
        }
    } else if (date_folded(s, date) == 0) {
        memcpy(out, date, 7);
        out[7] = '\0';
        rc = 0;
    }
    return rc;
}

/* Removes SUFFIX from the end of B; returns 1 when it was there. */
static int strip_suffix(struct sbuf *b, const char *suffix)
{
    size_t l = strlen(suffix);
    if (b->len >= l && !memcmp(b->s + b->len - l, suffix, l)) {
        b->len -= l;
        b->s[b->len] = '\0';
        while (b->len && b->s[b->len - 1] == ' ')
            b->s[--b->len] = '\0';
        return 1;
    }
    return 0;
}

/* Parses the folded decimal in B (no unit) exactly, to a double. */
static int parse_decimal(struct sbuf *b, double *out)
{
    /* drop inner spaces and turn the ideographic comma into a separator */
    struct sbuf *t = &scratch2;
    int rc = XV_EDATA;
    sbuf_reset(t);
    for (size_t i = 0; i < b->len; i++) {
        if (b->s[i] == ' ')
            continue;
        if (!strncmp(b->s + i, "，", 3)) {
            sbuf_addc(t, ',');
            i += 2;
            continue;
        }
        sbuf_addc(t, b->s[i]);
    }
    const char *s = sbuf_str(t);
    if (!*s || match(P_NUMBER, s) <= 0)
        goto done;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(mdata);
    double v = 0;
    for (PCRE2_SIZE i = ov[2]; i < ov[3]; i++)
        if (s[i] != ',')
            v = v * 10 + (s[i] - '0');
    if (group_set(2)) {
        double scale = 1;
        double f = 0;
        for (PCRE2_SIZE i = ov[4]; i < ov[5] && scale < 1e15; i++) {
            f = f * 10 + (s[i] - '0');
            scale *= 10;
        }
        v += f / scale;
    }
    if (v > 1e15)
        goto done;
    *out = v;
    rc = 0;
done:
    return rc;
}

int norm_amount(const char *raw, double unit, double *out)
{
    int rc;
    double given = unit, v;
    struct sbuf *b = norm_fold_tmp(raw);
    if (strip_suffix(b, "万元") || strip_suffix(b, "万"))
        given = 10000;
    else if (strip_suffix(b, "元"))
        given = 1;
    if (b->len >= 2 && !strncmp(b->s, "¥", 2)) {
        memmove(b->s, b->s + 2, b->len - 1);
        b->len -= 2;
    } else if (b->len >= 3 && !strncmp(b->s, "￥", 3)) {
        memmove(b->s, b->s + 3, b->len - 2);
        b->len -= 3;
    }
    rc = parse_decimal(b, &v);
    if (rc == 0) {
        v = v * given / unit;
        /* to the fen (yuan columns) or to the yuan (万元 columns): no binary noise */
        double q = unit == 1 ? 100 : 1e4 * 100;
        *out = (double)llround(v * q) / q;
    }
    return rc;
}

int norm_area(const char *raw, double *out)
{
    struct sbuf *b = norm_fold_tmp(raw);
    if (!strip_suffix(b, "㎡") && !strip_suffix(b, "m²") && !strip_suffix(b, "平方米") &&
        !strip_suffix(b, "平米"))
        strip_suffix(b, "m2");
    int rc = parse_decimal(b, out);
    if (rc == 0)
        *out = (double)llround(*out * 100) / 100;
    return rc;
}

int norm_int(const char *raw, long *out)
{
    int rc = XV_EDATA;
    struct sbuf *b = norm_fold_tmp(raw);
    if (!strip_suffix(b, "辆") && !strip_suffix(b, "套"))
        strip_suffix(b, "个");
    if (b->len == 0 || b->len > 9)
        goto done;
    long v = 0;
    for (size_t i = 0; i < b->len; i++) {
        if (b->s[i] < '0' || b->s[i] > '9')
            goto done;
        v = v * 10 + (b->s[i] - '0');
    }
    *out = v;
    rc = 0;
done:
    return rc;
}

/* Case-insensitive comparison of the folded value against a NULL-terminated list. */
static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcasecmp(s, *list))
            return 1;
    return 0;
}

int norm_gender(const char *raw, const char **out)
{
    static const char *const m[] = { "男", "M", "male", "1", "男性", NULL };
    static const char *const f[] = { "女", "F", "female", "2", "女性", NULL };
    int rc = 0;
    struct sbuf *b = norm_fold_tmp(raw);
    if (!strcmp(sbuf_str(b), "男"))   /* the feeds' own words, without a case-blind look */
        *out = "男";
    else if (!strcmp(sbuf_str(b), "女"))
        *out = "女";
    else if (in_list(sbuf_str(b), m))
        *out = "男";
    else if (in_list(sbuf_str(b), f))
        *out = "女";
    else
        rc = XV_EDATA;
    return rc;
}

int norm_bool(const char *raw, int *out)
{
    static const char *const y[] = { "有", "是", "1", "yes", "y", "true", NULL };
    static const char *const n[] = { "无", "否", "0", "no", "n", "false", "没有", NULL };
    int rc = 0;
    struct sbuf *b = norm_fold_tmp(raw);
    if (in_list(sbuf_str(b), y))
        *out = 1;
    else if (in_list(sbuf_str(b), n))
        *out = 0;
    else
        rc = XV_EDATA;
    return rc;
}

int norm_plate(const char *raw, struct sbuf *out)
{
    struct sbuf *b = norm_fold_tmp(raw);
    sbuf_reset(out);
    sbuf_add(out, "", 0);
    const unsigned char *s = (const unsigned char *)sbuf_str(b);
    size_t n = b->len;
    while (n > 0) {
        uint32_t cp;
        int l = utf8_decode(s, n, &cp);
        if (l == 0)
            break;
        s += l;
        n -= (size_t)l;
        if (cp == ' ' || cp == '-' || is_dot_cp(cp) || is_space_cp(cp))
            continue;
        if (cp >= 'a' && cp <= 'z')
            cp -= 32;
        sbuf_reserve(out, 4);
        out->len += (size_t)utf8_encode(cp, out->s + out->len);
    }
    out->s[out->len] = '\0';
    return match(P_PLATE, sbuf_str(out)) > 0 ? 0 : XV_EDATA;
}

int norm_county(const char *raw, char out[7])
{
    int rc = XV_EDATA;
    struct sbuf *b = norm_fold_tmp(raw);
    if (b->len != 6)
        goto done;
    for (int i = 0; i < 6; i++)
        if (b->s[i] < '0' || b->s[i] > '9')
            goto done;
    memcpy(out, b->s, 7);
    rc = 0;
done:
    return rc;
}

int norm_appstatus(const char *raw, const char **out)
{
    static const char *const applied[] = { "applied", "申请", "申请中", "待审核", NULL };
    static const char *const archived[] = { "archived", "建档", "已建档", "在档", NULL };
    static const char *const exited[] = { "exited", "脱困", "已脱困", NULL };
    static const char *const relieved[] = { "relieved", "解困", "已解困", NULL };
    int rc = 0;
    struct sbuf *b = norm_fold_tmp(raw);
    const char *s = sbuf_str(b);
    if (in_list(s, applied))
        *out = "applied";
    else if (in_list(s, archived))
        *out = "archived";
    else if (in_list(s, exited))
        *out = "exited";
    else if (in_list(s, relieved))
        *out = "relieved";
    else
        rc = XV_EDATA;
    return rc;
}
