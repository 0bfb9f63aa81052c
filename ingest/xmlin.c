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
    size_t rec_bytes;      /* the bytes of the record's fields so far */
    /* where the walk is: the element path, the record and field being read, the as-of */
    const struct xml_layout *lay;
    struct sbuf path, text, field, asof_elem;
    size_t path_len[XML_MAX_DEPTH + 1];
    const char *asof_attr;
    int depth_rec, field_depth, in_asof;
    long recno, rec_line;
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
    x->rec_bytes += strlen(value);
    if (x->rec_bytes > READER_MAX_RECORD)
        return xv_fail_at(XV_EDATA, x->file, line, "a record is longer than %d bytes",
                          READER_MAX_RECORD);
    x->rec.v[pos] = xstrdup(value);
    return 0;
}

static void clear_rec(struct xmlin *x)
{
    x->rec_bytes = 0;
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

/* Cuts the element path back to the parent of an element at DEPTH. */
static void path_to(struct xmlin *x, int depth)
{
    x->path.len = depth > 0 ? x->path_len[depth - 1] : 0;
    if (x->path.s)
        x->path.s[x->path.len] = '\0';
}

/* A record's element starts: its attributes are fields ("@name"). */
static int record_start(struct xmlin *x, xmlTextReaderPtr r, int depth, long line)
{
    int rc = 0;
    x->depth_rec = depth;
    x->rec_line = line;
    clear_rec(x);
    while (rc == 0 && xmlTextReaderMoveToNextAttribute(r) == 1) {
        const char *an = (const char *)xmlTextReaderConstLocalName(r);
        const char *av = (const char *)xmlTextReaderConstValue(r);
        sbuf_reset(&x->field);
        sbuf_addc(&x->field, '@');
        sbuf_adds(&x->field, an);
        rc = set_field(x, x->field.s, av ? av : "", line);
    }
    xmlTextReaderMoveToElement(r);
    return rc;
}

/* The as-of date's element starts (outside records): from its attribute, or its text. */
static int asof_start(struct xmlin *x, xmlTextReaderPtr r, long line)
{
    int rc = 0;
    if (!x->asof_attr) {
        x->in_asof = 1;
        sbuf_reset(&x->text);
        return 0;
    }
    xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)x->asof_attr);
    if (v && x->cb->as_of)
        rc = x->cb->as_of(x->cb->ctx, (const char *)v, line);
    xmlFree(v);
    return rc;
}

static int on_element(struct xmlin *x, xmlTextReaderPtr r, int depth, long line)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(r);
    int empty = xmlTextReaderIsEmptyElement(r), rc;
    path_to(x, depth);
    sbuf_addc(&x->path, '/');
    sbuf_adds(&x->path, name);
    x->path_len[depth] = x->path.len;
    if (x->depth_rec < 0 && x->asof_elem.len && !strcmp(x->path.s, x->asof_elem.s) &&
        (rc = asof_start(x, r, line)) < 0)
        return rc;
    int is_rec = x->depth_rec < 0 &&
                 (x->lay->record ? !strcmp(x->path.s, x->lay->record) : depth == 1);
    if (is_rec) {
        if ((rc = record_start(x, r, depth, line)) < 0)
            return rc;
    } else if (x->depth_rec >= 0 && depth == x->depth_rec + 1) {
        x->field_depth = depth;
        sbuf_reset(&x->field);
        sbuf_adds(&x->field, name);
        sbuf_reset(&x->text);
        sbuf_add(&x->text, "", 0);
        if (empty) {
            if ((rc = set_field(x, x->field.s, "", line)) < 0)
                return rc;
            x->field_depth = -1;
        }
    }
    if (empty && is_rec) {
        x->depth_rec = -1;
        return emit(x, x->rec_line, ++x->recno);
    }
    return 0;
}

static int on_text(struct xmlin *x, xmlTextReaderPtr r, long line)
{
    const char *v = (const char *)xmlTextReaderConstValue(r);
    if ((x->field_depth >= 0 || x->in_asof) && v) {
        sbuf_adds(&x->text, v);
        if (x->text.len > READER_MAX_FIELD)
            return xv_fail_at(XV_EDATA, x->file, line, "a field is longer than %d bytes",
                              READER_MAX_FIELD);
    }
    return 0;
}

static int on_end(struct xmlin *x, int depth, long line)
{
    int rc = 0;
    if (x->in_asof && x->depth_rec < 0 && x->path.s && !strcmp(x->path.s, x->asof_elem.s)) {
        x->in_asof = 0;
        if (x->cb->as_of && (rc = x->cb->as_of(x->cb->ctx, sbuf_str(&x->text), line)) < 0)
            return rc;
    }
    if (x->field_depth >= 0 && depth == x->field_depth) {
        rc = set_field(x, x->field.s, sbuf_str(&x->text), line);
        x->field_depth = -1;
    } else if (x->depth_rec >= 0 && depth == x->depth_rec) {
        rc = emit(x, x->rec_line, ++x->recno);
        x->depth_rec = -1;
    }
    path_to(x, depth);
    return rc;
}

/* One node of the document: refused when a feed must not have it, else walked. */
static int on_node(struct xmlin *x, xmlTextReaderPtr r)
{
    int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
    /* the node's own line: the parser's may be ahead of it */
    xmlNodePtr node = xmlTextReaderCurrentNode(r);
    long line = node ? xmlGetLineNo(node) : -1;
    if (line <= 0)
        line = xmlTextReaderGetParserLineNumber(r);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE)
        return xv_fail_at(XV_EDATA, x->file, line,
                          "a DOCTYPE is not accepted in a feed (entities are never expanded)");
    if (type == XML_READER_TYPE_ENTITY_REFERENCE || type == XML_READER_TYPE_ENTITY)
        return xv_fail_at(XV_EDATA, x->file, line, "entity references are not accepted in a feed");
    if (depth > XML_MAX_DEPTH)
        return xv_fail_at(XV_EDATA, x->file, line, "elements nested deeper than %d",
                          XML_MAX_DEPTH);
    if (type == XML_READER_TYPE_ELEMENT)
        return on_element(x, r, depth, line);
    if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
        type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
        return on_text(x, r, line);
    if (type == XML_READER_TYPE_END_ELEMENT)
        return on_end(x, depth, line);
    return 0;
}

int xmlin_read(struct src *s, const char *file, const struct xml_layout *lay,
               const struct reader_cb *cb)
{
    int rc = 0, got;
    struct xmlin x;
    memset(&x, 0, sizeof x);
    x.src = s;
    x.file = file;
    x.cb = cb;
    x.lay = lay;
    x.depth_rec = x.field_depth = -1;
    split_path(lay->as_of, &x.asof_elem, &x.asof_attr);
    /* No NOENT (it turns substitution on), DTDLOAD, DTDATTR, XINCLUDE or HUGE. */
    int opts = XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES;
    xmlTextReaderPtr r = xmlReaderForIO(io_read, io_close, &x, NULL, "UTF-8", opts);
    if (!r) {
        rc = error("cannot start the XML reader for '%s'", file);
        goto done;
    }
    xmlTextReaderSetStructuredErrorHandler(r, on_error, &x);
    while ((got = xmlTextReaderRead(r)) == 1)
        if ((rc = on_node(&x, r)) < 0)
            goto done;
    if (x.io_rc < 0)
        rc = x.io_rc;
    else if (got < 0 || x.err)
        rc = xv_fail_at(XV_EDATA, file, x.err ? x.err_line : 0, "XML not well formed: %s",
                        x.err ? x.err : "parse error");
done:
    if (r)
        xmlFreeTextReader(r);
    clear_rec(&x);
    for (int i = 0; i < x.nnames; i++)
        free(x.names[i]);
    free(x.names);
    free(x.rec.v);
    free(x.err);
    sbuf_free(&x.path);
    sbuf_free(&x.text);
    sbuf_free(&x.field);
    sbuf_free(&x.asof_elem);
    return rc;
}
