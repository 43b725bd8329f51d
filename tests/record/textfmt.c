/*
 * textfmt.c - stdin through libcprof's port of Go's text/tabwriter (the
 * padding of every debug=1 profile), to stdout.  Linked with libcprof.a,
 * whose internal functions it calls.  tests/record/run.sh compares its
 * output with tests/record/golden/tabwriter.out, which Go's own
 * text/tabwriter wrote (tests/record/tabwriter.go).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "record/rec.h"

int main(void)
{
	struct rec_text in = { 0 }, out = { 0 };
	char buf[4096];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		rec_text_add(&in, buf, n);
	rec_tabwrite(in.buf ? in.buf : "", in.len, &out);
	if (in.oom || out.oom)
		return 1;
	fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
	rec_text_release(&in);
	rec_text_release(&out);
	return 0;
}
