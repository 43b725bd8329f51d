#include "model/compat.h"
#include "model/termsafe.h"

/* Length of the valid UTF-8 sequence at s (0 if s[0] starts none); its code point in *cp. */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static bool unsafe_char(uint32_t c, enum termsafe_flags flags)
{
	if (c < 0x20)
		return c != '\t' && !(c == '\n' && (flags & TERMSAFE_KEEP_NL));
	if (c >= 0x7f && c <= 0x9f)
		return true;
	return c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

bool termsafe_clean(const char *str, size_t len, enum termsafe_flags flags)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n;

		if (s[i] >= 0x20 && s[i] < 0x7f) {
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i, &c);
		if (n == 0 || unsafe_char(c, flags))
			return false;
		i += n;
	}
	return true;
}

void termsafe_add(struct buf *out, const char *str, size_t len, enum termsafe_flags flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* start of the bytes copied as they are */

	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n;

		if (s[i] >= 0x20 && s[i] < 0x7f) {
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i, &c);
		if (n != 0 && !unsafe_char(c, flags)) {
			i += n;
			continue;
		}
		buf_add(out, s + run, i - run);
		if (n == 0 || c < 0x80)
			buf_addf(out, "\\x%02x", s[i]);
		else
			buf_addf(out, "\\u%04x", (unsigned)c);
		i += n ? n : 1;
		run = i;
	}
	buf_add(out, s + run, len - run);
}
