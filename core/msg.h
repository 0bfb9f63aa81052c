/* msg.h: the one message table: the words of the files for people, in Chinese (the default)
 * or English. */
#ifndef XV_MSG_H
#define XV_MSG_H
#include <stddef.h>

enum { MSG_ZH, MSG_EN };

/* "zh" (or NULL) or "en" as MSG_ZH or MSG_EN; -1 for anything else. */
int msg_lang_parse(const char *s);
/* "zh" or "en", as a run records it. */
const char *msg_lang_name(int lang);
/* The language msg_t answers in (MSG_ZH until set): the process writes one run's files, or
 * evaluates one run's rules, at a time. */
void msg_set_lang(int lang);
int msg_lang(void);
/* KEY (a code: rule, severity, gate, status, decision, level, procedure; or a Chinese text)
 * in the language set, or in English; KEY itself when the table has none. Static strings. */
const char *msg_t(const char *key) __attribute__((format_arg(1)));
const char *msg_en(const char *key) __attribute__((format_arg(1)));
/* The key of the table's entry I, in the table's order; NULL past its end (the unit tests look
 * up every key). */
const char *msg_key(size_t i);

#endif
