/* xmlin.c: the XML reader: libxml2's xmlTextReader, streaming, with no network, DTD or entities. */
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>
#include "../core/err.h"
#include "../core/util.h"
#include "reader.h"

#define XML_MAX_DEPTH 64

struct xmlin {
    struct src *src;
    const char *file;
    const struct reader_cb *cb;
    int io_rc;                 /* an error from the source, seen through the read callback */
    char *err;                 /* libxml2's first error */
    long err_line;
    char **names;              /* source column names seen so far */
    int nnames;
    struct rec rec;
};

static int io_read(void *ctx, char *buf, int len)
{
    struct xmlin *x = ctx;
    ssize_t got = src_read(x->src, buf, (size_t)len);
    if (got < 0) {
        x->io_rc = (int)got;
        return -1;
    }
    return (int)got;
}

static int io_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static void on_error(void *ctx, xmlErrorPtr e)
{
    struct xmlin *x = ctx;
    if (x->err || !e || e->level < XML_ERR_ERROR)
        return;
    x->err = xstrdup(e->message ? e->message : "error");
    size_t l = strlen(x->err);
    while (l && (x->err[l - 1] == '\n' || x->err[l - 1] == ' '))
        x->err[--l] = '\0';
    x->err_line = e->line;
}

/* The source column index of NAME, declaring it to the loader the first time. */
static int column_of(struct xmlin *x, const char *name, long line, int *pos)
{
    for (int i = 0; i < x->nnames; i++)
        if (!strcmp(x->names[i], name)) {
            *pos = i;
            return 0;
        }
    if (x->nnames >= READER_MAX_COLUMNS)
        return xv_fail_at(XV_EDATA, x->file, line, "more than %d distinct fields",
                          READER_MAX_COLUMNS);
    x->names = xrealloc(x->names, (size_t)(x->nnames + 1) * sizeof *x->names);
    x->names[x->nnames] = xstrdup(name);
    x->rec.v = xrealloc(x->rec.v, (size_t)(x->nnames + 1) * sizeof *x->rec.v);
    x->rec.v[x->nnames] = NULL;
    *pos = x->nnames++;
    x->rec.n = x->nnames;
    return x->cb->column(x->cb->ctx, *pos, name, line);
}

static int set_field(struct xmlin *x, const char *name, const char *value, long line)
{
    int pos = -1, rc;
    if ((rc = column_of(x, name, line, &pos)) < 0)
        return rc;
    if (x->rec.v[pos])
        return xv_fail_at(XV_EDATA, x->file, line, "field '%s' given twice in one record", name);
    x->rec.v[pos] = xstrdup(value);
    return 0;
}

static void clear_rec(struct xmlin *x)
{
    for (int i = 0; i < x->rec.n; i++) {
        free(x->rec.v[i]);
        x->rec.v[i] = NULL;
    }
}

/* Hands the record collected so far to the loader. */
static int emit(struct xmlin *x, long line, long recno)
{
    x->rec.line = line;
    x->rec.recno = recno;
    x->rec.n = x->nnames;
    return x->cb->record(x->cb->ctx, &x->rec);
}

/* Splits "/A/B/@C" into the element path "/A/B" and the attribute "C" (NULL when none). */
static void split_path(const char *p, struct sbuf *elem, const char **attr)
{
    const char *at = p ? strstr(p, "/@") : NULL;
    sbuf_reset(elem);
    if (!p)
        return;
    if (at) {
        sbuf_add(elem, p, (size_t)(at - p));
        *attr = at + 2;
    } else {
        sbuf_adds(elem, p);
        *attr = NULL;
    }
}

int xmlin_read(struct src *s, const char *file, const struct xml_layout *lay,
               const struct reader_cb *cb)
{
    int rc = 0, depth_rec = -1, field_depth = -1, in_asof = 0;
    long recno = 0, rec_line = 0;
    struct xmlin x;
    struct sbuf path = SBUF_INIT, text = SBUF_INIT, field = SBUF_INIT, asof_elem = SBUF_INIT;
    size_t path_len[XML_MAX_DEPTH + 1];
    const char *asof_attr = NULL;
    memset(&x, 0, sizeof x);
    x.src = s;
    x.file = file;
    x.cb = cb;
    split_path(lay->as_of, &asof_elem, &asof_attr);
    /* No NOENT (it turns substitution on), DTDLOAD, DTDATTR, XINCLUDE or HUGE. */
    int opts = XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES;
    xmlTextReaderPtr r = xmlReaderForIO(io_read, io_close, &x, NULL, "UTF-8", opts);
    if (!r) {
        rc = error("cannot start the XML reader for '%s'", file);
        goto done;
    }
    xmlTextReaderSetStructuredErrorHandler(r, on_error, &x);
    int got;
    while ((got = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        int depth = xmlTextReaderDepth(r);
        /* the node's own line: the parser's may be ahead of it */
        xmlNodePtr node = xmlTextReaderCurrentNode(r);
        long line = node ? xmlGetLineNo(node) : -1;
        if (line <= 0)
            line = xmlTextReaderGetParserLineNumber(r);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            rc = xv_fail_at(XV_EDATA, file, line,
                            "a DOCTYPE is not accepted in a feed (entities are never expanded)");
            goto done;
        }
        if (type == XML_READER_TYPE_ENTITY_REFERENCE || type == XML_READER_TYPE_ENTITY) {
            rc = xv_fail_at(XV_EDATA, file, line, "entity references are not accepted in a feed");
            goto done;
        }
        if (depth > XML_MAX_DEPTH) {
            rc = xv_fail_at(XV_EDATA, file, line, "elements nested deeper than %d", XML_MAX_DEPTH);
            goto done;
        }
        if (type == XML_READER_TYPE_ELEMENT) {
            const char *name = (const char *)xmlTextReaderConstLocalName(r);
            int empty = xmlTextReaderIsEmptyElement(r);
            path.len = depth > 0 ? path_len[depth - 1] : 0;
            if (path.s)
                path.s[path.len] = '\0';
            sbuf_addc(&path, '/');
            sbuf_adds(&path, name);
            path_len[depth] = path.len;
            if (depth_rec < 0 && asof_elem.len && !strcmp(path.s, asof_elem.s)) {
                if (asof_attr) {
                    xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)asof_attr);
                    if (v && cb->as_of)
                        rc = cb->as_of(cb->ctx, (const char *)v, line);
                    xmlFree(v);
                    if (rc < 0)
                        goto done;
                } else {
                    in_asof = 1;
                    sbuf_reset(&text);
                }
            }
            int is_rec = depth_rec < 0 &&
                         (lay->record ? !strcmp(path.s, lay->record) : depth == 1);
            if (is_rec) {
                depth_rec = depth;
                rec_line = line;
                clear_rec(&x);
                while (xmlTextReaderMoveToNextAttribute(r) == 1) {
                    const char *an = (const char *)xmlTextReaderConstLocalName(r);
                    const char *av = (const char *)xmlTextReaderConstValue(r);
                    sbuf_reset(&field);
                    sbuf_addc(&field, '@');
                    sbuf_adds(&field, an);
                    if ((rc = set_field(&x, field.s, av ? av : "", line)) < 0)
                        goto done;
                }
                xmlTextReaderMoveToElement(r);
            } else if (depth_rec >= 0 && depth == depth_rec + 1) {
                field_depth = depth;
                sbuf_reset(&field);
                sbuf_adds(&field, name);
                sbuf_reset(&text);
                sbuf_add(&text, "", 0);
                if (empty) {
                    if ((rc = set_field(&x, field.s, "", line)) < 0)
                        goto done;
                    field_depth = -1;
                }
            }
            if (empty && is_rec) {
                if ((rc = emit(&x, rec_line, ++recno)) < 0)
                    goto done;
                depth_rec = -1;
            }
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
            const char *v = (const char *)xmlTextReaderConstValue(r);
            if ((field_depth >= 0 || in_asof) && v) {
                sbuf_adds(&text, v);
                if (text.len > READER_MAX_FIELD) {
                    rc = xv_fail_at(XV_EDATA, file, line, "a field is longer than %d bytes",
                                    READER_MAX_FIELD);
                    goto done;
                }
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (in_asof && depth_rec < 0 && path.s && !strcmp(path.s, asof_elem.s)) {
                in_asof = 0;
                if (cb->as_of && (rc = cb->as_of(cb->ctx, sbuf_str(&text), line)) < 0)
                    goto done;
            }
            if (field_depth >= 0 && depth == field_depth) {
                if ((rc = set_field(&x, field.s, sbuf_str(&text), line)) < 0)
                    goto done;
                field_depth = -1;
            } else if (depth_rec >= 0 && depth == depth_rec) {
                if ((rc = emit(&x, rec_line, ++recno)) < 0)
                    goto done;
                depth_rec = -1;
            }
            path.len = depth > 0 ? path_len[depth - 1] : 0;
            if (path.s)
                path.s[path.len] = '\0';
        }
    }
    if (x.io_rc < 0) {
        rc = x.io_rc;
        goto done;
    }
    if (got < 0 || x.err) {
        rc = xv_fail_at(XV_EDATA, file, x.err ? x.err_line : 0, "XML not well formed: %s",
                        x.err ? x.err : "parse error");
        goto done;
    }
done:
    if (r)
        xmlFreeTextReader(r);
    clear_rec(&x);
    for (int i = 0; i < x.nnames; i++)
        free(x.names[i]);
    free(x.names);
    free(x.rec.v);
    free(x.err);
    sbuf_free(&path);
    sbuf_free(&text);
    sbuf_free(&field);
    sbuf_free(&asof_elem);
    return rc;
}
