/*
 * xml.h - the one place where profile text becomes SVG/XML or JSON text.
 *
 * Every string from a profile (function and file names, comments, label
 * values) passes through here before it reaches a document, so it is inert:
 *   - it is decoded as UTF-8 and made displayable first: each invalid byte,
 *     each control character (C0, DEL, C1), U+FFFE, U+FFFF, the line and
 *     paragraph separators and the bidirectional embedding, override and
 *     isolate controls become U+FFFD;
 *   - then it is escaped for its context.
 * XML escaping covers text and attribute values (& < > " ').  JSON escaping
 * yields a quoted string that is also safe inside a <script> element or a
 * CDATA section: '<', '>' and '&' are written as \u escapes, so neither
 * "</script" nor "]]>" can appear.
 */
#ifndef CPROF_XML_H
#define CPROF_XML_H

#include "model/compat.h"
#include "model/buf.h"

/*
 * Decode the code point at s[*i] (len bytes in all) for display, advancing
 * *i; returns U+FFFD for anything not displayable (see above).
 */
uint32_t xml_display_char(const char *s, size_t len, size_t *i);

/* Append s (len bytes) as XML text / attribute value. */
void xml_text(struct buf *out, const char *s, size_t len);

/*
 * Same, keeping at most max_chars characters; a longer string is cut and
 * ends with "..".  Returns true if it was cut.
 */
bool xml_text_max(struct buf *out, const char *s, size_t len, size_t max_chars);

/* Append s (len bytes) as a JSON string literal, quotes included. */
void xml_json_string(struct buf *out, const char *s, size_t len);

/* Number of displayable characters in s (code points after the rules above). */
size_t xml_display_len(const char *s, size_t len);

#endif
