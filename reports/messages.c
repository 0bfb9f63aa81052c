/* messages.c: the one table of the words people read in Chinese: rule names, severities,
 * gates, statuses, decisions and levels. */
#include <string.h>
#include "rpt_int.h"

static const char *const table[][2] = {
    /* rules (rules.md) */
    { "ID_INVALID", "身份证号无效" }, { "NOT_IN_REGISTER", "户籍库中查无此人" },
    { "IDENTITY_MISMATCH", "身份信息不一致" }, { "LINK_UNCERTAIN", "记录归属待确认" },
    { "DECEASED", "已死亡" }, { "UNDECLARED_MEMBER", "未申报的家庭成员" },
    { "MEMBER_NOT_IN_HOUSEHOLD", "成员不在本户" }, { "DUPLICATE_APPLICATION", "重复申请" },
    { "VEHICLE", "名下有机动车" }, { "PROPERTY_MULTIPLE", "名下有多套住房" },
    { "PROPERTY_NONRESIDENTIAL", "名下有非住宅房产" }, { "PROPERTY_UNDECLARED", "房产未申报" },
    { "HOUSING_AREA", "人均住房面积超标" }, { "BUSINESS", "经营或任职企业" },
    { "INCOME_UNDERSTATED", "少报收入" }, { "PENSION_UNDECLARED", "养老金未申报" },
    { "PUBLIC_SECTOR", "机关事业单位参保" }, { "INCOME_ABOVE_STANDARD", "人均收入超标" },
    { "STANDARD_MISSING", "无低保标准" }, { "EXIT_ELIGIBLE", "符合脱困条件" },
    { "CONTACT_MISSING", "无帮扶联系人" }, { "VISIT_OVERDUE", "走访逾期" },
    { "RELAPSE_RISK", "返贫风险" }, { "SPOTCHECK_FAILED", "抽查未通过" },
    /* severities, gates */
    { "block", "阻断" }, { "review", "待核" }, { "info", "提示" },
    { "BLOCK", "不通过" }, { "REVIEW", "待审核" }, { "CLEAR", "通过" },
    /* statuses (workflow.md) */
    { "applied", "申请中" }, { "notice", "公示中" }, { "archived", "在档" },
    { "rejected", "不予建档" }, { "withdrawn", "已撤回" }, { "exited", "已脱困" },
    { "relieved", "已解困" },
    /* decisions, levels */
    { "open", "待处理" }, { "dismissed", "排除" }, { "confirmed", "确认" },
    { "grassroots", "基层" }, { "county", "县区" }, { "city", "市" },
};

const char *rpt_zh(const char *code)
{
    for (size_t i = 0; code && i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i][0], code))
            return table[i][1];
    return code ? code : "";
}
