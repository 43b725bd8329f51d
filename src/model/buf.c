#include "model/compat.h"
#include "model/alloc.h"
#include "model/buf.h"

char buf_empty[1];

void buf_init(struct buf *b)
{
	b->buf = buf_empty;
	b->len = 0;
	b->alloc = 0;
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->buf);
	buf_init(b);
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *r;

	if (!b->alloc)
		buf_grow(b, 0);
	r = b->buf;
	if (len)
		*len = b->len;
	buf_init(b);
	return r;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (!b->alloc || b->buf == buf_empty) {
		size_t cap = need < 64 ? 64 : need;

		b->buf = xmalloc(cap);
		b->buf[0] = '\0';
		b->alloc = cap;
		b->len = 0;
		return;
	}
	if (need > b->alloc) {
		size_t cap = b->alloc;

		while (cap < need)
			cap = cap + cap / 2 + 64;
		b->buf = xrealloc(b->buf, cap);
		b->alloc = cap;
	}
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
}

void buf_addpad(struct buf *b, char c, size_t n)
{
	buf_grow(b, n);
	memset(b->buf + b->len, c, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}
