/* mask.h: ID numbers masked wherever they are printed: ID fields from their normalised form,
 * free text scanned for ID-shaped runs in every form the ID normaliser accepts. */
#ifndef XV_MASK_H
#define XV_MASK_H
#include <stddef.h>
#include "util.h"

/* An ID field masked: its ID characters (ASCII or full-width digits, X or x; spaces, hyphens
 * and ideographic spaces between them dropped) as the first 6 and last 4, the rest '*', in
 * ASCII, into OUT of N bytes. A value of 10 ID characters or fewer is copied; one holding
 * anything else is masked as free text (mask_text). Copied whole when UNMASKED. */
void mask_id(const char *id, int unmasked, char *out, size_t n);

/* TEXT appended to B with every ID-shaped run masked: 15 to 19 ID characters, in groups of at
 * least 3 digits that single spaces, hyphens, tabs, ideographic or no-break spaces or
 * full-width hyphens may separate, the last character possibly X; glued to other text or not.
 * "id_no=VALUE" (as evidence shows a record) has VALUE masked as an ID field, whatever its
 * shape. Words of 64 lower-case hex digits (file and evidence hashes) are never masked; a
 * fingerprint (16) may be, inside text: print fingerprints as fields (mask_field). Copied
 * whole when UNMASKED. */
void mask_text(const char *text, int unmasked, struct sbuf *b);
/* A field of a printed line: copied when it is a fingerprint or a hash as a whole (16 or 64
 * lower-case hex digits), else masked as text. */
void mask_field(const char *s, int unmasked, struct sbuf *b);

#endif
