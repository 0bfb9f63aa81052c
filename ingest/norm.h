/* norm.h: the value normalisers of matching.md: IDs, names, dates, amounts, plates, codes. */
#ifndef XV_NORM_H
#define XV_NORM_H
#include <stddef.h>
#include "../core/util.h"

/* Compiles the patterns and loads OpenCC's traditional->simplified table. Call once before
 * any other norm_ function; returns XV_ERR when a library fails. norm_fini releases it all. */
int norm_init(void);
void norm_fini(void);

/* Folds full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space to ASCII and trims
 * surrounding white space; IN must be valid UTF-8. OUT is reset first. */
void norm_fold(const char *in, struct sbuf *out);

/* Resident ID: full-width digits, x->X, spaces and hyphens removed, 15 -> 18 digits.
 * Returns 0 and writes 18 characters when well formed (15 or 18 characters of digits, the
 * last may be X); *VALID says whether prefix, birth date and check digit are right.
 * Returns XV_EDATA when not well formed. */
int norm_id(const char *raw, char out[19], int *valid);
/* The ISO 7064 MOD 11-2 check character of the first 17 digits of ID. */
char id_check_char(const char *id17);
/* 1 when the 18-character ID has a known province, a real birth date and a right check. */
int id_is_valid(const char *id18);

/* Person name: folded, every space removed, middle dots unified to U+00B7, traditional
 * characters to simplified. Returns XV_EDATA when nothing is left. */
int norm_name(const char *raw, struct sbuf *out);

/* Dates in 2019-06-01, 2019/6/1, 20190601, 2019.06.01, 2019年6月1日 (an optional trailing
 * time is ignored) to YYYY-MM-DD; XV_EDATA when not a real date. */
int norm_date(const char *raw, char out[11]);
/* Months in 2019-08, 2019/8, 201908, 2019.08, 2019年8月 (or a full date) to YYYY-MM. */
int norm_month(const char *raw, char out[8]);

/* Amounts: thousands separators, a leading ¥, a trailing 元 or 万元, full-width digits.
 * UNIT is the column's unit in yuan (1 or 10000): an explicit unit in the text converts,
 * none means the column's unit. The result is in the column's unit. */
int norm_amount(const char *raw, double unit, double *out);
/* Areas in m², with an optional ㎡, m², 平方米 or 平米. */
int norm_area(const char *raw, double *out);
/* Non-negative integers, with an optional 辆, 套 or 个. */
int norm_int(const char *raw, long *out);
/* 男/M/1 -> "男", 女/F/2 -> "女" (the feeds' own words, so the raw value usually equals it). */
int norm_gender(const char *raw, const char **out);
/* 有/是/1/yes -> 1, 无/否/0/no -> 0. */
int norm_bool(const char *raw, int *out);
/* Plate: upper case, spaces, '-' and middle dots removed; XV_EDATA unless it looks like a
 * Chinese plate (province character, letter, 4-6 letters or digits, optional suffix). */
int norm_plate(const char *raw, struct sbuf *out);
/* USCC: upper case, 18 characters of the GB 32100 alphabet; *VALID checks the check char. */
int norm_uscc(const char *raw, char out[19], int *valid);
/* The GB 32100 check character of the first 17 characters, or 0 if one is not allowed. */
char uscc_check_char(const char *code17);
/* A 6-digit division code. */
int norm_county(const char *raw, char out[7]);
/* applied / archived / exited / relieved, or their Chinese names. */
int norm_appstatus(const char *raw, const char **out);

/* RAW folded (norm_fold) into a scratch buffer the normalisers share; valid until the next
 * call. */
struct sbuf *norm_fold_tmp(const char *raw);

#endif
