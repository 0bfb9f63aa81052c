/* kinds.c: the canonical columns of feeds.md, one table per kind. */
#include <string.h>
#include "kinds.h"

static const char *const gender_v[] = { "男", "女", NULL };
static const char *const reason_v[] = { "患病", "残疾", "子女就学", "失业", "意外", "其他", NULL };
static const char *const relation_v[] = { "配偶", "子女", "父母", "兄弟姐妹", "其他", NULL };
static const char *const hh_rel_v[] = { "户主", "配偶", "子女", "父母", "兄弟姐妹", "孙子女",
                                        "祖父母", "儿媳", "女婿", "其他", NULL };
static const char *const hh_status_v[] = { "正常", "迁出", "死亡", "注销", NULL };
static const char *const si_status_v[] = { "正常参保", "暂停", "终止", "领取待遇", NULL };
static const char *const biz_type_v[] = { "个体工商户", "有限责任公司", "股份有限公司",
                                          "个人独资企业", "合伙企业", "农民专业合作社",
                                          "其他", NULL };
static const char *const biz_role_v[] = { "法定代表人", "股东", "经营者", "投资人", "合伙人",
                                          "高管", NULL };
static const char *const biz_status_v[] = { "存续", "在业", "开业", "注销", "吊销", "迁出", NULL };
static const char *const usage_v[] = { "住宅", "商业", "办公", "工业", "车库", "其他", NULL };
static const char *const prop_status_v[] = { "现势", "注销", "查封", NULL };
static const char *const veh_status_v[] = { "正常", "注销", "报废", "被盗抢", "转出", NULL };

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct column applicant_c[] = {
    { "applicant_id", "申请编号", CT_TEXT, 1, NULL, NULL },
    { "id_no", "身份证号", CT_ID, 1, NULL, NULL },
    { "name", "姓名", CT_NAME, 1, NULL, NULL },
    { "gender", "性别", CT_GENDER, 0, NULL, gender_v },
    { "birth_date", "出生日期", CT_DATE, 0, NULL, NULL },
    { "county_code", "县区代码", CT_COUNTY, 1, NULL, NULL },
    { "employer", "工作单位", CT_TEXT, 0, NULL, NULL },
    { "declared_income", "申报月收入", CT_YUAN, 1, NULL, NULL },
    { "declared_vehicles", "申报车辆数", CT_INT, 0, "0", NULL },
    { "declared_properties", "申报房产套数", CT_INT, 0, "0", NULL },
    { "declared_housing_area", "申报住房面积", CT_AREA, 0, NULL, NULL },
    { "declared_business", "申报经营情况", CT_BOOL, 0, "0", NULL },
    { "hardship_reason", "致困原因", CT_ENUM, 0, NULL, reason_v },
    { "application_date", "申请日期", CT_DATE, 1, NULL, NULL },
    { "status", "档案状态", CT_APPSTATUS, 0, "applied", NULL },
};

static const struct column member_c[] = {
    { "applicant_id", "申请编号", CT_TEXT, 1, NULL, NULL },
    { "id_no", "身份证号", CT_ID, 1, NULL, NULL },
    { "name", "姓名", CT_NAME, 1, NULL, NULL },
    { "relation", "与申请人关系", CT_ENUM, 1, NULL, relation_v },
    { "declared_income", "申报月收入", CT_YUAN, 0, "0", NULL },
};

static const struct column household_c[] = {
    { "id_no", "身份证号", CT_ID, 1, NULL, NULL },
    { "name", "姓名", CT_NAME, 1, NULL, NULL },
    { "gender", "性别", CT_GENDER, 0, NULL, gender_v },
    { "birth_date", "出生日期", CT_DATE, 0, NULL, NULL },
    { "household_no", "户号", CT_TEXT, 1, NULL, NULL },
    { "relation_to_head", "与户主关系", CT_ENUM, 0, NULL, hh_rel_v },
    { "address", "住址", CT_TEXT, 0, NULL, NULL },
    { "region_code", "区划代码", CT_COUNTY, 0, NULL, NULL },
    { "status", "户籍状态", CT_ENUM, 0, "正常", hh_status_v },
    { "status_date", "变动日期", CT_DATE, 0, NULL, NULL },
};

static const struct column social_insurance_c[] = {
    { "id_no", "身份证号", CT_ID, 1, NULL, NULL },
    { "name", "姓名", CT_NAME, 1, NULL, NULL },
    { "insurance_type", "险种", CT_TEXT, 0, NULL, NULL },
    { "employer", "参保单位", CT_TEXT, 0, NULL, NULL },
    { "employer_uscc", "单位统一社会信用代码", CT_USCC, 0, NULL, NULL },
    { "period", "缴费年月", CT_MONTH, 1, NULL, NULL },
    { "contribution_base", "缴费基数", CT_YUAN, 0, NULL, NULL },
    { "pension", "养老金", CT_YUAN, 0, NULL, NULL },
    { "status", "参保状态", CT_ENUM, 0, NULL, si_status_v },
};

static const struct column business_c[] = {
    { "id_no", "身份证号", CT_ID, 1, NULL, NULL },
    { "name", "姓名", CT_NAME, 1, NULL, NULL },
    { "entity_name", "企业名称", CT_TEXT, 1, NULL, NULL },
    { "uscc", "统一社会信用代码", CT_USCC, 0, NULL, NULL },
    { "entity_type", "市场主体类型", CT_ENUM, 0, NULL, biz_type_v },
    { "role", "身份", CT_ENUM, 1, NULL, biz_role_v },
    { "registered_capital", "注册资本", CT_WAN, 0, NULL, NULL },
    { "established_date", "成立日期", CT_DATE, 0, NULL, NULL },
    { "status", "登记状态", CT_ENUM, 0, "存续", biz_status_v },
};

static const struct column property_c[] = {
    { "id_no", "身份证号", CT_ID, 1, NULL, NULL },
    { "name", "姓名", CT_NAME, 1, NULL, NULL },
    { "cert_no", "不动产权证号", CT_TEXT, 1, NULL, NULL },
    { "address", "坐落", CT_TEXT, 0, NULL, NULL },
    { "usage", "用途", CT_ENUM, 0, NULL, usage_v },
    { "area", "建筑面积", CT_AREA, 0, NULL, NULL },
    { "registered_date", "登记日期", CT_DATE, 0, NULL, NULL },
    { "status", "状态", CT_ENUM, 0, "现势", prop_status_v },
};

static const struct column vehicle_c[] = {
    { "id_no", "身份证号", CT_ID, 1, NULL, NULL },
    { "name", "姓名", CT_NAME, 1, NULL, NULL },
    { "plate", "号牌号码", CT_PLATE, 1, NULL, NULL },
    { "vehicle_type", "车辆类型", CT_TEXT, 0, NULL, NULL },
    { "brand", "品牌型号", CT_TEXT, 0, NULL, NULL },
    { "registered_date", "初次登记日期", CT_DATE, 0, NULL, NULL },
    { "status", "机动车状态", CT_ENUM, 0, "正常", veh_status_v },
};

static const char *const level_v[] = { "grassroots", "county", "city", "基层", "县区", "市", NULL };
static const char *const active_v[] = { "在岗", "离岗", NULL };

static const struct column reviewer_c[] = {
    { "name", "姓名", CT_TEXT, 1, NULL, NULL },
    { "level", "层级", CT_ENUM, 1, NULL, level_v },
    { "county_code", "区划代码", CT_COUNTY, 0, NULL, NULL },
    { "login", "系统账号", CT_TEXT, 0, NULL, NULL },
    { "active", "状态", CT_ENUM, 0, "在岗", active_v },
};

static const char *const visit_type_v[] = { "电话", "入户", NULL };

/* a household's contact person (帮扶联系人), one per application (upserted) */
static const struct column contact_c[] = {
    { "applicant_id", "申请编号", CT_TEXT, 1, NULL, NULL },
    { "unit", "责任单位", CT_TEXT, 1, NULL, NULL },
    { "contact_name", "联系人", CT_TEXT, 1, NULL, NULL },
    { "phone", "联系电话", CT_TEXT, 0, NULL, NULL },
    { "from_date", "起始日期", CT_DATE, 0, NULL, NULL },
};

/* the visits to households (走访), a snapshot of every visit recorded */
static const struct column visit_c[] = {
    { "applicant_id", "申请编号", CT_TEXT, 1, NULL, NULL },
    { "visit_date", "走访日期", CT_DATE, 1, NULL, NULL },
    { "visit_type", "方式", CT_ENUM, 1, NULL, visit_type_v },
    { "visitor", "走访人", CT_TEXT, 0, NULL, NULL },
    { "note", "情况", CT_TEXT, 0, NULL, NULL },
};

/* the administrative divisions (行政区划): a code's name, for the pages people read */
static const struct column region_c[] = {
    { "code", "区划代码", CT_COUNTY, 1, NULL, NULL },
    { "name", "名称", CT_TEXT, 1, NULL, NULL },
};

static const struct column standard_c[] = {
    { "county_code", "县区代码", CT_COUNTY, 1, NULL, NULL },
    { "effective_from", "执行日期", CT_DATE, 1, NULL, NULL },
    { "amount", "低保标准", CT_YUAN, 1, NULL, NULL },
};

const struct kind xv_kinds[] = {
    { "applicant", "申请人", 1, NULL, applicant_c, N(applicant_c) },
    { "member", "家庭成员", 1, NULL, member_c, N(member_c) },
    { "household", "户籍", 0, "household_no", household_c, N(household_c) },
    { "social_insurance", "社保", 0, "period", social_insurance_c, N(social_insurance_c) },
    { "business", "工商", 0, "entity_name", business_c, N(business_c) },
    { "property", "房产", 0, "cert_no", property_c, N(property_c) },
    { "vehicle", "车辆", 0, "plate", vehicle_c, N(vehicle_c) },
    { "standard", "低保标准", 0, NULL, standard_c, N(standard_c) },
    { "reviewer", "审核人员", 0, NULL, reviewer_c, N(reviewer_c), 5 },
    { "contact", "帮扶联系人", 1, NULL, contact_c, N(contact_c), 7 },
    { "visit", "走访", 0, NULL, visit_c, N(visit_c), 7 },
    { "region", "行政区划", 0, NULL, region_c, N(region_c), 7 },
};
const int xv_nkinds = N(xv_kinds);

const struct kind *kind_find(const char *name)
{
    for (int i = 0; i < xv_nkinds; i++)
        if (!strcmp(xv_kinds[i].name, name) || !strcmp(xv_kinds[i].zh, name))
            return &xv_kinds[i];
    return NULL;
}

int kind_index(const char *name)
{
    return (int)(kind_find(name) - xv_kinds);
}

int kind_col(const struct kind *k, const char *name)
{
    for (int i = 0; i < k->ncols; i++)
        if (!strcmp(k->cols[i].name, name))
            return i;
    return -1;
}

int kind_is_feed(const struct kind *k)
{
    return k->key != NULL;
}

int col_has_valid(const struct column *c)
{
    return c->type == CT_ID || c->type == CT_USCC;
}
