/*
 * fuzz_report.c - libFuzzer target for the text reports: whatever the
 * loader accepts is rendered by top, traces, tree, peek, raw and dot with
 * default options, so a profile that loads but is odd (no frames, no
 * values, huge or negative numbers) cannot crash a renderer.
 */
#include "model/compat.h"
#include "model/buf.h"
#include "model/err.h"
#include "model/profile.h"
#include "report/dispatch.h"
#include "report/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "top", "traces", "tree", "peek", "raw", "dot" };
	struct cp_err err = { "" };
	struct cp_profile *p = profile_parse(data, size, &err);
	struct cp_options o;

	if (!p)
		return 0;
	options_init(&o);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const struct cp_command *cmd = command_find(names[i]);
		struct buf out = BUF_INIT, warn = BUF_INIT;

		buf_init(&out);
		buf_init(&warn);
		if (cmd && cmd->run)
			dispatch_run(p, &o, cmd, ".", &out, &warn, &err);
		buf_release(&out);
		buf_release(&warn);
	}
	options_release(&o);
	profile_free(p);
	return 0;
}
