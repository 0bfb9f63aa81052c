/* idcodes.c: the two identity codes: resident ID numbers (GB 11643, check digit ISO 7064
 * MOD 11-2) and unified social credit codes (GB 32100). */
#include <stdint.h>
#include <string.h>
#include "../core/err.h"
#include "../core/util.h"
#include "norm.h"

static const int id_weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };

char id_check_char(const char *id17)
{
    static const char map[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id17[i] - '0') * id_weights[i];
    return map[sum % 11];
}

static int province_known(int p)
{
    static const int known[] = { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36,
                                 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
                                 63, 64, 65, 71, 81, 82, 83 };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i] == p)
            return 1;
    return 0;
}


int id_is_valid(const char *id)
{
    for (int i = 0; i < 17; i++)
        if (id[i] < '0' || id[i] > '9')
            return 0;
    if (!province_known((id[0] - '0') * 10 + (id[1] - '0')))
        return 0;
    int y = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
    int m = (id[10] - '0') * 10 + (id[11] - '0');
    int d = (id[12] - '0') * 10 + (id[13] - '0');
    if (!date_is_real(y, m, d))
        return 0;
    return id_check_char(id) == id[17];
}

int norm_id(const char *raw, char out[19], int *valid)
{
    struct sbuf *b = norm_fold_tmp(raw);
    char t[19];
    size_t n = 0;
    int rc = XV_EDATA;
    for (const char *p = sbuf_str(b); *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-' || c == '\t')
            continue;
        if (c == 'x')
            c = 'X';
        if (n >= 18)
            goto done;
        t[n++] = c;
    }
    if (n == 15) {
        for (int i = 0; i < 15; i++)
            if (t[i] < '0' || t[i] > '9')
                goto done;
        memcpy(out, t, 6);
        out[6] = '1';
        out[7] = '9';
        memcpy(out + 8, t + 6, 9);
        out[17] = id_check_char(out);
    } else if (n == 18) {
        for (int i = 0; i < 17; i++)
            if (t[i] < '0' || t[i] > '9')
                goto done;
        if (!(t[17] >= '0' && t[17] <= '9') && t[17] != 'X')
            goto done;
        memcpy(out, t, 18);
    } else {
        goto done;
    }
    out[18] = '\0';
    *valid = id_is_valid(out);
    rc = 0;
done:
    return rc;
}

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* 1 + a character's place in the alphabet; 0: not in it */
static const unsigned char uscc_place[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
    ['F'] = 16, ['G'] = 17, ['H'] = 18, ['J'] = 19, ['K'] = 20, ['L'] = 21, ['M'] = 22,
    ['N'] = 23, ['P'] = 24, ['Q'] = 25, ['R'] = 26, ['T'] = 27, ['U'] = 28, ['W'] = 29,
    ['X'] = 30, ['Y'] = 31
};

static int uscc_value(char c)
{
    return uscc_place[(unsigned char)c] - 1;
}

char uscc_check_char(const char *code)
{
    static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(code[i]);
        if (v < 0)
            return 0;
        sum += v * w[i];
    }
    int c = 31 - sum % 31;
    return uscc_alphabet[c == 31 ? 0 : c];
}

int norm_uscc(const char *raw, char out[19], int *valid)
{
    size_t n = 0;
    int rc = XV_EDATA;
    struct sbuf *b = norm_fold_tmp(raw);
    for (const char *p = sbuf_str(b); *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c -= 32;
        if (n >= 18 || uscc_value(c) < 0)
            goto done;
        out[n++] = c;
    }
    if (n != 18)
        goto done;
    out[18] = '\0';
    *valid = uscc_check_char(out) == out[17];
    rc = 0;
done:
    return rc;
}
