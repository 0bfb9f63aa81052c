/* utf8.h: UTF-8 validation, decoding and encoding: the one place that knows its rules. */
#ifndef XV_UTF8_H
#define XV_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Index of the first byte of the N bytes at P that is not valid UTF-8 (or is NUL), or N. A
 * sequence cut by the end of the buffer counts as valid when PARTIAL_OK; *TAIL gets its
 * length then. */
size_t utf8_check(const unsigned char *p, size_t n, int partial_ok, size_t *tail);
/* Decodes one UTF-8 code point at S (N bytes left): returns its length, or 0 when invalid. */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Encodes CP into OUT (4 bytes room); returns the length. */
int utf8_encode(uint32_t cp, char *out);
/* The number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s);
/* S appended to B as it may be printed to a terminal or a line of a text file: C0 controls
 * (a tab too, unless KEEP_TAB), DEL, C1 controls and bidirectional marks and overrides as
 * \xNN or \uNNNN, and bytes that are not UTF-8 as \xNN; the rest unchanged. */
struct sbuf;
void utf8_printable(const char *s, int keep_tab, struct sbuf *b);

#endif
