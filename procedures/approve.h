/* approve.h: the three procedures' sign-offs (entry, exit, relief): grassroots, county and city,
 * each on the latest official run, then public notice and the new status. */
#ifndef XV_APPROVE_H
#define XV_APPROVE_H
#include <sqlite3.h>

/* The three levels, in the order they sign off. */
enum { LEVEL_GRASSROOTS, LEVEL_COUNTY, LEVEL_CITY, LEVEL_COUNT };
/* "grassroots", "county" or "city"; "?" out of range. */
const char *level_name(int level);
/* The level named S, or -1. */
int level_parse(const char *s);

/* The procedures (workflow.md): entry 建档, exit 脱困, relief 解困. */
enum { PROC_ENTRY, PROC_EXIT, PROC_RELIEF, PROC_COUNT };
struct procedure {
    const char *name;   /* "entry", as approvals.procedure records it */
    const char *from;   /* the status it starts from */
    const char *to;     /* the status after its public notice */
    const char *what;   /* "approval": how messages name one sign-off */
    const char *done;   /* "approved" */
};
extern const struct procedure procedures[PROC_COUNT];

/* What a sign-off did. */
struct approval {
    long long run_id;         /* the run it rests on */
    /* after the city's: public notice from NOTICE_FROM to NOTICE_TO, then STATUS from
     * STATUS_FROM; "" and NULL otherwise */
    char notice_from[11], notice_to[11], status_from[11];
    const char *status;
};

/* Signs off procedure PROC for application APP at LEVEL by BY, today, in one transaction,
 * giving REASON (exit: free text; relief: 丧失劳动能力, 重病难愈 or 其他; entry: ""). Each rests
 * on the latest official run that checked APP, which must have seen every load and use the
 * official policy: entry needs its gate CLEAR; exit EXIT_ELIGIBLE in force and no open block
 * finding; relief no open block finding. Levels in order, one procedure at a time. XV_EUSAGE
 * for an unknown application or relief reason; XV_ENEEDS (nothing recorded, the reason
 * reported) otherwise. */
int signoff(sqlite3 *db, int proc, const char *app, int level, const char *by,
            const char *reason, struct approval *out);
/* signoff of the entry procedure. */
int approve(sqlite3 *db, const char *app, int level, const char *by, struct approval *out);
/* Records one sign-off row with its audit entry, inside the caller's transaction (an
 * objection carries the grassroots one over with it). */
int signoff_record(sqlite3 *db, int proc, const char *app, int level, const char *by,
                   long long run_id, long long status_seq, const char *reason);
/* DATE plus DAYS, as YYYY-MM-DD into OUT. */
void add_days(const char *date, int days, char out[11]);

#endif
