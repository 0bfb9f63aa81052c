/* workbook.c: the county workbook (county-CODE.xlsx) a county reviewer works in and returns:
 * the open findings to decide, the applications, every finding, and how to send it back. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "../core/err.h"
#include "../core/util.h"
#include "../core/verdict.h"
#include "rpt_int.h"

/* S as a cell may hold it: controls but tab and line ends, and U+FFFE/U+FFFF (which XML
 * cannot carry), become U+FFFD. Allocated. */
static char *cell_text(const char *s)
{
    struct sbuf b = SBUF_INIT;
    for (; s && *s; s++) {
        /* the bytes kept as they are, a run at a time */
        size_t n = rpt_plain_len(s, 0);
        if (n) {
            sbuf_add(&b, s, n);
            s += n - 1;
            continue;
        }
        unsigned char c = (unsigned char)*s;
        if (rpt_nonchar(s)) {
            sbuf_adds(&b, "\xEF\xBF\xBD");
            s += 2;
        } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            sbuf_adds(&b, "\xEF\xBF\xBD");
        } else {
            sbuf_addc(&b, (char)c);
        }
    }
    return b.s ? b.s : xstrdup("");
}

/* Writes S as a text cell: never a number, a date or a formula, whatever it looks like. */
static void put(lxw_worksheet *ws, int row, int col, const char *s, lxw_format *fmt)
{
    if (s && !s[rpt_plain_len(s, 0)]) {   /* most cells: kept as they are */
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s, fmt);
        return;
    }
    char *t = cell_text(s);
    worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, t, fmt);
    free(t);
}

static void header(lxw_worksheet *ws, const char *const *names, int n, lxw_format *fmt)
{
    for (int i = 0; i < n; i++)
        put(ws, 0, i, T(names[i]), fmt);
    worksheet_freeze_panes(ws, 1, 0);
}

/* 待处理: the county's open block and review findings, BLOCK applications first; the last
 * three columns are the reviewer's, the rest locked. */
static void to_decide(lxw_workbook *wb, const struct data *d, const char *county,
                      lxw_format *head, lxw_format *text, lxw_format *fill)
{
    static const char *const cols[] = {
        "指纹", "核查批次", "县区代码", "申请编号", "姓名", "审核结果", "规则", "规则名称",
        "严重程度", "人员", "数据源", "记录", "申报", "发现", "处理意见", "理由", "审核人",
    };
    enum { NC = sizeof cols / sizeof cols[0] };
    lxw_worksheet *ws = workbook_add_worksheet(wb, T("待处理"));
    char run[24];
    snprintf(run, sizeof run, "%lld", d->r->id);
    header(ws, cols, NC, head);
    worksheet_set_column(ws, 0, NC - 4, 14, text);
    worksheet_set_column(ws, 13, 13, 40, text);
    worksheet_set_column(ws, NC - 3, NC - 1, 16, fill);
    int row = 0;
    long n;
    const long *ix = rpt_county_findings(d, county, &n);
    for (int pass = 0; pass < 2; pass++)
        for (long j = 0; j < n; j++) {
            char *const *c = d->f[ix[j]].c;
            if (strcmp(c[C_DECISION], "open") || !strcmp(c[C_SEV], "info"))
                continue;
            const struct grow *g = d->f[ix[j]].gate;
            if (!g || (rpt_gate_index(g->gate) == GATE_BLOCK) != !pass)
                continue;
            const char *v[] = { c[C_FP], run, c[C_COUNTY], c[C_APP], g->name, T(g->gate),
                                c[C_RULE], T(c[C_RULE]), T(c[C_SEV]), c[C_PID],
                                T(c[C_FEED]), c[C_KEY],
                                c[C_SAID_DECLARED], c[C_SAID_FOUND] };
            row++;
            for (int k = 0; k < (int)(sizeof v / sizeof v[0]); k++)
                put(ws, row, k, v[k], text);
            for (int k = NC - 3; k < NC; k++)
                worksheet_write_blank(ws, (lxw_row_t)row, (lxw_col_t)k, fill);
        }
    if (row) {
        char *choices[] = { (char *)T("confirmed"), (char *)T("dismissed"), NULL };
        lxw_data_validation dv;
        memset(&dv, 0, sizeof dv);
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = choices;
        worksheet_data_validation_range(ws, 1, NC - 3, (lxw_row_t)row, NC - 3, &dv);
    }
    lxw_protection prot;
    memset(&prot, 0, sizeof prot);
    worksheet_protect(ws, NULL, &prot);
}

/* 申请汇总: every application of the county with its gate, status, open findings and, for the
 * referral list of 低保, its family size, verified per-capita income, standard and tier. */
static void applications(lxw_workbook *wb, const struct data *d, const char *county,
                         lxw_format *head, lxw_format *text)
{
    static const char *const cols[] = { "申请编号", "姓名", "县区代码", "审核结果", "档案状态",
                                        "阻断", "待核", "提示", "跟进名单", "家庭人口",
                                        "核实人均月收入", "低保标准", "档次" };
    enum { NC = sizeof cols / sizeof cols[0] };
    lxw_worksheet *ws = workbook_add_worksheet(wb, T("申请汇总"));
    header(ws, cols, NC, head);
    worksheet_set_column(ws, 0, NC - 1, 12, text);
    int row = 0;
    long ng;
    const long *ix = rpt_county_gates(d, county, &ng);
    for (long j = 0; j < ng; j++) {
        const struct grow *g = &d->g[ix[j]];
        char n[3][16];
        for (int k = 0; k < 3; k++)
            snprintf(n[k], sizeof n[k], "%d", g->n[k]);
        const char *v[] = { g->app, g->name, g->county, T(g->gate), T(g->status),
                            n[0], n[1], n[2], g->followup ? T("是") : "", g->size, g->per_capita,
                            g->standard, T(g->tier) };
        row++;
        for (int k = 0; k < NC; k++)
            put(ws, row, k, v[k], text);
    }
}

/* 全部发现: every finding of the county with its decision as the run saw it. */
static void all_findings(lxw_workbook *wb, const struct data *d, const char *county,
                         lxw_format *head, lxw_format *text)
{
    static const char *const cols[] = { "指纹", "申请编号", "规则", "规则名称", "严重程度",
                                        "人员", "数据源", "记录", "申报", "发现", "处理意见",
                                        "决定人", "层级", "时间", "理由", "证据记录" };
    enum { NC = sizeof cols / sizeof cols[0] };
    lxw_worksheet *ws = workbook_add_worksheet(wb, T("全部发现"));
    header(ws, cols, NC, head);
    worksheet_set_column(ws, 0, NC - 1, 14, text);
    int row = 0;
    long n;
    const long *ix = rpt_county_findings(d, county, &n);
    for (long j = 0; j < n; j++) {
        char *const *c = d->f[ix[j]].c;
        const char *v[] = { c[C_FP], c[C_APP], c[C_RULE], T(c[C_RULE]), T(c[C_SEV]),
                            c[C_PID], T(c[C_FEED]), c[C_KEY],
                            c[C_SAID_DECLARED], c[C_SAID_FOUND],
                            T(c[C_DECISION]), c[C_DECIDED_BY],
                            T(c[C_DECIDED_LEVEL]),
                            c[C_DECIDED_AT], c[C_DECISION_REASON],
                            c[C_RECORDS][0] ? c[C_RECORDS] : c[C_RAW] };
        row++;
        for (int k = 0; k < NC; k++)
            put(ws, row, k, v[k], text);
    }
}

static void guide(lxw_workbook *wb, const struct data *d, const char *county, lxw_format *text)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, T("说明"));
    struct sbuf line = SBUF_INIT;
    const char *name = rpt_region_name(d, county);
    sbuf_addf(&line, "%s %s%s%s%s", T("县区"), name ? name : "", name ? T("（") : "", county,
              name ? T("）") : "");
    sbuf_addf(&line, T("，第 %lld 次核查（数据截至 %s）"), d->r->id, d->r->as_of);
    if (!d->r->official)
        sbuf_adds(&line, T("。试算：本表不能用于审批"));
    static const char *const lines[] = {
        "“待处理”表列出尚未处理的阻断和待核发现，不通过的申请排在前面。",
        "请在每行最后三列填写：处理意见（下拉选择 确认 或 排除）、理由、审核人；其余各列已锁定。",
        "确认：发现属实，记录归该申请人；排除：发现不属实。阻断发现只能由市级审核人员排除。",
        "不处理的行请留空。填好后保存为 .xlsx，交市工会核查员导入：",
        "xverify review --import 本文件 --by 审核人 --level county",
        "导入时逐行核对；有一行不合要求则整份文件不予导入，并列出每个有问题的行。",
        "身份证号已脱敏。本表只含本县区的申请。",
    };
    worksheet_set_column(ws, 0, 0, 100, text);
    put(ws, 0, 0, line.s, text);
    for (int i = 0; i < (int)(sizeof lines / sizeof lines[0]); i++)
        put(ws, i + 1, 0, T(lines[i]), text);
    sbuf_free(&line);
}

int rpt_county_xlsx(const char *path, const struct data *d, const char *county)
{
    lxw_workbook_options opts = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
    lxw_workbook *wb = workbook_new_opt(path, &opts);
    if (!wb)
        return xv_fail(XV_EIO, "cannot write '%s'", path);
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = (char *)T("困难职工建档立卡核查 县区工作簿");
    props.author = "xverify";
    /* the run's start as the creation time: the same workbook every time it is written */
    props.created = (time_t)iso_utc(d->r->started_at);
    workbook_set_properties(wb, &props);
    lxw_format *head = workbook_add_format(wb), *text = workbook_add_format(wb),
               *fill = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xEEEEEE);
    format_set_num_format(head, "@");
    format_set_num_format(text, "@");
    format_set_num_format(fill, "@");
    format_set_unlocked(fill);
    format_set_bg_color(fill, 0xFFF2CC);
    to_decide(wb, d, county, head, text, fill);
    applications(wb, d, county, head, text);
    all_findings(wb, d, county, head, text);
    guide(wb, d, county, text);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR)
        return xv_fail(XV_EIO, "cannot write '%s': %s", path, lxw_strerror(e));
    /* on disk before it is put in place, like every report file */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return xv_fail(XV_EIO, "cannot write '%s': %s", path, strerror(err));
    }
    close(fd);
    return 0;
}
