/* compare.h: the field comparators of record linkage: each returns a comparison level. */
#ifndef XV_COMPARE_H
#define XV_COMPARE_H

/* ID levels (matching.md): exact, check digit only differs, one substitution or adjacent
 * transposition in the first 17 characters, different (one of the two invalid), and another
 * valid ID (both valid and different). The two middle levels need one of the two IDs to be
 * invalid: two valid IDs, one digit apart or more, belong to two people (twins, say): the
 * near-certain non-match of the last level, whose m and u are estimated (tests/estimate). */
enum { ID_EXACT, ID_CHECK, ID_EDIT, ID_DIFF, ID_OTHER, ID_NLEVELS };
/* Name levels: exact as written, equal after normalisation, one character differs, different. */
enum { NAME_EXACT, NAME_NORM, NAME_ONE, NAME_DIFF, NAME_NLEVELS };
/* Birth date: exact, one of year/month/day differs, different, unknown on a side. */
enum { BIRTH_EXACT, BIRTH_ONE, BIRTH_DIFF, BIRTH_MISSING, BIRTH_NLEVELS };
/* Gender: same, different, unknown. */
enum { GENDER_SAME, GENDER_DIFF, GENDER_MISSING, GENDER_NLEVELS };
/* Region: same county, same city (first 4 digits), different, unknown. */
enum { REGION_COUNTY, REGION_CITY, REGION_DIFF, REGION_MISSING, REGION_NLEVELS };

/* A and B are normalised 18-character IDs; AV and BV say whether each is valid. */
int cmp_id(const char *a, int av, const char *b, int bv);
/* Normalised names NA and NB, and the names as written RA and RB (NULL: as normalised). */
int cmp_name(const char *na, const char *ra, const char *nb, const char *rb);
/* Dates YYYY-MM-DD or NULL. */
int cmp_birth(const char *a, const char *b);
/* "男"/"女" or NULL. */
int cmp_gender(const char *a, const char *b);
/* 6-digit codes or NULL. */
int cmp_region(const char *a, const char *b);

/* Level names for show: "exact", "check digit", ... */
const char *cmp_level_name(int field, int level);
enum { F_ID, F_NAME, F_BIRTH, F_GENDER, F_REGION, F_NFIELDS };
extern const char *const cmp_field_names[F_NFIELDS];

struct policy;
/* The weight log2(m/u) of LEVEL of FIELD under policy POL; 0 for a value unknown on a side. */
double cmp_weight(const struct policy *pol, int field, int level);

#endif
