/*
 * fuzz_escape_dot.c - libFuzzer target for the DOT string escaper of
 * report/dot.c (included, its helpers are static).  Property: the escaped
 * text holds no bare quote or newline, and unescaping it gives the input
 * back, so a name can neither close its DOT string nor reach graphviz's
 * \N, \G or \l.
 */
#include "report/dot.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf esc = BUF_INIT, back = BUF_INIT;

	buf_init(&esc);
	buf_init(&back);
	add_escaped(&esc, (const char *)data, size);
	for (size_t i = 0; i < esc.len; i++) {
		char c = esc.buf[i];

		if (c == '"' || c == '\n')
			abort();
		if (c != '\\') {
			buf_addc(&back, c);
			continue;
		}
		if (++i == esc.len)
			abort();
		switch (esc.buf[i]) {
		case '\\':
			buf_addc(&back, '\\');
			break;
		case '"':
			buf_addc(&back, '"');
			break;
		case 'l':
			buf_addc(&back, '\n');
			break;
		default:
			abort();
		}
	}
	if (back.len != size || (size && memcmp(back.buf, data, size)))
		abort();
	buf_release(&esc);
	buf_release(&back);
	return 0;
}
