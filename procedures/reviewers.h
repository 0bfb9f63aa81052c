/* reviewers.h: who may decide, approve, sign off or install a policy (workflow.md): the
 * reviewer registry, loaded like a feed (kind reviewer), checked for every such act. */
#ifndef XV_REVIEWERS_H
#define XV_REVIEWERS_H
#include <sqlite3.h>

/* An act to check: BY acts at LEVEL (LEVEL_* of approve.h) on an application of COUNTY
 * (NULL: no application, as for a policy install). WHAT names the act in messages. */
struct reviewer_act {
    const char *by;
    int level;
    const char *county;
    const char *what;
};

/* Checks ACT against the newest reviewer registry: BY must be an active reviewer of that
 * level, a grassroots or county reviewer acts on their own county only, and a reviewer with
 * a login acts from that operating-system account only. Returns 1 when checked and allowed,
 * 0 when no registry is loaded yet (BY is free text then), or XV_ENEEDS (refused, the reason
 * reported). */
int reviewer_check(sqlite3 *db, const struct reviewer_act *act);

/* reviewer_check at whatever level BY is registered (ACT's level is not looked at): for
 * what any active reviewer of the county may record, such as a withdrawal. */
int reviewer_check_any(sqlite3 *db, const struct reviewer_act *act);

/* 1 when a reviewer registry is loaded, 0 when not (or an XV_E* code). */
int reviewer_registry(sqlite3 *db);

#endif
