#include "model/compat.h"
#include "report/dispatch.h"
#include "report/report.h"

const struct cp_command commands[] = {
#define CMD(name, handler, flags, args, help) { #name, handler, flags, args, help },
#include "report/commands.def"
#undef CMD
};
const size_t ncommands = ARRAY_SIZE(commands);

const struct cp_command *command_find(const char *name)
{
	for (size_t i = 0; i < ncommands; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int dispatch_run(const struct cp_profile *p, const struct cp_options *o,
		 const struct cp_command *cmd, const char *arg, struct buf *out, struct buf *warn,
		 struct cp_err *err)
{
	struct report r;
	int ret;

	if (!cmd->run)
		return cp_errf(err, "the %s report is not available in this version of cprof",
			       cmd->name);
	if ((cmd->flags & CMDF_REGEX) && !arg)
		return cp_errf(err, "%s needs a regexp argument", cmd->name);
	ret = report_prepare(&r, p, o, cmd, arg, warn, err);
	if (!ret)
		ret = cmd->run(&r, out, err);
	report_release(&r);
	return ret;
}

void help_commands(struct buf *out, const char *indent)
{
	for (size_t i = 0; i < ncommands; i++) {
		const struct cp_command *c = &commands[i];
		char head[64];

		snprintf(head, sizeof(head), "%s%s%s", c->name, *c->args ? " " : "", c->args);
		buf_addf(out, "%s%-18s %s%s\n", indent, head, c->help,
			 c->run ? "" : " (not available yet)");
	}
}

void help_options(struct buf *out, const char *indent)
{
	for (size_t i = 0; i < opt_ndefs; i++) {
		const struct opt_def *d = &opt_defs[i];
		char head[64];

		if (d->type == OPT_CHOICE)
			continue;
		snprintf(head, sizeof(head), "-%s%s", d->name, d->type == OPT_BOOL ? "" : "=...");
		buf_addf(out, "%s%-24s %s (default %s)\n", indent, head, d->help,
			 *d->dflt ? d->dflt : "\"\"");
	}
	for (size_t i = 0; i < opt_ndefs; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (d->type != OPT_CHOICE)
			continue;
		buf_addf(out, "%s%s (default %s):\n", indent, d->name, d->dflt);
		for (size_t k = 0; k < choice_ndefs; k++)
			if (!strcmp(choice_defs[k].group, d->name))
				buf_addf(out, "%s  -%-22s %s\n", indent, choice_defs[k].value,
					 choice_defs[k].help);
	}
	buf_addf(out, "%sLegacy sample-type shorthands:\n", indent);
	for (size_t i = 0; i < shorthand_ndefs; i++)
		buf_addf(out, "%s  -%-22s %s\n", indent, shorthand_defs[i].name,
			 shorthand_defs[i].help);
}
