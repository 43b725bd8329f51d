/*
 * buf.h - growable byte buffer.
 *
 * Invariant: 'buf' is never NULL after buf_init and always NUL-terminated,
 * so b.buf can be passed where a C string is expected.  buf_detach hands
 * the storage to the caller; buf_release frees it.
 */
#ifndef CPROF_BUF_H
#define CPROF_BUF_H

#include "model/compat.h"

struct buf {
	char *buf;
	size_t len, alloc;
};

extern char buf_empty[1];
#define BUF_INIT                \
	{                       \
		buf_empty, 0, 0 \
	}

void buf_init(struct buf *b);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Append 'n' copies of character 'c'. */
void buf_addpad(struct buf *b, char c, size_t n);
void buf_reset(struct buf *b);

#endif
