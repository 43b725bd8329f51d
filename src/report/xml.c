#include "model/compat.h"
#include "report/xml.h"

#define REPLACEMENT 0xfffdu

static bool displayable(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return false;
	if (c == 0xfffe || c == 0xffff || c == 0x2028 || c == 0x2029)
		return false;
	if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
		return false;
	return true;
}

uint32_t xml_display_char(const char *str, size_t len, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char b = s[*i];
	uint32_t c, min;
	size_t n;

	if (b < 0x80) {
		(*i)++;
		return displayable(b) ? b : REPLACEMENT;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		n = 1;
		c = b & 0x1f;
		min = 0x80;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 2;
		c = b & 0x0f;
		min = 0x800;
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 3;
		c = b & 0x07;
		min = 0x10000;
	} else {
		(*i)++;
		return REPLACEMENT;
	}
	/* a truncated or broken sequence replaces only its first byte */
	for (size_t k = 1; k <= n; k++) {
		if (*i + k >= len || (s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return REPLACEMENT;
		}
		c = c << 6 | (s[*i + k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		(*i)++;
		return REPLACEMENT;
	}
	*i += n + 1;
	return displayable(c) ? c : REPLACEMENT;
}

static void add_utf8(struct buf *out, uint32_t c)
{
	char u[4];

	if (c < 0x80) {
		buf_addc(out, (char)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(out, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(out, u, 3);
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(out, u, 4);
	}
}

static void add_xml_char(struct buf *out, uint32_t c)
{
	switch (c) {
	case '&':
		buf_adds(out, "&amp;");
		break;
	case '<':
		buf_adds(out, "&lt;");
		break;
	case '>':
		buf_adds(out, "&gt;");
		break;
	case '"':
		buf_adds(out, "&quot;");
		break;
	case '\'':
		buf_adds(out, "&#39;");
		break;
	default:
		add_utf8(out, c);
	}
}

void xml_text(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len)
		add_xml_char(out, xml_display_char(s, len, &i));
}

bool xml_text_max(struct buf *out, const char *s, size_t len, size_t max_chars)
{
	size_t i = 0, n = 0, keep;

	if (xml_display_len(s, len) <= max_chars) {
		xml_text(out, s, len);
		return false;
	}
	keep = max_chars > 2 ? max_chars - 2 : 0;
	while (i < len && n < keep) {
		add_xml_char(out, xml_display_char(s, len, &i));
		n++;
	}
	buf_adds(out, "..");
	return true;
}

size_t xml_display_len(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		xml_display_char(s, len, &i);
		n++;
	}
	return n;
}

void xml_json_string(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;

	buf_addc(out, '"');
	while (i < len) {
		uint32_t c = xml_display_char(s, len, &i);

		switch (c) {
		case '"':
			buf_adds(out, "\\\"");
			break;
		case '\\':
			buf_adds(out, "\\\\");
			break;
		case '<':
			buf_adds(out, "\\u003c");
			break;
		case '>':
			buf_adds(out, "\\u003e");
			break;
		case '&':
			buf_adds(out, "\\u0026");
			break;
		default:
			add_utf8(out, c);
		}
	}
	buf_addc(out, '"');
}
