#include "model/compat.h"
#include <ctype.h>
#include <sys/stat.h>
#include <unistd.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "cli/args.h"

/* Flags that are not report options. */
enum extra_flag {
	X_HELP,
	X_INTERACTIVE,
	X_SYMBOLIZE,
	X_ADD_COMMENT,
	X_MAX_INPUT,
	X_MAX_MEMORY,
	X_BASE,
	X_DIFF_BASE,
	X_HTTP,
	X_NO_BROWSER,
	X_UNAVAILABLE_BOOL,
	X_UNAVAILABLE_VALUE
};

struct extra_def {
	const char *name;
	enum extra_flag kind;
	const char *help;
};

static const struct extra_def extra_defs[] = {
	{ "help", X_HELP, "Show this help" },
	{ "h", X_HELP, NULL },
	{ "interactive", X_INTERACTIVE, "Interactive shell (the default when no format is given)" },
	{ "symbolize", X_SYMBOLIZE,
	  "Symbolization: local (default), none, force, demangle=none|full|templates" },
	{ "add_comment", X_ADD_COMMENT, "Annotation string to record in the profile" },
	{ "max_input", X_MAX_INPUT,
	  "Largest input in bytes, also after gunzip (suffix K, M or G; default 256M)" },
	{ "max_memory", X_MAX_MEMORY,
	  "Memory budget for decoded profiles and reports (suffix K, M or G; default 2G)" },
	{ "http", X_HTTP, "Serve the web UI on [host]:[port] (host defaults to localhost)" },
	{ "no_browser", X_NO_BROWSER, "Skip opening a browser with -http" },
	{ "base", X_BASE, "Source of base profile for profile subtraction (repeatable)" },
	{ "diff_base", X_DIFF_BASE, "Source of base profile for comparison (repeatable)" },
	{ "seconds", X_UNAVAILABLE_VALUE, "Length of a remote profile (not available yet)" },
	{ "timeout", X_UNAVAILABLE_VALUE, "Fetch timeout (not available yet)" },
	{ "tools", X_UNAVAILABLE_VALUE, "Object tool path (not available yet)" },
	{ "buildid", X_UNAVAILABLE_VALUE, "Build id override (not available yet)" },
	{ "showcolumns", X_UNAVAILABLE_BOOL,
	  "Column numbers at lines granularity (not available yet)" },
	{ "intel_syntax", X_UNAVAILABLE_BOOL, "Intel assembly syntax (not available yet)" },
};

/* "N", "NK", "NM" or "NG" (binary multiples), at least 1. */
static int parse_size(const char *value, const char *flag, size_t *out, struct cp_err *err)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (end == value || *end || errno || !isdigit((unsigned char)*value) || v == 0 ||
	    v > (SIZE_MAX >> shift) - 1)
		return cp_errf(err, "invalid value \"%s\" for %s: want a size such as 512M", value,
			       flag);
	*out = (size_t)v << shift;
	return 0;
}

static const struct extra_def *extra_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(extra_defs); i++)
		if (!strcmp(extra_defs[i].name, name))
			return &extra_defs[i];
	return NULL;
}

static bool is_bool_flag(const char *name)
{
	const struct opt_def *d = option_find(name);
	const struct extra_def *x = extra_find(name);
	const struct cp_command *c = command_find(name);

	if (d)
		return d->type == OPT_BOOL;
	if (x)
		return x->kind == X_HELP || x->kind == X_INTERACTIVE || x->kind == X_NO_BROWSER ||
		       x->kind == X_UNAVAILABLE_BOOL;
	if (c)
		return !(c->flags & CMDF_REGEX);
	return true; /* choices, shorthands */
}

static bool known_flag(const char *name)
{
	if (option_find(name) || extra_find(name) || command_find(name) || choice_find(name))
		return true;
	for (size_t i = 0; i < shorthand_ndefs; i++)
		if (!strcmp(shorthand_defs[i].name, name))
			return true;
	return false;
}

struct parse_state {
	struct cli_args *a;
	const char *choice_set[8]; /* per choice group: the flag that set it */
	const char *groups[8];
};

static int set_choice(struct parse_state *ps, const struct choice_def *c, struct cp_err *err)
{
	size_t g;

	for (g = 0; g < ARRAY_SIZE(ps->groups) && ps->groups[g]; g++)
		if (!strcmp(ps->groups[g], c->group))
			break;
	if (g == ARRAY_SIZE(ps->groups))
		return cp_errf(err, "too many option groups");
	ps->groups[g] = c->group;
	if (ps->choice_set[g] && strcmp(ps->choice_set[g], c->value)) {
		const char *x = ps->choice_set[g], *y = c->value;

		return cp_errf(err, "conflicting options set: [%s %s]", strcmp(x, y) < 0 ? x : y,
			       strcmp(x, y) < 0 ? y : x);
	}
	ps->choice_set[g] = c->value;
	return option_set(&ps->a->opt, option_find(c->group), c->value, err);
}

static int set_command(struct parse_state *ps, const struct cp_command *c, const char *arg,
		       struct cp_err *err)
{
	struct cli_args *a = ps->a;

	if (a->cmd)
		return cp_errf(err, "must set at most one output format");
	a->cmd = c;
	if (arg) {
		free(a->cmd_arg);
		a->cmd_arg = xstrdup(arg);
	}
	return 0;
}

/* Apply flag 'name' with 'value' (NULL for a bare boolean). */
static int apply_flag(struct parse_state *ps, const char *name, const char *value,
		      struct cp_err *err)
{
	struct cli_args *a = ps->a;
	const struct opt_def *d = option_find(name);
	const struct extra_def *x = extra_find(name);
	const struct cp_command *c = command_find(name);
	const struct choice_def *ch = choice_find(name);
	bool on = true;

	if (is_bool_flag(name) && value) {
		if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "t"))
			on = true;
		else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "f"))
			on = false;
		else
			return cp_errf(err, "invalid boolean value \"%s\" for -%s", value, name);
	}
	if (d) {
		if (d->type == OPT_BOOL)
			return option_set(&a->opt, d, on ? "true" : "false", err);
		return option_set(&a->opt, d, value, err);
	}
	if (c) {
		if (!on)
			return 0;
		return set_command(ps, c, (c->flags & CMDF_REGEX) ? value : NULL, err);
	}
	if (ch)
		return on ? set_choice(ps, ch, err) : 0;
	for (size_t i = 0; i < shorthand_ndefs; i++) {
		if (strcmp(shorthand_defs[i].name, name))
			continue;
		if (!on)
			return 0;
		option_set(&a->opt, option_find("sample_index"), shorthand_defs[i].sample_index,
			   NULL);
		if (shorthand_defs[i].mean)
			a->opt.mean = true;
		return 0;
	}
	switch (x->kind) {
	case X_HELP:
		a->help = on;
		return 0;
	case X_INTERACTIVE:
		a->interactive = on;
		return 0;
	case X_SYMBOLIZE:
		free(a->symbolize);
		a->symbolize = xstrdup(value);
		return 0;
	case X_ADD_COMMENT:
		free(a->add_comment);
		a->add_comment = xstrdup(value);
		return 0;
	case X_MAX_INPUT:
		return parse_size(value, "max_input", &a->max_input, err);
	case X_MAX_MEMORY:
		return parse_size(value, "max_memory", &a->max_memory, err);
	case X_HTTP:
		free(a->http);
		a->http = xstrdup(value);
		return 0;
	case X_NO_BROWSER:
		a->no_browser = on;
		return 0;
	case X_BASE:
	case X_DIFF_BASE:
		if (!*value)
			return 0;
		if (a->nbases && a->diff_base != (x->kind == X_DIFF_BASE))
			return cp_errf(err, "-base and -diff_base flags cannot both be specified");
		a->diff_base = x->kind == X_DIFF_BASE;
		a->bases = xrealloc(a->bases, (a->nbases + 1) * sizeof(*a->bases));
		a->bases[a->nbases++] = value;
		return 0;
	case X_UNAVAILABLE_BOOL:
		if (!on)
			return 0;
		/* fall through */
	case X_UNAVAILABLE_VALUE:
		return cp_errf(err, "-%s is not available in this version of cprof", name);
	}
	return 0;
}

/*
 * Parse one flag at argv[*i]; returns 1 if it was one, 0 if argv[*i] is not
 * a flag, -1 on error.
 */
static int parse_flag(struct parse_state *ps, int argc, char **argv, int *i, struct cp_err *err)
{
	const char *arg = argv[*i], *eq;
	char name[128];
	size_t len;

	if (arg[0] != '-' || arg[1] == '\0')
		return 0;
	arg += arg[1] == '-' ? 2 : 1;
	if (!*arg || *arg == '-' || *arg == '=')
		return cp_errf(err, "bad flag syntax: %s", argv[*i]);
	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	if (len >= sizeof(name))
		return cp_errf(err, "flag provided but not defined: %s", argv[*i]);
	memcpy(name, arg, len);
	name[len] = '\0';
	if (!known_flag(name))
		return cp_errf(err, "flag provided but not defined: -%s", name);
	if (!eq && !is_bool_flag(name)) {
		if (*i + 1 >= argc)
			return cp_errf(err, "flag needs an argument: -%s", name);
		(*i)++;
		if (apply_flag(ps, name, argv[*i], err))
			return -1;
		return 1;
	}
	if (apply_flag(ps, name, eq ? eq + 1 : NULL, err))
		return -1;
	return 1;
}

static bool is_profile_arg(const char *s)
{
	struct stat st;

	if (!strcmp(s, "-") || strstr(s, "://"))
		return true;
	return !stat(s, &st) && !S_ISDIR(st.st_mode) && !access(s, R_OK);
}

/* "top10" -> command top, count 10. */
static const struct cp_command *split_command(const char *word, int *count)
{
	const struct cp_command *c = command_find(word);
	size_t n = strlen(word), d = n;
	char tmp[64];

	*count = -1;
	if (c)
		return c;
	while (d > 0 && word[d - 1] >= '0' && word[d - 1] <= '9')
		d--;
	if (d == n || d == 0 || d >= sizeof(tmp) || n - d > 9)
		return NULL;
	memcpy(tmp, word, d);
	tmp[d] = '\0';
	c = command_find(tmp);
	if (c)
		*count = atoi(word + d);
	return c;
}

static void add_regex_alt(struct cp_options *o, const char *field, const char *word)
{
	const struct opt_def *d = option_find(field);
	char *const *cur = (char *const *)((const char *)o + d->offset);
	struct buf b = BUF_INIT;

	buf_init(&b);
	if (**cur)
		buf_addf(&b, "%s|", *cur);
	buf_adds(&b, word);
	option_set(o, d, b.buf, NULL);
	buf_release(&b);
}

static int parse_args(struct cli_args *a, int argc, char **argv, struct cp_err *err);

/* The shell-style command form: argv[i] is the command word. */
static int parse_command_form(struct parse_state *ps, int argc, char **argv, int i,
			      struct cp_err *err)
{
	struct cli_args *a = ps->a;
	int count, first_profile = argc;
	const struct cp_command *c = split_command(argv[i], &count);

	if (set_command(ps, c, NULL, err))
		return -1;
	if (count >= 0)
		a->opt.nodecount = count;
	while (first_profile > i + 1 && is_profile_arg(argv[first_profile - 1]))
		first_profile--;
	if (first_profile == argc && argc > i + 1)
		first_profile = argc - 1; /* so a missing file is reported as such */
	for (int k = i + 1; k < first_profile; k++) {
		const char *w = argv[k];
		char *end;
		long n;

		if ((c->flags & CMDF_REGEX) && !a->cmd_arg) {
			a->cmd_arg = xstrdup(w);
			continue;
		}
		if (w[0] == '-' && w[1]) {
			const char *name = w + (w[1] == '-' ? 2 : 1);

			if (!strcmp(name, "cum") || !strcmp(name, "flat")) {
				option_set(&a->opt, option_find("sort"), name, NULL);
				continue;
			}
			if (known_flag(strndupa(name, strcspn(name, "=")))) {
				int r = parse_flag(ps, first_profile, argv, &k, err);

				if (r < 0)
					return -1;
				continue;
			}
			add_regex_alt(&a->opt, "ignore", name);
			continue;
		}
		errno = 0;
		n = strtol(w, &end, 10);
		if (!*end && !errno && n >= 0 && n <= INT_MAX) {
			a->opt.nodecount = (int)n;
			continue;
		}
		add_regex_alt(&a->opt, "focus", w);
	}
	for (int k = first_profile; k < argc; k++) {
		a->profiles = xrealloc(a->profiles, (a->nprofiles + 1) * sizeof(*a->profiles));
		a->profiles[a->nprofiles++] = argv[k];
	}
	return 0;
}

/* pprof's "[binary] profile...": a first argument that is an ELF file names the binary. */
static void take_binary(struct cli_args *a)
{
	unsigned char magic[4];
	FILE *f;
	bool elf;

	if (a->nprofiles < 2 || !strcmp(a->profiles[0], "-"))
		return;
	f = fopen(a->profiles[0], "rb");
	if (!f)
		return;
	elf = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "\177ELF", 4);
	fclose(f);
	if (!elf)
		return;
	a->binary = a->profiles[0];
	memmove(a->profiles, a->profiles + 1, (a->nprofiles - 1) * sizeof(*a->profiles));
	a->nprofiles--;
}

int args_parse(struct cli_args *a, int argc, char **argv, struct cp_err *err)
{
	int r = parse_args(a, argc, argv, err);

	if (r == 0)
		take_binary(a);
	return r;
}

static int parse_args(struct cli_args *a, int argc, char **argv, struct cp_err *err)
{
	struct parse_state ps;
	int i, count;

	memset(a, 0, sizeof(*a));
	memset(&ps, 0, sizeof(ps));
	ps.a = a;
	options_init(&a->opt);
	for (i = 1; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		r = parse_flag(&ps, argc, argv, &i, err);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
	}
	if (i < argc && !a->cmd && split_command(argv[i], &count) && !is_profile_arg(argv[i]))
		return parse_command_form(&ps, argc, argv, i, err);
	for (; i < argc; i++) {
		a->profiles = xrealloc(a->profiles, (a->nprofiles + 1) * sizeof(*a->profiles));
		a->profiles[a->nprofiles++] = argv[i];
	}
	return 0;
}

void args_release(struct cli_args *a)
{
	options_release(&a->opt);
	free(a->cmd_arg);
	free(a->profiles);
	free(a->bases);
	free(a->add_comment);
	free(a->symbolize);
	free(a->http);
}

const char args_synopsis[] =
	"usage: cprof <format> [options] <profile>...\n"
	"       cprof <command> [args] <profile>...   (e.g. cprof top5 cpu.prof)\n";

void args_usage(struct buf *out)
{
	buf_adds(out, args_synopsis);
	buf_adds(out, "\n"
		      "Reads pprof profiles (profile.proto, gzipped or raw; '-' is stdin) and\n"
		      "prints reports as `go tool pprof` does.  Several profiles are merged.\n"
		      "\n"
		      "Output formats (one of; -name, or a command word before the profiles):\n");
	help_commands(out, "  ");
	buf_adds(out, "\nOptions (-name=value, -name value, or --name):\n");
	help_options(out, "  ");
	buf_adds(out, "\nOther flags:\n");
	for (size_t i = 0; i < ARRAY_SIZE(extra_defs); i++) {
		char head[64];

		if (!extra_defs[i].help)
			continue;
		snprintf(head, sizeof(head), "-%s%s", extra_defs[i].name,
			 is_bool_flag(extra_defs[i].name) ? "" : "=...");
		buf_addf(out, "  %-24s %s\n", head, extra_defs[i].help);
	}
}
