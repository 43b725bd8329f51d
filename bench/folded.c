/*
 * folded - print a profile's stacks in folded form (flamegraph.pl's input),
 * from cprof's stack trie.
 *
 * Usage: folded PROFILE [SAMPLE_INDEX]
 *
 * One line per trie node with a value of its own: the frames from the root,
 * joined by ';', a space, then the value.  Frames are function names
 * (functions granularity, inlined frames included), which is what
 * flamegraph.pl merges.  bench/flame.sh uses it to feed flamegraph.pl the
 * same stacks cprof draws when this cprof has no `folded` report.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "model/buf.h"
#include "model/graph.h"
#include "model/profile.h"
#include "model/stacks.h"
#include "model/view.h"

int main(int argc, char **argv)
{
	struct cp_err err = { "" };
	struct cp_profile *p;
	struct cp_view v;
	struct cp_universe_opts uo = { .granularity = CP_GRAN_FUNCTIONS };
	struct cp_stacks_opts so = { .count_index = -1 };
	struct cp_universe *u;
	struct cp_stacks *s;
	struct buf out = BUF_INIT;
	uint32_t *path;
	const char *paths[1];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: folded PROFILE [SAMPLE_INDEX]\n");
		return 2;
	}
	paths[0] = argv[1];
	p = profile_load(paths, 1, NULL, &err);
	if (!p) {
		fprintf(stderr, "folded: %s\n", err.msg);
		return 1;
	}
	so.sample_index = argc == 3 ? atoi(argv[2]) : (int)p->nsample_types - 1;
	if (so.sample_index < 0 || (size_t)so.sample_index >= p->nsample_types) {
		fprintf(stderr, "folded: no sample type %s\n", argv[2]);
		return 2;
	}
	view_init(&v, p);
	u = universe_build(&v, &uo);
	s = stacks_build(u, &so);
	path = xcalloc(s->max_depth + 1, sizeof(*path));
	buf_init(&out);
	for (size_t i = 1; i < s->n; i++) {
		uint32_t d = 0;

		if (!s->pos[i].self)
			continue;
		for (uint32_t n = (uint32_t)i; n != 0; n = s->parent[n])
			path[d++] = n;
		while (d-- > 0)
			buf_addf(&out, "%s%s", universe_printable(u, s->frame[path[d]]),
				 d ? ";" : "");
		buf_addf(&out, " %" PRId64 "\n", s->pos[i].self);
		if (out.len > (1 << 20)) {
			fwrite(out.buf, 1, out.len, stdout);
			buf_reset(&out);
		}
	}
	fwrite(out.buf, 1, out.len, stdout);
	buf_release(&out);
	free(path);
	stacks_free(s);
	universe_free(u);
	view_release(&v);
	profile_free(p);
	return 0;
}
