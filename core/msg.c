/* msg.c: the one table of the words people read, in Chinese and in English: codes (rules,
 * severities, gates, statuses, decisions, levels, procedures, tiers), every label and sentence
 * of the files for people and the texts of the findings, keyed by the Chinese text itself. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "msg.h"

struct msg {
    const char *key, *zh, *en;
};

/* CODE: a code and its two words; TXT: a Chinese text and its English (tests/msgcheck checks
 * that every Chinese literal of reports/ and every text the rules say is here, and that both
 * take the same conversions). A finding's English text is its canonical one, which its
 * evidence hash reads: a text already in use keeps its English as it is. */
#define CODE(key, zh, en) { key, zh, en }
#define TXT(zh, en) { zh, zh, en }

static const struct msg table[] = {
    /* rules (rules.md) */
    CODE("ID_INVALID", "身份证号无效", "ID number not valid"),
    CODE("NOT_IN_REGISTER", "户籍库中查无此人", "not in the household register"),
    CODE("IDENTITY_MISMATCH", "身份信息不一致", "identity mismatch"),
    CODE("LINK_UNCERTAIN", "记录归属待确认", "record's owner uncertain"),
    CODE("DECEASED", "已死亡", "deceased"),
    CODE("UNDECLARED_MEMBER", "未申报的家庭成员", "undeclared family member"),
    CODE("MEMBER_NOT_IN_HOUSEHOLD", "成员不在本户", "member not in the household"),
    CODE("DUPLICATE_APPLICATION", "重复申请", "duplicate application"),
    CODE("VEHICLE", "名下有机动车", "owns a vehicle"),
    CODE("PROPERTY_MULTIPLE", "名下有多套住房", "several homes"),
    CODE("PROPERTY_NONRESIDENTIAL", "名下有非住宅房产", "non-residential property"),
    CODE("PROPERTY_UNDECLARED", "房产未申报", "property not declared"),
    CODE("HOUSING_AREA", "人均住房面积超标", "housing area above the limit"),
    CODE("BUSINESS", "经营或任职企业", "business registration"),
    CODE("INCOME_UNDERSTATED", "少报收入", "income understated"),
    CODE("PENSION_UNDECLARED", "养老金未申报", "pension not declared"),
    CODE("PUBLIC_SECTOR", "机关事业单位参保", "insured in the public sector"),
    CODE("INCOME_ABOVE_STANDARD", "人均收入超标", "income above the standard"),
    CODE("STANDARD_MISSING", "无低保标准", "no minimum living standard"),
    CODE("EXIT_ELIGIBLE", "符合脱困条件", "eligible to leave hardship"),
    CODE("CONTACT_MISSING", "无帮扶联系人", "no contact person"),
    CODE("VISIT_OVERDUE", "走访逾期", "visit overdue"),
    CODE("RELAPSE_RISK", "返贫风险", "risk of relapse"),
    CODE("SPOTCHECK_FAILED", "抽查未通过", "spot check failed"),
    /* severities, gates */
    CODE("block", "阻断", "block"), CODE("review", "待核", "review"),
    CODE("info", "提示", "info"),
    CODE("BLOCK", "不通过", "BLOCK"), CODE("REVIEW", "待审核", "REVIEW"),
    CODE("CLEAR", "通过", "CLEAR"),
    /* statuses (workflow.md) */
    CODE("applied", "申请中", "applied"), CODE("notice", "公示中", "under notice"),
    CODE("archived", "在档", "archived"), CODE("rejected", "不予建档", "rejected"),
    CODE("withdrawn", "已撤回", "withdrawn"), CODE("exited", "已脱困", "left hardship"),
    CODE("relieved", "已解困", "relieved"),
    /* decisions, levels, procedures */
    CODE("open", "待处理", "open"), CODE("dismissed", "排除", "dismissed"),
    CODE("confirmed", "确认", "confirmed"),
    CODE("grassroots", "基层", "grassroots"), CODE("county", "县区", "county"),
    CODE("city", "市", "city"),
    CODE("entry", "建档", "entry"), CODE("exit", "脱困", "exit"),
    CODE("relief", "解困", "relief"),
    /* feeds (feeds.md) */
    CODE("household", "户籍", "household"), CODE("social_insurance", "社保", "social insurance"),
    CODE("business", "工商", "business"), CODE("property", "房产", "property"),
    CODE("vehicle", "车辆", "vehicle"),
    /* the texts of the findings (matchers/rules): the English is the canonical text */
    TXT("不是有效的身份证号", "not a valid ID number"),
    TXT("未关联到户籍记录", "no household record linked"),
    TXT("%s，户号 %s", "%s of %s"), TXT("户号 %s", "household %s"), TXT("未申报", "not declared"),
    TXT("%s，申请 %s", "%s of %s"), TXT("%s，申请 %s（%s）", "%s of %s (%s)"),
    TXT("死亡%s%s", "deceased%s%s"),
    TXT("地区码", "region code"), TXT("出生日期", "birth date"), TXT("顺序码", "sequence code"),
    TXT("校验码", "check digit"), TXT("差异：", "differs: "),
    TXT("号码长度不同", "the lengths differ (15 and 18 digits)"),
    TXT("号码相同", "the same ID number"), TXT("校验码不同", "the check digit differs"),
    TXT("%s第 %d 位不同（替换）", "%s, digit %d differs (substitution)"),
    TXT("%s第 %d、%d 位互换", "%s, digits %d and %d transposed"),
    TXT("%d 位不同，在", "%d digits differ, in: "), TXT("、", ", "),
    TXT("；姓名不同", "; the name differs"), TXT("；", "; "),
    TXT("没有帮扶联系人", "no contact person"),
    TXT("%s 或 %s 电话联系一次，%s 至 %s 入户走访一次",
        "a call in %s or %s, a home visit in %s..%s"),
    TXT("没有电话联系", "no phone follow-up"), TXT("没有入户走访", "no home visit"),
    TXT("抽查未通过，%s 由 %s 核查：%s", "spot check failed, %s by %s: %s"),
    TXT("最近 2 个有数据的月份均不高于低保标准：%s",
        "at or below the standard in the last 2 months with data: %s"),
    TXT("连续 %d 个月高于低保标准：%s", "above the standard %d months: %s"),
    TXT("月均缴费基数 %.2f（%d 个月）：%s", "mean base %.2f over %d month(s): %s"),
    TXT("养老金 %.2f（%s）", "pension %.2f in %s"),
    TXT("%s 及其所在市都没有低保标准", "no standard for %s or its city"),
    TXT("人均 %.2f", "%.2f a person"),
    TXT("人均 %.2f，是低保标准的 %.2f 倍（标准 %.2f）；档次：%s",
        "%.2f a person = %.2f x standard %.2f; tier: %s"),
    TXT("申报 %ld 辆机动车", "%ld vehicle(s)"), TXT("车型不详", "type unknown"),
    TXT("申报 %ld 处房产", "%ld property(ies)"), TXT("有", "yes"),
    TXT("%s %s %s，注册资本 %.2f 万元", "%s %s %s, registered capital %.2f (10,000 yuan)"),
    TXT("%s %s %s，注册资本不详", "%s %s %s, capital unknown"),
    TXT("%d 处住宅", "%d residential"), TXT("%.2f m²，%d 人", "%.2f m² for %d"),
    TXT("%d 人", "for %d"),
    TXT("%.2f m²，%d 人：人均 %.2f m²", "%.2f m² for %d: %.2f m² a person"),
    TXT("（第 %lld 次加载）", " (load %lld)"),
    /* tiers (rules.md), as the rules store them */
    TXT("低保户", "minimum-living-standard household"),
    TXT("低保边缘户", "edge of the minimum living standard"),
    TXT("意外致困户", "hardship by accident"),
    TXT("超出建档标准", "above the archive's limit"),
    /* punctuation that differs */
    TXT("：", ": "), TXT("（", " ("), TXT("）", ")"), TXT("（%s）", " (%s)"),
    /* shared words */
    TXT("县区", "County"), TXT("无", "none"), TXT("无。", "None."), TXT("是", "yes"),
    TXT("规则", "Rule"), TXT("严重程度", "Severity"), TXT("人员", "Person"),
    TXT("数据源", "Feed"), TXT("记录", "Record"), TXT("申报", "Declared"), TXT("发现", "Found"),
    TXT("处理", "Decision"), TXT("指纹", "Fingerprint"), TXT("申请", "Application"),
    TXT("申请编号", "Application"), TXT("姓名", "Name"), TXT("档案状态", "Status"),
    TXT("审核结果", "Gate"), TXT("身份证号", "ID number"), TXT("序号", "No."),
    TXT("阻断", "Block"), TXT("待核", "Review"), TXT("提示", "Info"),
    TXT("档次", "Tier"), TXT("身份证号已脱敏。", "ID numbers are masked."),
    TXT("，第 %lld 次核查（数据截至 %s）", ", run %lld (data as of %s)"),
    TXT("第 %lld 次核查", "run %lld"),
    /* the county page */
    TXT("审核页：第 %lld 次核查", "review page: run %lld"),
    TXT("试算 / trial run：使用自定的政策或日期，任何决定和审批都不以本页为准",
        "Trial run: its own policy or date; no decision or approval rests on this page"),
    TXT("：第 %lld 次核查（数据截至 %s）", ": run %lld (data as of %s)"),
    TXT("收入核查月份 %s（收入规则的时间窗口截至该月）。",
        "Coverage month %s (the income rules' window ends with it). "),
    TXT("政策 %.12s。", "Policy %.12s. "),
    TXT("身份证号完整显示。", "ID numbers are shown in full. "),
    TXT("尚未加载审核人员名册：不核对审核人身份。",
        " No reviewer registry is loaded: who decides is not checked."),
    TXT("怎样处理", "What to do"),
    TXT("发现使申请不能通过：只有市级审核人员可以排除。",
        "findings stop the application: only a city reviewer may dismiss them."),
    TXT("发现由县区或市级审核人员核实后确认或排除。",
        "findings are checked, then confirmed or dismissed by a county or city reviewer."),
    TXT("只供参考，无需处理。已处理的发现显示处理人、层级、时间和理由。",
        "findings are for information and need no decision. Decided findings show who "
        "decided, at which level, when and why."),
    TXT("处理意见写在县区工作簿", "Write decisions in the county workbook"),
    TXT("的“待处理”表（处理意见、理由、审核人），保存后交市工会导入。",
        ", sheet \"Open findings\" (decision, reason, reviewer), save it and return it to the "
        "city federation for import."),
    TXT("概况", "Overview"), TXT("申请数", "Applications"), TXT("合计", "Total"),
    TXT("数据源原文：", "As the feed wrote it: "),
    TXT("档案状态 %s；待处理发现：阻断 %d，待核 %d，提示 %d",
        "Status %s; open findings: block %d, review %d, info %d"),
    TXT("跟进名单", "Follow-up list"), TXT("有效的阻断发现", "Block findings in force"),
    TXT("无：没有在档户有有效的阻断发现。",
        "None: no archived household has a block finding in force."),
    TXT("已处理的发现与提示", "Decided findings and information"),
    TXT("没有发现。", "No findings."),
    TXT("各规则的发现数，按严重程度", "Findings per rule, by severity"),
    TXT("各规则的发现（按严重程度）", "Findings per rule (by severity)"),
    TXT("不通过的申请", "Applications that do not pass (BLOCK)"),
    TXT("待审核的申请", "Applications to review (REVIEW)"),
    TXT("通过的申请", "Applications that pass (CLEAR)"),
    TXT("所有证据记录：", "Every evidence record: "),
    /* notice lists */
    TXT("公示名单", "Public notice"),
    TXT("困难职工建档立卡公示名单", "Public notice of the hardship archive"),
    TXT("。以下人员正在公示。对公示对象有异议的，请在公示期内向所在县区工会实名反映，并提供线索。",
        ". The people below are under public notice. Anyone who objects may tell the county "
        "union, under their own name and with what they know, before the notice ends."),
    TXT("事项", "Procedure"), TXT("致困原因", "Hardship reason"), TXT("公示期", "Notice period"),
    TXT("%s 至 %s", "%s to %s"),
    /* performance */
    TXT("待处理发现≤7天", "Open findings ≤7 days"),
    TXT("待处理发现8-30天", "Open findings 8-30 days"),
    TXT("待处理发现>30天", "Open findings >30 days"),
    TXT("发现至决定天数中位数", "Median days to a decision"),
    TXT("本月建档公示", "Entry notices this month"), TXT("本月异议", "Objections this month"),
    TXT("本月脱困", "Exits this month"), TXT("本月解困", "Reliefs this month"),
    TXT("返贫风险户", "Households at risk of relapse"),
    TXT("本月抽查户数", "Drawn for spot checks this month"),
    TXT("本月已核查", "Spot-checked this month"),
    TXT("本月核查未通过", "Spot checks failed this month"),
    TXT("有帮扶联系人户数", "Households with a contact person"),
    TXT("走访逾期户数", "Households with a visit overdue"),
    TXT("全市", "City"), TXT("绩效考核", "Performance"),
    TXT("第 %lld 次核查（数据截至 %s，统计日 %s，本月 %.7s）",
        "run %lld (data as of %s, counted on %s, month %.7s)"),
    TXT("待处理发现：未作决定的阻断与复核发现，按首次发现距统计日的天数分组；"
        "“—”表示本次核查未使用该数据。",
        "Open findings: block and review findings not yet decided, grouped by the days from "
        "the run that first found them; \"—\": the run used no data for it."),
    /* spot-check samples */
    TXT("抽样编号", "Sample"), TXT("抽查结果(pass/fail)", "Result (pass/fail)"),
    TXT("情况说明", "Note"), TXT("抽查样本", "Spot-check sample"),
    TXT("，档案状态 ", ", status "),
    TXT("，%s 抽取 %lld 户（要求 %lld 户），种子 ",
        ", drawn on %s: %lld households (%lld asked for), seed "),
    TXT("，抽样人 ", ", drawn by "), TXT("。身份证号已脱敏。", ". ID numbers are masked."),
    TXT("抽查结果", "Result"), TXT("核查人签字", "Checked by (signature)"),
    TXT("结果录入：", "To record a result: "),
    TXT("xverify spotcheck 申请编号 --sample %lld --result pass|fail --by 姓名 --note 说明",
        "xverify spotcheck APPLICATION --sample %lld --result pass|fail --by NAME --note TEXT"),
    /* summary.txt */
    TXT("试算 / TRIAL RUN：使用自定的政策或日期，任何决定和审批都不以本次核查为准",
        "TRIAL RUN: its own policy or date; no decision or approval reads it"),
    TXT("xverify 第 %lld 次核查，数据截至 %s（开始于 %s）",
        "xverify run %lld as of %s (started %s)"),
    TXT("政策 sha256 ", "policy sha256 "), TXT("收入核查月份：", "coverage month: "),
    TXT("无（截至核查月份没有社保记录）",
        "none (no social-insurance record up to the as-of month)"),
    TXT("审核人员：尚未加载名册，不核对处理人（--by）的身份",
        "reviewers: no registry loaded; who decides (--by) is not checked"),
    TXT("跟进名单（在档或公示中、有有效的阻断发现）：",
        "follow-up list (archived or under notice, a block finding in force): "),
    TXT("版本：", "versions: "), TXT("使用的数据：", "loads:"),
    TXT("第 %-4lld 次加载，数据截至 %s  sha256 %.12s  ", "load %-4lld as of %s  sha256 %.12s  "),
    TXT("申请：%ld（不通过 %d，待审核 %d，通过 %d）",
        "applications: %ld (BLOCK %d, REVIEW %d, CLEAR %d)"),
    TXT("发现：", "findings: "),
    TXT("用时：关联 %.2f 秒，规则 %.2f 秒", "stages: linking %.2f s, rules %.2f s"),
    /* the county workbook */
    TXT("核查批次", "Run"), TXT("县区代码", "County code"), TXT("规则名称", "Rule name"),
    TXT("处理意见", "Decision"), TXT("理由", "Reason"), TXT("审核人", "Reviewer"),
    TXT("待处理", "Open findings"), TXT("申请汇总", "Applications"),
    TXT("全部发现", "All findings"), TXT("说明", "Read me"),
    TXT("家庭人口", "Family size"), TXT("核实人均月收入", "Verified income a person a month"),
    TXT("低保标准", "Standard"), TXT("决定人", "Decided by"), TXT("层级", "Level"),
    TXT("时间", "When"), TXT("证据记录", "Evidence records"),
    TXT("。试算：本表不能用于审批", ". Trial run: no approval may rest on this workbook"),
    TXT("“待处理”表列出尚未处理的阻断和待核发现，不通过的申请排在前面。",
        "The sheet \"Open findings\" lists the block and review findings not yet decided, "
        "applications that do not pass first."),
    TXT("请在每行最后三列填写：处理意见（下拉选择 确认 或 排除）、理由、审核人；其余各列已锁定。",
        "Fill in the last three cells of a row: the decision (confirmed or dismissed, from "
        "the list), the reason and the reviewer; the other cells are locked."),
    TXT("确认：发现属实，记录归该申请人；排除：发现不属实。阻断发现只能由市级审核人员排除。",
        "Confirmed: the finding is true and the record is the applicant's; dismissed: it is "
        "not. Only a city reviewer may dismiss a block finding."),
    TXT("不处理的行请留空。填好后保存为 .xlsx，交市工会核查员导入：",
        "Leave the rows you do not decide empty. Save the file as .xlsx and return it to the "
        "city's verification officer, who imports it:"),
    TXT("xverify review --import 本文件 --by 审核人 --level county",
        "xverify review --import THIS_FILE --by REVIEWER --level county"),
    TXT("导入时逐行核对；有一行不合要求则整份文件不予导入，并列出每个有问题的行。",
        "Every row is checked on import; when one is wrong the whole file is refused, with "
        "each wrong row named."),
    TXT("身份证号已脱敏。本表只含本县区的申请。",
        "ID numbers are masked. The workbook holds this county's applications only."),
    TXT("困难职工建档立卡核查 县区工作簿", "Hardship archive verification: county workbook"),
};

#define NMSG (sizeof table / sizeof table[0])

static int lang = MSG_ZH;

/* The table's entries by their key's hash: open addressing, a power of two at least four times
 * NMSG, so that a lookup is one hash and, nearly always, one comparison (the reports look up
 * about twenty words a finding). */
#define SLOTS 2048
static const struct msg *slots[SLOTS];
_Static_assert(NMSG * 4 <= SLOTS, "the message table outgrew its slots");

static size_t key_hash(const char *key)
{
    return (size_t)XXH3_64bits(key, strlen(key)) & (SLOTS - 1);
}

/* The first entry of a key takes its slot; a later one of the same key is never found (tests/
 * msgcheck refuses a table with one key twice). */
static void fill_slots(void)
{
    for (size_t i = 0; i < NMSG; i++) {
        size_t h = key_hash(table[i].key);
        while (slots[h] && strcmp(slots[h]->key, table[i].key))
            h = (h + 1) & (SLOTS - 1);
        if (!slots[h])
            slots[h] = &table[i];
    }
}

void msg_set_lang(int l)
{
    lang = l == MSG_EN ? MSG_EN : MSG_ZH;
}

int msg_lang(void)
{
    return lang;
}

int msg_lang_parse(const char *s)
{
    return !s || !strcmp(s, "zh") ? MSG_ZH : !strcmp(s, "en") ? MSG_EN : -1;
}

const char *msg_lang_name(int l)
{
    return l == MSG_EN ? "en" : "zh";
}

/* The slots are filled on the first call, once whichever thread makes it (the rules run in
 * two). */
static const struct msg *find(const char *key)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_slots);
    for (size_t h = key_hash(key); slots[h]; h = (h + 1) & (SLOTS - 1))
        if (!strcmp(slots[h]->key, key))
            return slots[h];
    return NULL;
}

const char *msg_t(const char *key)
{
    const struct msg *m = key ? find(key) : NULL;
    return !m ? (key ? key : "") : lang == MSG_EN ? m->en : m->zh;
}

const char *msg_key(size_t i)
{
    return i < NMSG ? table[i].key : NULL;
}

const char *msg_en(const char *key)
{
    const struct msg *m = key ? find(key) : NULL;
    return m ? m->en : key ? key : "";
}
