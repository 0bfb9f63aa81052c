/* notice.c: the notice lists (公示名单): per county, the applications under public notice in an
 * official run, names masked, printable on A4. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/kinds.h"
#include "../core/status.h"
#include "../core/utf8.h"
#include "../core/util.h"
#include "rpt_int.h"

struct rpt_notice {
    char *app, *county, *name, *reason, *procedure, *from, *to;
};

/* A notice of an application the run checked (a run narrowed by --applicant lists its own). */
static int add_notice(void *ctx, const struct status_notice *n)
{
    struct data *d = ctx;
    if (!rpt_gate_of(d, n->app))
        return 0;
    if (d->nnotices % 64 == 0)
        d->notices = xrealloc(d->notices, (size_t)(d->nnotices + 64) * sizeof *d->notices);
    struct rpt_notice *r = &d->notices[d->nnotices++];
    *r = (struct rpt_notice){ xstrdup(n->app), xstrdup(n->county), xstrdup(n->name),
                              xstrdup(n->reason), xstrdup(n->procedure), xstrdup(n->from),
                              xstrdup(n->to) };
    return 0;
}

int rpt_notices_read(sqlite3 *db, struct data *d)
{
    const struct run *r = d->r;
    return status_notices(db, r->load_of[kind_index("applicant")], r->status_seq, r->status_on,
                          add_notice, d);
}

void rpt_notices_free(struct data *d)
{
    for (long i = 0; i < d->nnotices; i++) {
        struct rpt_notice *n = &d->notices[i];
        char *all[] = { n->app, n->county, n->name, n->reason, n->procedure, n->from, n->to };
        for (size_t j = 0; j < sizeof all / sizeof all[0]; j++)
            free(all[j]);
    }
    free(d->notices);
}

int rpt_notice_has(const struct data *d, const char *county)
{
    for (long i = 0; i < d->nnotices; i++)
        if (!strcmp(d->notices[i].county, county))
            return 1;
    return 0;
}

/* NAME as a notice list shows it: the first and last characters, the ones between as *
 * (张*明, 欧阳**明); a name of two characters keeps its first (张*). */
void rpt_mask_name(const char *name, struct sbuf *b)
{
    size_t n = utf8_len(name), i = 0;
    const unsigned char *p = (const unsigned char *)name;
    size_t left = strlen(name);
    while (left) {
        uint32_t cp;
        int len = utf8_decode(p, left, &cp);
        if (len <= 0)
            len = 1;
        if (n < 2 || i == 0 || (i == n - 1 && n > 2))
            sbuf_add(b, (const char *)p, (size_t)len);
        else
            sbuf_adds(b, "*");
        p += len;
        left -= (size_t)len;
        i++;
    }
}

void rpt_notice_html(FILE *f, const struct data *d, const char *county)
{
    rpt_page_open(f);
    fprintf(f, "<title>%s ", T("公示名单"));
    rpt_county_esc(f, d, county);
    fputs("</title>\n", f);
    rpt_page_body(f, "td{padding:4px 6px}\n");
    fprintf(f, "<h1>%s</h1>\n<p>%s ", T("困难职工建档立卡公示名单"), T("县区"));
    rpt_county_esc(f, d, county);
    fprintf(f, T("，第 %lld 次核查（数据截至 %s）"), d->r->id, d->r->as_of);
    fprintf(f, "%s</p>\n<table>\n<tr>", T("。以下人员正在公示。对公示对象有异议的，请在公示期内"
                                          "向所在县区工会实名反映，并提供线索。"));
    static const char *const heads[] = { "序号", "姓名", "事项", "致困原因", "档次", "公示期" };
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
        fprintf(f, "<th>%s</th>", T(heads[h]));
    fputs("</tr>\n", f);
    int k = 0;
    for (long i = 0; i < d->nnotices; i++) {
        const struct rpt_notice *n = &d->notices[i];
        if (strcmp(n->county, county))
            continue;
        struct sbuf name = SBUF_INIT;
        rpt_mask_name(n->name, &name);
        fprintf(f, "<tr><td>%d</td><td>", ++k);
        rpt_esc(f, name.s ? name.s : "");
        fprintf(f, "</td><td>%s</td><td>", T(n->procedure));
        rpt_esc(f, n->reason);
        const struct grow *g = rpt_gate_of(d, n->app);
        fprintf(f, "</td><td>%s</td><td>", g ? T(g->tier) : "");
        fprintf(f, T("%s 至 %s"), n->from, n->to);
        fputs("</td></tr>\n", f);
        sbuf_free(&name);
    }
    fputs("</table>\n</body>\n</html>\n", f);
}
