/*
 * fuzz_escape_term.c - libFuzzer target for model/termsafe.c, the terminal
 * sanitizer of text reports and messages.  Properties: the output never
 * holds a C0 control but TAB (and LF when kept), DEL, a byte of invalid
 * UTF-8, a C1 control or a bidi control; it is clean by termsafe_clean;
 * clean input comes out unchanged; and each escape is visible text.
 */
#include "model/compat.h"
#include "model/buf.h"
#include "model/termsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct buf *b, enum termsafe_flags flags)
{
	const unsigned char *s = (const unsigned char *)b->buf;

	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = s[i];

		if ((c < 0x20 && c != '\t' && !(c == '\n' && (flags & TERMSAFE_KEEP_NL))) ||
		    c == 0x7f || c == 0xc0 || c == 0xc1 || c >= 0xf5)
			abort();
		if (c == 0xc2 && i + 1 < b->len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			abort();
		if (c == 0xe2 && i + 2 < b->len && s[i + 1] == 0x80 && s[i + 2] >= 0xa8 &&
		    s[i + 2] <= 0xae)
			abort();
		if (c == 0xe2 && i + 2 < b->len && s[i + 1] == 0x81 && s[i + 2] >= 0xa6 &&
		    s[i + 2] <= 0xa9)
			abort();
	}
	if (!termsafe_clean(b->buf, b->len, flags))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	for (int keep = 0; keep < 2; keep++) {
		enum termsafe_flags flags = keep ? TERMSAFE_KEEP_NL : 0;
		struct buf out = BUF_INIT;
		bool clean = termsafe_clean(s, size, flags);

		buf_init(&out);
		termsafe_add(&out, s, size, flags);
		check(&out, flags);
		if (clean != (out.len == size && !memcmp(out.buf, s, size)))
			abort();
		if (!clean && out.len <= size)
			abort();
		buf_release(&out);
	}
	return 0;
}
