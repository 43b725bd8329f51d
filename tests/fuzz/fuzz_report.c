/*
 * fuzz_report.c - libFuzzer target for the text reports: whatever the
 * loader accepts is rendered by top, traces, tree, peek, raw, dot and
 * flame with default options, so a profile that loads but is odd (no
 * frames, no values, huge or negative numbers) cannot crash a renderer.
 * Then the profile's stacks are indexed (model/sindex.h) and the reports
 * that can walk the index run again, also with filters: their output must
 * not change, or the target aborts.
 */
#include "model/compat.h"
#include "model/buf.h"
#include "model/err.h"
#include "model/profile.h"
#include "model/sindex.h"
#include "report/dispatch.h"
#include "report/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The report's output, or its error, in out. */
static void render(const struct cp_profile *p, const struct cp_options *o, const char *name,
		   struct buf *out)
{
	const struct cp_command *cmd = command_find(name);
	struct cp_err err = { "" };
	struct buf warn = BUF_INIT;

	buf_init(&warn);
	buf_reset(out);
	if (cmd && cmd->run && dispatch_run(p, o, cmd, ".", out, &warn, &err))
		buf_addf(out, "error: %s", err.msg);
	buf_add(out, warn.buf, warn.len);
	buf_release(&warn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "top", "traces", "tree", "peek", "raw", "dot", "flame" };
	static const char *const lazy[] = { "top", "peek", "dot", "flame" };
	struct cp_err err = { "" };
	struct cp_profile *p = profile_parse(data, size, &err);
	struct cp_options o[2];
	struct buf plain[2][ARRAY_SIZE(lazy)], out = BUF_INIT;

	if (!p)
		return 0;
	buf_init(&out);
	options_init(&o[0]);
	options_init(&o[1]);
	option_set(&o[1], option_find("focus"), "a|^$", NULL);
	option_set(&o[1], option_find("hide"), "b", NULL);
	option_set(&o[1], option_find("show_from"), "[ac]", NULL);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		render(p, &o[0], names[i], &out);
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < ARRAY_SIZE(lazy); i++) {
			buf_init(&plain[k][i]);
			render(p, &o[k], lazy[i], &plain[k][i]);
		}
	}
	profile_build_index(p);
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < ARRAY_SIZE(lazy); i++) {
			render(p, &o[k], lazy[i], &out);
			if (out.len != plain[k][i].len || memcmp(out.buf, plain[k][i].buf, out.len))
				abort(); /* the index changed a report */
			buf_release(&plain[k][i]);
		}
	}
	buf_release(&out);
	options_release(&o[0]);
	options_release(&o[1]);
	profile_free(p);
	return 0;
}
