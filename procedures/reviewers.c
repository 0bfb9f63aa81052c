/* reviewers.c: the reviewer registry: a name's level, county, login and whether it is active. */
#include <stdio.h>
#include <string.h>
#include "../core/audit.h"
#include "../core/err.h"
#include "../core/loads.h"
#include "../core/run.h"
#include "../core/store.h"
#include "approve.h"
#include "reviewers.h"

/* The level a registry row names (English or Chinese), or -1. */
static int row_level(const char *s)
{
    static const char *const zh[LEVEL_COUNT] = { "基层", "县区", "市" };
    for (int i = 0; i < LEVEL_COUNT; i++)
        if (!strcmp(s, zh[i]))
            return i;
    return level_parse(s);
}

int reviewer_registry(sqlite3 *db)
{
    long long load = 0;
    int rc = loads_newest(db, "reviewer", &load, NULL);
    return rc < 0 ? rc : load != 0;
}

/* Row ST (name, level, county_code, login, active) against ACT. */
static int judge(sqlite3_stmt *st, const struct reviewer_act *act)
{
    const char *f[5];
    for (int i = 0; i < 5; i++) {
        const unsigned char *t = sqlite3_column_text(st, i);
        f[i] = t ? (const char *)t : "";
    }
    int level = row_level(f[1]);
    if (strcmp(f[4], "在岗"))
        return xv_fail(XV_ENEEDS, "%s refused: reviewer '%s' is not active (%s)", act->what,
                       act->by, f[4]);
    if (level != act->level)
        return xv_fail(XV_ENEEDS, "%s refused: reviewer '%s' is registered at %s level, not %s",
                       act->what, act->by, level < 0 ? "an unknown" : level_name(level),
                       level_name(act->level));
    if (level != LEVEL_CITY && (!*f[2] || (act->county && strcmp(f[2], act->county))))
        return xv_fail(XV_ENEEDS, "%s refused: reviewer '%s' acts for county %s only, and the "
                       "application is of county %s", act->what, act->by,
                       *f[2] ? f[2] : "(none registered)", act->county ? act->county : "-");
    char actor[64];
    audit_actor(actor);
    if (*f[3] && strcmp(f[3], actor))
        return xv_fail(XV_ENEEDS, "%s refused: reviewer '%s' acts from the account '%s' only, "
                       "not '%s'", act->what, act->by, f[3], actor);
    return 1;
}

/* Row ST's registered level, or -1. */
static int level_of_row(sqlite3_stmt *st)
{
    const unsigned char *t = sqlite3_column_text(st, 1);
    return row_level(t ? (const char *)t : "");
}

static int check(sqlite3 *db, const struct reviewer_act *act, int any_level)
{
    sqlite3_stmt *st = NULL;
    long long load = 0;
    int rc = loads_newest(db, "reviewer", &load, NULL), s;
    if (rc < 0 || load == 0)
        return rc;
    if ((rc = store_prepare(db, "SELECT name, level, county_code, login, active FROM reviewer r "
                                "WHERE r.name = ?2 AND " RUN_VISIBLE("reviewer", "r", "?1")
                                " ORDER BY r.rid LIMIT 1", &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, load);
    store_bind_text(st, 2, act->by);
    if ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct reviewer_act at = *act;
        if (any_level)
            at.level = level_of_row(st) < 0 ? LEVEL_CITY : level_of_row(st);
        rc = judge(st, &at);
    }
    else if (s == SQLITE_DONE)
        rc = xv_fail(XV_ENEEDS, "%s refused: '%s' is not in the reviewer registry (load %lld)",
                     act->what, act->by, load);
    else
        rc = store_err(db, "reading the reviewer registry");
    sqlite3_finalize(st);
    return rc;
}

int reviewer_check(sqlite3 *db, const struct reviewer_act *act)
{
    return check(db, act, 0);
}

int reviewer_check_any(sqlite3 *db, const struct reviewer_act *act)
{
    return check(db, act, 1);
}
