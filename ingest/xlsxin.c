/* xlsxin.c: one sheet of an .xlsx workbook, read with libzip and libxml2's streaming reader. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <libxml/xmlreader.h>
#include "../core/err.h"
#include "../core/util.h"
#include "xlsxin.h"

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA)

int xlsxin_is_zip(int fd)
{
    unsigned char head[4];
    ssize_t n = pread(fd, head, sizeof head, 0);
    return n == 4 && !memcmp(head, "PK\x03\x04", 4);
}

/* Part NAME of Z, whole, into *BUF (*N bytes, NUL-terminated); 0 when absent. */
static int read_part(zip_t *z, const char *file, const char *name, char **buf, size_t *n)
{
    zip_stat_t st;
    zip_int64_t i = zip_name_locate(z, name, 0);
    *buf = NULL;
    *n = 0;
    if (i < 0)
        return 0;
    if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) ||
        st.size > (zip_uint64_t)XLSX_MAX_ENTRY)
        return xv_fail(XV_EDATA, "%s: part '%s' is over %lld MiB uncompressed; workbook refused",
                       file, name, XLSX_MAX_ENTRY >> 20);
    zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
    if (!f)
        return xv_fail(XV_EDATA, "%s: cannot read part '%s' of the workbook", file, name);
    char *b = xmalloc((size_t)st.size + 2);
    zip_int64_t got = 0, r;
    /* read one byte more than the directory says: a part larger than it claims is refused */
    while ((r = zip_fread(f, b + got, (zip_uint64_t)(st.size + 1 - (zip_uint64_t)got))) > 0) {
        got += r;
        if ((zip_uint64_t)got > st.size)
            break;
    }
    zip_fclose(f);
    if (r < 0 || (zip_uint64_t)got != st.size) {
        free(b);
        return xv_fail(XV_EDATA, "%s: part '%s' of the workbook is not what its directory "
                       "says; workbook refused", file, name);
    }
    b[got] = '\0';
    *buf = b;
    *n = (size_t)got;
    return 1;
}

static xmlTextReaderPtr reader_of(const char *buf, size_t n)
{
    return xmlReaderForMemory(buf, (int)n, NULL, "UTF-8", XML_OPTS);
}

static const char *local(xmlTextReaderPtr r)
{
    return (const char *)xmlTextReaderConstLocalName(r);
}

static int is_start(xmlTextReaderPtr r, const char *name)
{
    return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && !strcmp(local(r), name);
}

/* The attribute NAME of the element at R (any namespace when NS is NULL), allocated. */
static char *attr(xmlTextReaderPtr r, const char *name, const char *ns)
{
    xmlChar *v = ns ? xmlTextReaderGetAttributeNs(r, BAD_CAST name, BAD_CAST ns)
                    : xmlTextReaderGetAttribute(r, BAD_CAST name);
    char *s = v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

/* The path in the zip of the first sheet named one of SHEETS, from xl/workbook.xml and its
 * relationships. */
static int sheet_path(zip_t *z, const char *file, const char *const *sheets, char **path)
{
    char *buf = NULL, *rid = NULL;
    size_t n;
    int rc = read_part(z, file, "xl/workbook.xml", &buf, &n);
    *path = NULL;
    if (rc <= 0)
        goto done;
    xmlTextReaderPtr r = reader_of(buf, n);
    while (r && !rid && xmlTextReaderRead(r) == 1)
        if (is_start(r, "sheet")) {
            char *name = attr(r, "name", NULL);
            for (int i = 0; name && !rid && sheets[i]; i++)
                if (!strcmp(name, sheets[i]))
                    rid = attr(r, "id", NS_REL);
            free(name);
        }
    xmlFreeTextReader(r);
    free(buf);
    buf = NULL;
    if (!rid || (rc = read_part(z, file, "xl/_rels/workbook.xml.rels", &buf, &n)) <= 0)
        goto done;
    r = reader_of(buf, n);
    while (r && !*path && xmlTextReaderRead(r) == 1)
        if (is_start(r, "Relationship")) {
            char *id = attr(r, "Id", NULL), *target = attr(r, "Target", NULL);
            if (id && target && !strcmp(id, rid)) {
                struct sbuf p = SBUF_INIT;
                /* a target is relative to xl/, or absolute from the package root */
                if (target[0] == '/')
                    sbuf_adds(&p, target + 1);
                else
                    sbuf_addf(&p, "xl/%s", target);
                *path = p.s;
            }
            free(id);
            free(target);
        }
    xmlFreeTextReader(r);
done:
    free(buf);
    free(rid);
    if (rc >= 0 && !*path)
        rc = xv_fail(XV_EDATA, "%s: no sheet '%s' in the workbook", file, sheets[0]);
    return rc < 0 ? rc : 0;
}

struct strings {
    char **s;
    long n;
};

/* The text of the element R is on (its <t> descendants, phonetic runs left out), appended
 * to B; R ends on its end tag. */
static void text_of(xmlTextReaderPtr r, struct sbuf *b)
{
    int depth = xmlTextReaderDepth(r), in_t = 0, skip = 0;
    if (xmlTextReaderIsEmptyElement(r))
        return;
    while (xmlTextReaderRead(r) == 1 && xmlTextReaderDepth(r) > depth) {
        int type = xmlTextReaderNodeType(r);
        if (type == XML_READER_TYPE_ELEMENT && !strcmp(local(r), "rPh"))
            skip++;
        else if (type == XML_READER_TYPE_END_ELEMENT && !strcmp(local(r), "rPh"))
            skip--;
        else if (type == XML_READER_TYPE_ELEMENT && (!strcmp(local(r), "t") || !strcmp(local(r), "v")))
            in_t = !xmlTextReaderIsEmptyElement(r);
        else if (type == XML_READER_TYPE_END_ELEMENT)
            in_t = 0;
        else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
                 && in_t && !skip)
            sbuf_adds(b, (const char *)xmlTextReaderConstValue(r));
    }
}

static int shared_strings(zip_t *z, const char *file, struct strings *ss)
{
    char *buf;
    size_t n;
    int rc = read_part(z, file, "xl/sharedStrings.xml", &buf, &n);
    if (rc <= 0)
        return rc;
    xmlTextReaderPtr r = reader_of(buf, n);
    int s;
    while (r && (s = xmlTextReaderRead(r)) == 1)
        if (is_start(r, "si")) {
            if (ss->n >= XLSX_MAX_STRINGS) {
                rc = xv_fail(XV_EDATA, "%s: more than %d shared strings; workbook refused", file,
                             XLSX_MAX_STRINGS);
                break;
            }
            struct sbuf b = SBUF_INIT;
            text_of(r, &b);
            if (ss->n % 256 == 0)
                ss->s = xrealloc(ss->s, (size_t)(ss->n + 256) * sizeof *ss->s);
            ss->s[ss->n++] = b.s ? b.s : xstrdup("");
        }
    if (rc >= 0 && (!r || s < 0))
        rc = xv_fail(XV_EDATA, "%s: its shared strings are not well-formed XML", file);
    xmlFreeTextReader(r);
    free(buf);
    return rc < 0 ? rc : 0;
}

/* The 0-based column of a cell reference such as "M12"; -1 when it has none. */
static int column_of(const char *ref)
{
    int c = 0, any = 0;
    for (; ref && *ref >= 'A' && *ref <= 'Z'; ref++, any = 1)
        c = c * 26 + (*ref - 'A' + 1);
    return any && c <= READER_MAX_COLUMNS ? c - 1 : -1;
}

struct row {
    char *v[READER_MAX_COLUMNS];
    int n;
};

static void row_clear(struct row *w)
{
    for (int i = 0; i < w->n; i++) {
        free(w->v[i]);
        w->v[i] = NULL;
    }
    w->n = 0;
}

/* Hands row W (row number LINE) to CB: the header's cells as columns, later rows as records. */
static int row_done(struct row *w, long line, long *recno, const struct reader_cb *cb,
                    int *header_seen)
{
    int rc = 0;
    if (!*header_seen) {
        *header_seen = 1;
        for (int i = 0; i < w->n && rc == 0; i++)
            if (w->v[i] && cb->column)
                rc = cb->column(cb->ctx, i, w->v[i], line);
        if (rc == 0 && cb->columns_done)
            rc = cb->columns_done(cb->ctx);
    } else {
        struct rec rec = { w->n, w->v, line, ++*recno, NULL, 0 };
        rc = cb->record(cb->ctx, &rec);
    }
    row_clear(w);
    return rc;
}

static int read_sheet(zip_t *z, const char *file, const char *path, const struct strings *ss,
                      const struct reader_cb *cb)
{
    char *buf;
    size_t n;
    int rc = read_part(z, file, path, &buf, &n), s = 1, header_seen = 0, next_col = 0;
    long line = 0, recno = 0;
    struct row *w = xcalloc(1, sizeof *w);
    if (rc <= 0) {
        free(w);
        return rc < 0 ? rc : xv_fail(XV_EDATA, "%s: the sheet's part is missing", file);
    }
    rc = 0;
    xmlTextReaderPtr r = reader_of(buf, n);
    while (r && rc == 0 && (s = xmlTextReaderRead(r)) == 1) {
        if (is_start(r, "row")) {
            char *rn = attr(r, "r", NULL);
            long at = rn ? atol(rn) : line + 1;
            free(rn);
            if (at <= line) {
                rc = xv_fail(XV_EDATA, "%s: rows out of order in sheet", file);
                break;
            }
            line = at;
            next_col = 0;
            if (xmlTextReaderIsEmptyElement(r) && (rc = row_done(w, line, &recno, cb,
                                                                 &header_seen)) < 0)
                break;
        } else if (xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT &&
                   !strcmp(local(r), "row")) {
            rc = row_done(w, line, &recno, cb, &header_seen);
        } else if (is_start(r, "c")) {
            char *ref = attr(r, "r", NULL), *type = attr(r, "t", NULL);
            int col = ref ? column_of(ref) : next_col;
            struct sbuf b = SBUF_INIT;
            text_of(r, &b);
            if (col < 0 || col >= READER_MAX_COLUMNS) {
                rc = xv_fail(XV_EDATA, "%s: a cell beyond column %d; workbook refused", file,
                             READER_MAX_COLUMNS);
            } else {
                char *v = b.s;
                b.s = NULL;
                if (type && !strcmp(type, "s") && v) {
                    long k = atol(v);
                    free(v);
                    v = k >= 0 && k < ss->n ? xstrdup(ss->s[k]) : NULL;
                    if (!v)
                        rc = xv_fail(XV_EDATA, "%s: row %ld names a shared string it lacks",
                                     file, line);
                }
                if (v && *v) {
                    for (; w->n <= col; w->n++)
                        w->v[w->n] = NULL;
                    free(w->v[col]);
                    w->v[col] = v;
                } else {
                    free(v);
                }
                next_col = col + 1;
            }
            sbuf_free(&b);
            free(ref);
            free(type);
        }
    }
    if (rc == 0 && (!r || s < 0))
        rc = xv_fail(XV_EDATA, "%s: the sheet is not well-formed XML", file);
    if (rc == 0 && !header_seen)
        rc = xv_fail(XV_EDATA, "%s: the sheet has no header row", file);
    xmlFreeTextReader(r);
    row_clear(w);
    free(w);
    free(buf);
    return rc;
}

int xlsxin_read(int fd, const char *file, const char *const *sheets, const struct reader_cb *cb)
{
    int err = 0, rc;
    struct strings ss = { NULL, 0 };
    char *path = NULL;
    zip_t *z = zip_fdopen(fd, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!z) {
        close(fd);
        return xv_fail(XV_EDATA, "%s: not a workbook (.xlsx) that can be read", file);
    }
    zip_int64_t entries = zip_get_num_entries(z, 0);
    if (entries < 0 || entries > XLSX_MAX_ENTRIES)
        rc = xv_fail(XV_EDATA, "%s: more than %d parts; workbook refused", file,
                     XLSX_MAX_ENTRIES);
    else if ((rc = sheet_path(z, file, sheets, &path)) == 0 &&
             (rc = shared_strings(z, file, &ss)) == 0)
        rc = read_sheet(z, file, path, &ss, cb);
    zip_discard(z);
    for (long i = 0; i < ss.n; i++)
        free(ss.s[i]);
    free(ss.s);
    free(path);
    return rc;
}
