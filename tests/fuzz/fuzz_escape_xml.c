/*
 * fuzz_escape_xml.c - libFuzzer target for the XML side of report/svg_graph.c
 * (included, its helpers are static): the name sanitizer graphviz's input
 * goes through, and the pass over graphviz's SVG.  Properties: sanitized
 * text is valid UTF-8 without the control characters XML 1.0 forbids and
 * with every '&' spelled "&amp;"; the SVG pass never reads outside its input
 * and leaves no bare control byte.
 */
#include "report/svg_graph.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const struct buf *b, bool amp_only)
{
	const unsigned char *s = (const unsigned char *)b->buf;

	for (size_t i = 0; i < b->len;) {
		size_t n = utf8_len(s + i, b->len - i);

		if (n == 0 || (s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r'))
			abort();
		if (amp_only && s[i] == '&' && (b->len - i < 5 || memcmp(s + i, "&amp;", 5)))
			abort();
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf in = BUF_INIT, out = BUF_INIT, svg = BUF_INIT;

	buf_init(&in);
	buf_init(&out);
	buf_init(&svg);
	buf_add(&in, data, size);
	sanitize_for_xml(&in, &out);
	check_text(&out, true);
	/* the SVG pass reads a NUL-terminated document, as graphviz hands it over */
	massage_svg(in.buf, strnlen(in.buf, in.len), &svg);
	for (size_t i = 0; i < svg.len; i++) {
		unsigned char c = (unsigned char)svg.buf[i];

		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			abort();
	}
	buf_release(&in);
	buf_release(&out);
	buf_release(&svg);
	return 0;
}
