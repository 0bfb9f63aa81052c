/* followup.c: the dynamic management of archived households (动态管理): a contact person
 * (CONTACT_MISSING) and visits on time (VISIT_OVERDUE), from the contact and visit feeds; and
 * the field results of spot checks (SPOTCHECK_FAILED). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../core/err.h"
#include "../../core/msg.h"
#include "../../core/run.h"
#include "../../core/spotcheck.h"
#include "../../core/store.h"
#include "../../core/util.h"
#include "rules_int.h"

/* The run's load of KIND, 0 when the run used none. */
static long long load_of(const struct ctx *c, const char *kind)
{
    return c->r->load_of[kind_index(kind)];
}

static int prepare(struct ctx *c)
{
    int rc = 0;
    if (!c->contact)
        rc = store_prepare(c->db, "SELECT count(*) FROM contact t WHERE t.applicant_id = ?2 AND "
                                  RUN_VISIBLE("contact", "t", "?1"), &c->contact);
    /* the months are D's and the two before it, newest first (?3, ?4, ?5) */
    if (rc == 0 && !c->visits)
        rc = store_prepare(c->db,
            "SELECT ifnull(sum(t.visit_type = '电话' AND substr(t.visit_date, 1, 7) IN (?3, ?4)), "
            "0), ifnull(sum(t.visit_type = '入户' AND substr(t.visit_date, 1, 7) IN (?3, ?4, ?5)), "
            "0) FROM visit t WHERE t.applicant_id = ?2 AND t.visit_date <= ?6 AND "
            RUN_VISIBLE("visit", "t", "?1"), &c->visits);
    return rc;
}

/* A rule on a feed the run has no load of says nothing: the feed is not in use yet (the
 * summary lists the loads a run used). */
int rules_followup(struct ctx *c, struct app *a)
{
    long long contact = load_of(c, "contact"), visit = load_of(c, "visit");
    int rc;
    if (strcmp(a->status, "archived") || (!contact && !visit))
        return 0;
    if ((rc = prepare(c)) < 0)
        return rc;
    if (contact) {
        sqlite3_reset(c->contact);
        sqlite3_bind_int64(c->contact, 1, contact);
        sqlite3_bind_text(c->contact, 2, a->id, -1, SQLITE_STATIC);
        if (sqlite3_step(c->contact) != SQLITE_ROW)
            return store_err(c->db, "reading contact persons");
        if (sqlite3_column_int64(c->contact, 0) == 0)
            finding(c, a, R_CONTACT_MISSING, -1, NULL, NULL, NULL, NULL,
                    said_word("archived"),
                    said2(xstrdup("no contact person (帮扶联系人)"),
                          xstrdup(msg_t("没有帮扶联系人"))));
    }
    if (visit) {
        /* D's month and the two before it: the visits go by the calendar, not by the
         * coverage month the income rules use */
        char months[3][8];
        int y = atoi(c->r->as_of), m = atoi(c->r->as_of + 5);
        for (int i = 0; i < 3; i++) {
            snprintf(months[i], sizeof months[i], "%04d-%02d", y, m);
            if (--m == 0) {
                m = 12;
                y--;
            }
        }
        sqlite3_stmt *st = c->visits;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, visit);
        sqlite3_bind_text(st, 2, a->id, -1, SQLITE_STATIC);
        for (int i = 0; i < 3; i++)
            sqlite3_bind_text(st, 3 + i, months[i], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, c->r->as_of, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            return store_err(c->db, "reading visits");
        long long calls = sqlite3_column_int64(st, 0), homes = sqlite3_column_int64(st, 1);
        if (!calls || !homes)
            finding(c, a, R_VISIT_OVERDUE, -1, NULL, NULL, NULL, NULL,
                    rules_say("%s 或 %s 电话联系一次，%s 至 %s 入户走访一次", months[1],
                              months[0], months[2], months[0]),
                    said2(rules_fmt("%s%s%s", calls ? "" : "no phone follow-up",
                                    !calls && !homes ? "; " : "", homes ? "" : "no home visit"),
                          rules_fmt("%s%s%s", calls ? "" : msg_t("没有电话联系"),
                                    !calls && !homes ? msg_t("；") : "",
                                    homes ? "" : msg_t("没有入户走访"))));
    }
    return 0;
}

/* SPOTCHECK_FAILED: the latest spot-check result the run can see of the application is a
 * fail; a later pass, in a later sample, ends it. */
int rules_spotcheck(struct ctx *c, struct app *a)
{
    int rc;
    if (!c->r->spot_seq)
        return 0;
    if (!c->spot && (rc = spot_latest_stmt(c->db, &c->spot)) < 0)
        return rc;
    sqlite3_stmt *st = c->spot;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, c->r->spot_seq);
    int s = sqlite3_step(st);
    if (s == SQLITE_DONE)
        return 0;
    if (s != SQLITE_ROW)
        return store_err(c->db, "reading spot checks");
    if (!strcmp((const char *)sqlite3_column_text(st, 1), "fail"))
        finding(c, a, R_SPOTCHECK_FAILED, -1, NULL, NULL, NULL,
                rules_fmt("sample %lld", (long long)sqlite3_column_int64(st, 0)),
                said_word(a->status),
                rules_say("抽查未通过，%s 由 %s 核查：%s", sqlite3_column_text(st, 3),
                          sqlite3_column_text(st, 2), sqlite3_column_text(st, 4)));
    return 0;
}
