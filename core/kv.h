/* kv.h: the "key = value" file syntax shared by mapping and policy files. */
#ifndef XV_KV_H
#define XV_KV_H

/* Called once per setting; returns 0 to go on or an XV_E* code to stop the parse. */
typedef int (*kv_fn)(void *ctx, const char *key, const char *value, const char *file, long line);

/* Reads PATH (UTF-8, optional BOM): one "key = value" per line, '#' starts a comment,
 * blank lines ignored. Malformed lines are reported as FILE:LINE and return XV_EUSAGE;
 * an unreadable file returns XV_EDATA. */
int kv_parse_file(const char *path, kv_fn fn, void *ctx);
/* The same over an in-memory text of N bytes, named NAME in messages. */
int kv_parse_buf(const char *name, const char *text, size_t n, kv_fn fn, void *ctx);

#endif
