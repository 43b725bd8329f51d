/*
 * termsafe.h - text from a profile made inert for a terminal.
 *
 * Names in a profile are arbitrary bytes.  Written raw to a terminal, an
 * ESC sequence can clear the screen, retitle the window or fill the
 * clipboard, CR and backspace can overwrite earlier lines, and bidi
 * overrides can reorder what is shown.  termsafe_add() copies text with
 * each of these replaced by a visible escape:
 *   - C0 controls other than TAB (and LF with TERMSAFE_KEEP_NL), and DEL:
 *     "\x1b" style, lower-case hex;
 *   - bytes that are not valid UTF-8 (overlong forms, surrogates, stray
 *     continuation bytes, truncated sequences): "\xff", one per byte;
 *   - C1 controls (U+0080..U+009F), the line and paragraph separators and
 *     the bidi embedding, override and isolate controls (U+202A..U+202E,
 *     U+2066..U+2069): "\u202e" style.
 * Every other byte, backslashes included, is copied unchanged, so text
 * without such characters comes out byte for byte as it went in.
 * The TUI and the web server can use this as the CLI does.
 */
#ifndef CPROF_MODEL_TERMSAFE_H
#define CPROF_MODEL_TERMSAFE_H

#include "model/compat.h"
#include "model/buf.h"

enum termsafe_flags {
	TERMSAFE_KEEP_NL = 1 << 0, /* LF is structure (report lines), not data */
};

/* True when termsafe_add would copy s unchanged. */
bool termsafe_clean(const char *s, size_t len, enum termsafe_flags flags);

/* Append s (len bytes) to out with the characters above escaped. */
void termsafe_add(struct buf *out, const char *s, size_t len, enum termsafe_flags flags);

#endif
