/* approve.h: the entry procedure's sign-offs: grassroots, county and city approval of a CLEAR
 * application, then public notice. */
#ifndef XV_APPROVE_H
#define XV_APPROVE_H
#include <sqlite3.h>

/* The three levels, in the order they sign off. */
enum { LEVEL_GRASSROOTS, LEVEL_COUNTY, LEVEL_CITY, LEVEL_COUNT };
/* "grassroots", "county" or "city"; "?" out of range. */
const char *level_name(int level);
/* The level named S, or -1. */
int level_parse(const char *s);

/* What an approval did. */
struct approval {
    long long run_id;         /* the run whose CLEAR gate it rests on */
    char notice_from[11];     /* after the city's: public notice from this date ... */
    char archived_from[11];   /* ... and archived from this one; "" otherwise */
};

/* Approves application APP at LEVEL by BY, today, in one transaction. XV_EUSAGE for an
 * unknown application; XV_ENEEDS (nothing recorded, the reason reported) when it is not
 * applied, no current run has checked it, its gate is not CLEAR, or LEVEL is out of turn. */
int approve(sqlite3 *db, const char *app, int level, const char *by, struct approval *out);

#endif
