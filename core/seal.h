/* seal.h: the audit key, kept outside the database, and the keyed hash that seals the trail. */
#ifndef XV_SEAL_H
#define XV_SEAL_H
#include <stddef.h>

/* The environment variable that names the key file. */
#define SEAL_ENV "XVERIFY_KEY"

/* The key file's path into OUT: $XVERIFY_KEY, else $XDG_CONFIG_HOME/xverify/audit.key, else
 * $HOME/.config/xverify/audit.key. XV_EUSAGE when none of them is set. */
int seal_key_path(char *out, size_t size);

/* Creates a new key at PATH (NULL: seal_key_path): 32 random bytes written as 64 hex digits,
 * mode 0600, never over an existing file or through a link; the folder is created 0700 when
 * missing. */
int seal_key_init(const char *path);

/* HMAC-SHA-256 of MSG under the key, as 64 hex digits plus NUL in OUT. The key is read on
 * first use: a regular file of this account, not a link, neither writable by its group nor
 * readable by others, holding 64 hex digits. XV_EUSAGE naming the path and the fix when
 * there is none or it is unsafe. */
int seal_mac(const void *msg, size_t n, char out[65]);

/* A short public name of the key in use (the first 16 hex digits of its MAC of a fixed
 * text), so that a reader can tell two keys apart without seeing either; XV_EUSAGE as
 * seal_mac. */
int seal_key_id(char out[17]);

#endif
