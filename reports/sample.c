/* sample.c: a spot-check sample's list: a CSV form to fill in and a printable page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../core/err.h"
#include "../core/mask.h"
#include "../core/spotcheck.h"
#include "../core/util.h"
#include "rpt_int.h"

static void sample_csv(FILE *f, const struct spot_sample *s, const struct rpt_sample_row *rows,
                       long n)
{
    static const char *const heads[] = { "抽样编号", "序号", "申请编号", "姓名", "身份证号",
                                         "档案状态", "抽查结果(pass/fail)", "情况说明" };
    fputs("\xEF\xBB\xBF", f);
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
        rpt_csv_field(f, T(heads[h]), h + 1 == sizeof heads / sizeof heads[0]);
    for (long i = 0; i < n; i++) {
        char m[64];
        mask_id(rows[i].id_no, 0, m, sizeof m);
        fprintf(f, "%lld,%ld,", s->id, i + 1);
        rpt_csv_field(f, rows[i].app, 0);
        rpt_csv_field(f, rows[i].name, 0);
        rpt_csv_field(f, m, 0);
        rpt_csv_field(f, T(s->status), 0);
        fputs(",\r\n", f);
    }
}

static void sample_html(FILE *f, const struct spot_sample *s, const struct rpt_sample_row *rows,
                        long n)
{
    rpt_page_open(f);
    fprintf(f, "<title>%s %lld</title>\n", T("抽查样本"), s->id);
    rpt_page_body(f, "td{padding:4px 6px}\n");
    fprintf(f, "<h1>%s %lld</h1>\n<p>%s ", T("抽查样本"), s->id, T("县区"));
    rpt_esc(f, s->county);
    fputs(T("，档案状态 "), f);
    rpt_esc(f, T(s->status));
    fprintf(f, T("，%s 抽取 %lld 户（要求 %lld 户），种子 "), s->on, s->drawn, s->requested);
    rpt_esc(f, s->seed);
    fputs(T("，抽样人 "), f);
    rpt_esc(f, s->by);
    fprintf(f, "%s</p>\n<table>\n<tr>", T("。身份证号已脱敏。"));
    static const char *const heads[] = { "序号", "申请编号", "姓名", "身份证号", "抽查结果",
                                         "情况说明", "核查人签字" };
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
        fprintf(f, "<th>%s</th>", T(heads[h]));
    fputs("</tr>\n", f);
    for (long i = 0; i < n; i++) {
        char m[64];
        mask_id(rows[i].id_no, 0, m, sizeof m);
        fprintf(f, "<tr><td>%ld</td><td>", i + 1);
        rpt_esc(f, rows[i].app);
        fputs("</td><td>", f);
        rpt_esc(f, rows[i].name);
        fputs("</td><td>", f);
        rpt_esc(f, m);
        fputs("</td><td class=\"fill\"></td><td class=\"fill\"></td><td class=\"fill\"></td>"
              "</tr>\n", f);
    }
    fprintf(f, "</table>\n<p>%s", T("结果录入："));
    fprintf(f, T("xverify spotcheck 申请编号 --sample %lld --result pass|fail --by 姓名 --note 说明"),
            s->id);
    fputs("</p>\n</body>\n</html>\n", f);
}

int rpt_sample_write(const char *dir, const struct spot_sample *s,
                     const struct rpt_sample_row *rows, long n, struct rpt_pending *p)
{
    static const char *const ext[2] = { "csv", "html" };
    int rc;
    memset(p, 0, sizeof *p);
    if ((rc = rpt_mkdirs(dir)) < 0)
        return rc;
    for (int i = 0; i < 2; i++) {
        struct out o = { 0 };
        char name[64];
        snprintf(name, sizeof name, "sample-%lld.%s", s->id, ext[i]);
        if ((rc = rpt_open_out(dir, dir, name, &o)) < 0) {
            rpt_drop_out(&o);
            rpt_sample_drop(p);
            return rc;
        }
        if (i == 0)
            sample_csv(o.f, s, rows, n);
        else
            sample_html(o.f, s, rows, n);
        p->tmp[i] = o.tmp;
        p->path[i] = o.path;
        if ((rc = rpt_close_out(&o)) < 0) {
            rpt_sample_drop(p);
            return rc;
        }
    }
    return 0;
}

int rpt_sample_place(struct rpt_pending *p)
{
    for (int i = 0; i < 2; i++) {
        if (p->tmp[i] && rename(p->tmp[i], p->path[i]) != 0)
            return xv_fail(XV_EIO, "cannot write '%s': %s", p->path[i], strerror(errno));
        free(p->tmp[i]);
        p->tmp[i] = NULL;
    }
    return 0;
}

void rpt_sample_drop(struct rpt_pending *p)
{
    for (int i = 0; i < 2; i++) {
        if (p->tmp[i])
            unlink(p->tmp[i]);
        free(p->tmp[i]);
        free(p->path[i]);
        p->tmp[i] = p->path[i] = NULL;
    }
}
