/* kinds.h: the canonical data model: every feed kind, its columns, their types and aliases. */
#ifndef XV_KINDS_H
#define XV_KINDS_H

/* How a column's value is normalised (matching.md) and stored. */
enum col_type {
    CT_TEXT,     /* trimmed text, full-width folded */
    CT_ENUM,     /* CT_TEXT with a list of known values (unknown ones warned about) */
    CT_ID,       /* resident ID number; stored normalised plus <name>_valid */
    CT_NAME,     /* person name: full-width, spaces, middle dots, traditional -> simplified */
    CT_DATE,     /* YYYY-MM-DD */
    CT_MONTH,    /* YYYY-MM */
    CT_YUAN,     /* amount in yuan */
    CT_WAN,      /* amount in 万元 (ten thousand yuan) */
    CT_AREA,     /* square metres */
    CT_INT,      /* non-negative integer */
    CT_GENDER,   /* 男 or 女 */
    CT_BOOL,     /* 1 or 0 */
    CT_PLATE,    /* vehicle plate, upper case, no separators */
    CT_USCC,     /* unified social credit code; stored plus <name>_valid */
    CT_COUNTY,   /* 6-digit administrative division code */
    CT_APPSTATUS /* applied, archived, exited, relieved */
};

struct column {
    const char *name;          /* canonical English name, also the SQL column */
    const char *zh;            /* canonical Chinese header */
    enum col_type type;
    int required;              /* a record without it is quarantined */
    const char *deflt;         /* normalised value when empty, or NULL */
    const char *const *known;  /* CT_ENUM: NULL-terminated known values */
};

struct kind {
    const char *name;          /* also the SQL table */
    const char *zh;
    int upsert;                /* 1: keyed by applicant_id, else snapshot */
    const char *key;           /* the five government feeds: the column that names a record
                                * in evidence (plate, cert_no, ...); NULL for the others */
    const struct column *cols;
    int ncols;
    int since;                 /* the store's schema version that brought it (0: the first) */
};

extern const struct kind xv_kinds[];
extern const int xv_nkinds;

/* The kind named NAME (English or Chinese), or NULL. */
const struct kind *kind_find(const char *name);
/* The place of kind NAME (which must be one) in xv_kinds, as struct run's load_of counts. */
int kind_index(const char *name);
/* Index of canonical column NAME in K, or -1. */
int kind_col(const struct kind *k, const char *name);
/* 1 for the five government feeds (household ... vehicle), which people are linked to. */
int kind_is_feed(const struct kind *k);
/* 1 when the column has a companion <name>_valid SQL column. */
int col_has_valid(const struct column *c);

#endif
