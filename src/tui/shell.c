#include "model/compat.h"
#include <ctype.h>
#include <unistd.h>
#include "model/alloc.h"
#include "model/termsafe.h"
#include "report/report.h"
#include "tui/lineedit.h"
#include "tui/shell.h"
#include "tui/tui.h"

#define PROMPT	      "(cprof) "
#define COMMENT_START "//:"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void collect_functions(struct shell *sh)
{
	const struct cp_profile *p = sh->p;
	size_t n = 0;

	sh->funcs = xcalloc(p->nfunctions + 1, sizeof(*sh->funcs));
	for (size_t i = 0; i < p->nfunctions; i++) {
		const char *name = profile_str(p, p->functions[i].name);

		if (*name)
			sh->funcs[n++] = (char *)name;
	}
	qsort(sh->funcs, n, sizeof(*sh->funcs), cmp_str);
	sh->nfuncs = 0;
	for (size_t i = 0; i < n; i++)
		if (!sh->nfuncs || strcmp(sh->funcs[sh->nfuncs - 1], sh->funcs[i]))
			sh->funcs[sh->nfuncs++] = sh->funcs[i];
}

void shell_init(struct shell *sh, const struct cp_profile *p, const struct cp_options *o,
		shell_emit_fn emit, void *ctx)
{
	memset(sh, 0, sizeof(*sh));
	sh->p = p;
	options_copy(&sh->opt, o);
	/* as pprof: the shell starts with compact headers */
	sh->opt.compact_labels = true;
	sh->emit = emit;
	sh->emit_ctx = ctx;
	collect_functions(sh);
}

void shell_release(struct shell *sh)
{
	if (!sh)
		return;
	options_release(&sh->opt);
	free(sh->funcs);
	sh->funcs = NULL;
	sh->nfuncs = 0;
}

/* Messages go to stderr, after whatever the reports wrote to stdout; or to cap_err. */
/* Messages can quote names and regexps from the profile: terminal-safe, as the CLI's. */
static void put_err(const struct shell *sh, const char *s)
{
	struct buf b = BUF_INIT;
	size_t len = strlen(s);

	if (!termsafe_clean(s, len, TERMSAFE_KEEP_NL)) {
		buf_init(&b);
		termsafe_add(&b, s, len, TERMSAFE_KEEP_NL);
		s = b.buf;
	}
	if (sh->cap_err) {
		buf_adds(sh->cap_err, s);
	} else {
		fflush(stdout);
		fputs(s, stderr);
	}
	buf_release(&b);
}

static void say(const struct shell *sh, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void say(const struct shell *sh, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_addc(&b, '\n');
	put_err(sh, b.buf);
	buf_release(&b);
}

void shell_greet(struct shell *sh)
{
	struct report r;
	struct buf out = BUF_INIT, warn = BUF_INIT;
	struct cp_err err = { "" };

	buf_init(&out);
	buf_init(&warn);
	if (!report_prepare(&r, sh->p, &sh->opt, command_find("top"), NULL, &warn, &err)) {
		report_profile_labels(&r, &out);
		fflush(stdout);
		fputs(out.buf, stderr);
		if (r.total == 0 && sh->p->nsample_types > 1) {
			say(sh, "No samples were found with the default sample value type.");
			say(sh,
			    "Try \"sample_index\" command to analyze different sample values.\n");
		}
	}
	report_release(&r);
	say(sh, "Entering interactive mode (type \"help\" for commands, \"o\" for options)");
	buf_release(&out);
	buf_release(&warn);
}

/* ---- settings ---- */

/* pprof's stringToBool: the empty value (a bare name) means true. */
static int parse_bool(const char *v, bool *out)
{
	static const char *const t[] = { "true", "t", "yes", "y", "1", "" };
	static const char *const f[] = { "false", "f", "no", "n", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (!strcasecmp(v, t[i])) {
			*out = true;
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		if (!strcasecmp(v, f[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static bool is_configurable(const char *name)
{
	return option_find(name) || choice_find(name);
}

static bool is_bool_config(const char *name)
{
	const struct opt_def *d = option_find(name);

	return d ? d->type == OPT_BOOL : choice_find(name) != NULL;
}

static int configure(struct shell *sh, const char *name, const char *value, struct cp_err *err)
{
	const struct opt_def *d = option_find(name);
	const struct choice_def *c;
	bool on;

	if (d && d->type == OPT_BOOL) {
		if (parse_bool(value, &on))
			return cp_errf(err, "illegal value \"%s\" for bool variable", value);
		return option_set(&sh->opt, d, on ? "true" : "false", err);
	}
	if (d)
		return option_set(&sh->opt, d, value, err);
	c = choice_find(name);
	if (!parse_bool(value, &on) && on)
		return option_set(&sh->opt, option_find(c->group), c->value, err);
	return cp_errf(err, "unrecognized value for %s: \"%s\"", name, value);
}

static char *trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* "name=value" or a bare option name.  Returns 1 if the line was a setting. */
static int try_setting(struct shell *sh, const char *input)
{
	struct cp_err err = { "" };
	const char *eq = strchr(input, '=');
	char *name = xstrndup(input, eq ? (size_t)(eq - input) : strlen(input));
	char *value = xstrdup(eq ? eq + 1 : "");
	char *n = trim(name), *v, *comment = NULL;
	int ret = 0;

	for (char *s = strstr(value, COMMENT_START); s; s = strstr(s + 1, COMMENT_START))
		comment = s;
	if (comment)
		*comment = '\0';
	v = trim(value);
	if (!is_configurable(n))
		goto out;
	ret = 1;
	if (!eq && !is_bool_config(n)) {
		say(sh, "please specify a value, e.g. %s=<val>", n);
		goto out;
	}
	if (!strcmp(n, "sample_index")) {
		int i = profile_sample_index(sh->p, v, &err);

		if (i < 0) {
			say(sh, "%s", err.msg);
			goto out;
		}
		v = (char *)profile_str(sh->p, sh->p->sample_types[i].type);
	}
	if (configure(sh, n, v, &err))
		say(sh, "%s", err.msg);
out:
	free(name);
	free(value);
	return ret;
}

/* ---- help and listings ---- */

static void help_line(struct buf *b, const char *name, const char *help)
{
	buf_addf(b, "    %-16s %s", name, help);
}

static void print_help(const struct shell *sh)
{
	struct buf b = BUF_INIT;
	const char **names = xcalloc(ncommands + opt_ndefs, sizeof(*names));
	size_t n = 0;

	buf_init(&b);
	buf_adds(&b, "  Commands:\n");
	for (size_t i = 0; i < ncommands; i++)
		names[n++] = commands[i].name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const struct cp_command *c = command_find(names[i]);

		help_line(&b, c->name, c->help);
		buf_adds(&b, c->run ? "\n" : " (not available yet)\n");
	}
	help_line(&b, "o/options", "List options and their current values\n");
	help_line(&b, "tui", "Full-screen views: top table, peek, list, search (on a terminal)\n");
	help_line(&b, "q/quit/exit/^D", "Exit cprof\n");
	buf_adds(&b, "\n  Options:\n");
	n = 0;
	for (size_t i = 0; i < opt_ndefs; i++)
		if (opt_defs[i].type != OPT_CHOICE)
			names[n++] = opt_defs[i].name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		help_line(&b, names[i], option_find(names[i])->help);
		buf_addc(&b, '\n');
	}
	buf_adds(&b, "\n  Option groups (only set one per group):\n");
	n = 0;
	for (size_t i = 0; i < opt_ndefs; i++)
		if (opt_defs[i].type == OPT_CHOICE)
			names[n++] = opt_defs[i].name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		help_line(&b, names[i], "\n");
		for (size_t k = 0; k < choice_ndefs; k++) {
			if (strcmp(choice_defs[k].group, names[i]))
				continue;
			buf_adds(&b, "  ");
			help_line(&b, choice_defs[k].value, choice_defs[k].help);
			buf_addc(&b, '\n');
		}
	}
	buf_adds(&b, "  :   Clear focus/ignore/hide/tagfocus/tagignore\n\n");
	buf_adds(&b, "  type \"help <cmd|option>\" for more information\n");
	put_err(sh, b.buf);
	free(names);
	buf_release(&b);
}

/* pprof's reportHelp and listHelp usage lines. */
static void command_usage(struct buf *b, const struct cp_command *c)
{
	bool cum = !strcmp(c->name, "top") || !strcmp(c->name, "text") || !strcmp(c->name, "tree");
	bool redirect = !(c->flags & CMDF_BROWSER);

	buf_adds(b, "  Usage:\n");
	if (!strcmp(c->name, "peek")) {
		buf_adds(b, "    peek func_regex\n");
		buf_adds(b, "    Display callers and callees of functions matching func_regex.\n");
		return;
	}
	if (c->flags & CMDF_REGEX) {
		buf_addf(b, "    %s<func_regex|address> [-focus_regex]* [-ignore_regex]*%s\n",
			 c->name, redirect ? " >f" : "");
		buf_adds(b, "    Include functions matching func_regex, or including the address "
			    "specified.\n");
	} else {
		buf_addf(b, "    %s [n] [focus_regex]* [-ignore_regex]*%s%s\n", c->name,
			 cum ? " [-cum]" : "", redirect ? " >f" : "");
		buf_adds(b, "    Include up to n samples\n");
	}
	buf_adds(b, "    Include samples matching focus_regex, and exclude ignore_regex.\n");
	if (cum && !(c->flags & CMDF_REGEX))
		buf_adds(b, "    -cum sorts the output by cumulative weight\n");
	if (redirect)
		buf_adds(b, "    Optionally save the report on the file f\n");
}

static void print_help_on(const struct shell *sh, const char *what)
{
	const struct cp_command *c = command_find(what);
	const struct opt_def *d = option_find(what);
	const struct choice_def *ch = choice_find(what);
	struct buf b = BUF_INIT;

	buf_init(&b);
	if (c) {
		buf_addf(&b, "%s\n", c->help);
		command_usage(&b, c);
		buf_addc(&b, '\n');
	} else if (d) {
		buf_addf(&b, "%s\n", d->help);
	} else if (ch) {
		buf_addf(&b, "%s\n", ch->help);
	} else if (!strcmp(what, "tui")) {
		buf_adds(&b, "Full-screen views of the profile (needs a terminal)\n");
		buf_adds(
			&b,
			"  Keys: arrows move, Enter peek, l list, f/i/h focus/ignore/hide, u undo,\n");
		buf_adds(&b, "  s sort, F flame graph, T call tree, S sandwich, / search,\n");
		buf_adds(&b, "  : shell command, ? all keys, q close\n\n");
	} else {
		buf_addf(&b, "Unknown command: %s\n", what);
	}
	put_err(sh, b.buf);
	buf_release(&b);
}

static void print_options(const struct shell *sh)
{
	char **lines = xcalloc(opt_ndefs, sizeof(*lines));
	size_t n = 0;

	for (size_t i = 0; i < opt_ndefs; i++) {
		const struct opt_def *d = &opt_defs[i];
		struct buf line = BUF_INIT, comment = BUF_INIT;
		char v[256];

		if (!strcmp(d->name, "source_path"))
			continue;
		buf_init(&line);
		buf_init(&comment);
		option_get(&sh->opt, d, v, sizeof(v));
		if (d->type == OPT_CHOICE) {
			const char *vals[16];
			size_t nv = 0;

			for (size_t k = 0; k < choice_ndefs && nv < ARRAY_SIZE(vals); k++)
				if (!strcmp(choice_defs[k].group, d->name))
					vals[nv++] = choice_defs[k].value;
			qsort(vals, nv, sizeof(*vals), cmp_str);
			for (size_t k = 0; k < nv; k++)
				buf_addf(&comment, "%s%s", k ? " | " : "[", vals[k]);
			buf_adds(&comment, "]");
		} else if (!strcmp(d->name, "sample_index")) {
			const struct cp_profile *p = sh->p;

			if (!*v && p->nsample_types) {
				int i0 = profile_sample_index(p, "", NULL);

				snprintf(v, sizeof(v), "%s",
					 profile_str(p, p->sample_types[i0].type));
			}
			for (size_t k = 0; k < p->nsample_types; k++)
				buf_addf(&comment, "%s%s", k ? " | " : "[",
					 profile_str(p, p->sample_types[k].type));
			buf_adds(&comment, "]");
		} else if (!strcmp(d->name, "nodecount") && !strcmp(v, "-1")) {
			buf_adds(&comment, "default");
		} else if (!*v) {
			snprintf(v, sizeof(v), "\"\"");
		}
		buf_addf(&line, "  %-25s = %-20s %s%s%s", d->name, v,
			 comment.len ? COMMENT_START : "", comment.len ? " " : "", comment.buf);
		lines[n++] = buf_detach(&line, NULL);
		buf_release(&comment);
	}
	qsort(lines, n, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < n; i++) {
		put_err(sh, lines[i]);
		put_err(sh, "\n");
		free(lines[i]);
	}
	free(lines);
}

/* ---- commands ---- */

static void add_alt(char **re, const char *word)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	buf_addf(&b, "%s%s%s", *re ? *re : "", *re && **re && *word ? "|" : "", word);
	free(*re);
	*re = buf_detach(&b, NULL);
}

/* Go's strconv.ParseInt(t, 10, 32). */
static bool parse_int32(const char *t, int *out)
{
	const char *s = t + (*t == '+' || *t == '-');
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(t, &end, 10);
	if (*end || errno || v < INT32_MIN || v > INT32_MAX)
		return false;
	*out = (int)v;
	return true;
}

static void run_command(struct shell *sh, char **tok, size_t ntok)
{
	const char *name = tok[0], *arg = NULL;
	const struct cp_command *c = command_find(name);
	struct cp_options o;
	struct cp_err err = { "" };
	struct buf out = BUF_INIT, warn = BUF_INIT;
	char *focus = NULL, *ignore = NULL, *base = NULL;
	const char *digits = NULL;
	size_t i = 1;

	if (!c) {
		size_t n = strlen(name), d = n;

		while (d && isdigit((unsigned char)name[d - 1]))
			d--;
		if (d && d < n) {
			base = xstrndup(name, d);
			c = command_find(base);
			if (c)
				digits = name + d;
		}
	}
	if (!c) {
		if (is_configurable(name))
			say(sh, "did you mean: %s=%s", name, ntok > 1 ? tok[1] : "<val>");
		else
			say(sh, "unrecognized command: \"%s\"", name);
		free(base);
		return;
	}
	if (c->flags & CMDF_REGEX) {
		if (digits) {
			arg = digits;
			digits = NULL;
		} else if (ntok > 1) {
			arg = tok[1];
			i = 2;
		} else {
			say(sh, "command %s requires an argument", c->name);
			free(base);
			return;
		}
	}
	options_copy(&o, &sh->opt);
	buf_init(&out);
	buf_init(&warn);
	if (digits)
		parse_int32(digits, &o.nodecount);
	for (; i < ntok; i++) {
		const char *t = tok[i];
		int n;

		if (parse_int32(t, &n)) {
			o.nodecount = n;
			continue;
		}
		if (t[0] == '>') {
			const char *file = t + 1;

			if (!*file) {
				if (++i >= ntok) {
					say(sh, "unexpected end of line after >");
					goto out;
				}
				file = tok[i];
			}
			option_set(&o, option_find("output"), file, NULL);
		} else if (t[0] == '-') {
			if (!strcmp(t, "-cum") || !strcmp(t, "--cum"))
				option_set(&o, option_find("sort"), "cum", NULL);
			else
				add_alt(&ignore, t + 1);
		} else {
			add_alt(&focus, t);
		}
	}
	if (focus && *focus)
		option_set(&o, option_find(!strcmp(c->name, "tags") ? "tagfocus" : "focus"), focus,
			   NULL);
	if (ignore && *ignore)
		option_set(&o, option_find(!strcmp(c->name, "tags") ? "tagignore" : "ignore"),
			   ignore, NULL);
	if (o.nodecount == -1 && (!strcmp(c->name, "top") || !strcmp(c->name, "text")))
		o.nodecount = 10;
	if (sh->cap_out && !*o.output && !(c->flags & CMDF_TEXT)) {
		say(sh, "%s is not a text report here; write it to a file: %s > FILE", c->name,
		    c->name);
		goto out;
	}
	if (dispatch_run(sh->p, &o, c, arg, &out, &warn, &err)) {
		put_err(sh, warn.buf);
		say(sh, "%s", err.msg);
		goto out;
	}
	put_err(sh, warn.buf);
	if (sh->cap_out && !*o.output && (c->flags & CMDF_TEXT))
		buf_add(sh->cap_out, out.buf, out.len);
	else if (!sh->emit(sh->emit_ctx, c, o.output, &out) && sh->cap_err && *o.output)
		say(sh, "Generating report in %s", o.output); /* for the status line */
out:
	options_release(&o);
	buf_release(&out);
	buf_release(&warn);
	free(focus);
	free(ignore);
	free(base);
}

/* Returns 1 to leave the shell. */
static int exec_one(struct shell *sh, const char *input)
{
	char *copy, **tok;
	size_t ntok = 0;
	int ret = 0;

	if (try_setting(sh, input))
		return 0;
	copy = xstrdup(input);
	tok = xcalloc(strlen(input) / 2 + 2, sizeof(*tok));
	for (char *s = copy; *s;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		tok[ntok++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
	if (ntok == 0)
		goto out;
	if (!strcmp(tok[0], "o") || !strcmp(tok[0], "options")) {
		print_options(sh);
	} else if (!strcmp(tok[0], "exit") || !strcmp(tok[0], "quit") || !strcmp(tok[0], "q")) {
		ret = 1;
	} else if (!strcmp(tok[0], "tui")) {
		if (sh->cap_out)
			say(sh, "already in the full-screen views");
		else if (tui_run(sh))
			say(sh, "the full-screen views need a terminal");
	} else if (!strcmp(tok[0], "help")) {
		struct buf what = BUF_INIT;

		buf_init(&what);
		for (size_t i = 1; i < ntok; i++)
			buf_addf(&what, "%s%s", i > 1 ? " " : "", tok[i]);
		if (what.len)
			print_help_on(sh, what.buf);
		else
			print_help(sh);
		buf_release(&what);
	} else {
		run_command(sh, tok, ntok);
	}
out:
	free(tok);
	free(copy);
	return ret;
}

int shell_exec(struct shell *sh, const char *line)
{
	static const char *const clear[] = { "focus=", "ignore=", "hide=", "tagfocus=",
					     "tagignore=" };
	char *input = xstrdup(line);
	char *in = trim(input);
	int ret = 0;

	if (!strcmp(in, ":")) {
		for (size_t i = 0; i < ARRAY_SIZE(clear); i++)
			exec_one(sh, clear[i]);
		goto out;
	}
	for (size_t i = 0; i < sh->p->nsample_types; i++) {
		const char *t = profile_str(sh->p, sh->p->sample_types[i].type);
		struct buf set = BUF_INIT;
		const char *mean = NULL;

		if (!strncmp(in, "total_", 6) && !strcmp(in + 6, t))
			mean = "mean=0";
		else if (!strncmp(in, "mean_", 5) && !strcmp(in + 5, t))
			mean = "mean=1";
		else if (strcmp(in, t))
			continue;
		if (mean)
			exec_one(sh, mean);
		buf_init(&set);
		buf_addf(&set, "sample_index=%s", t);
		exec_one(sh, set.buf);
		buf_release(&set);
		goto out;
	}
	ret = exec_one(sh, in);
out:
	free(input);
	fflush(stdout);
	return ret;
}

/* ---- completion ---- */

static size_t add_if(struct buf *out, const char *cand, const char *prefix, size_t plen,
		     const char *suffix)
{
	if (strncmp(cand, prefix, plen))
		return 0;
	buf_addf(out, "%s%s", cand, suffix);
	buf_addc(out, '\0');
	return 1;
}

size_t shell_complete(const struct shell *sh, const char *line, size_t pos, size_t *start,
		      struct buf *out)
{
	const struct cp_profile *p = sh->p;
	size_t s = pos, first = 0, n = 0, plen;
	const char *word, *eq;
	bool first_word;

	while (s > 0 && !isspace((unsigned char)line[s - 1]))
		s--;
	while (first < s && isspace((unsigned char)line[first]))
		first++;
	first_word = first == s;
	word = line + s;
	plen = pos - s;
	eq = memchr(word, '=', plen);
	if (first_word && eq) {
		char name[64];
		const struct opt_def *d;
		const char *v = eq + 1;
		size_t vlen = pos - (size_t)(v - line);

		snprintf(name, sizeof(name), "%.*s", (int)(eq - word), word);
		*start = (size_t)(v - line);
		d = option_find(name);
		if (!d)
			return 0;
		if (d->type == OPT_BOOL) {
			n += add_if(out, "true", v, vlen, "");
			n += add_if(out, "false", v, vlen, "");
		} else if (d->type == OPT_CHOICE) {
			for (size_t i = 0; i < choice_ndefs; i++)
				if (!strcmp(choice_defs[i].group, name))
					n += add_if(out, choice_defs[i].value, v, vlen, "");
		} else if (!strcmp(name, "sample_index")) {
			for (size_t i = 0; i < p->nsample_types; i++)
				n += add_if(out, profile_str(p, p->sample_types[i].type), v, vlen,
					    "");
		}
		return n;
	}
	*start = s;
	if (first_word || !strncmp(line + first, "help ", 5)) {
		static const char *const words[] = {
			"help", "o", "options", "quit", "exit", "tui"
		};

		for (size_t i = 0; i < ncommands; i++)
			if (commands[i].run)
				n += add_if(out, commands[i].name, word, plen, "");
		for (size_t i = 0; i < opt_ndefs; i++)
			n += add_if(out, opt_defs[i].name, word, plen,
				    opt_defs[i].type == OPT_BOOL || !first_word ? "" : "=");
		for (size_t i = 0; i < choice_ndefs; i++)
			n += add_if(out, choice_defs[i].value, word, plen, "");
		if (!first_word)
			return n;
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			n += add_if(out, words[i], word, plen, "");
		for (size_t i = 0; i < p->nsample_types; i++)
			n += add_if(out, profile_str(p, p->sample_types[i].type), word, plen, "");
		return n;
	}
	/* arguments: function names containing the word */
	if (*word == '-') {
		word++;
		plen--;
		(*start)++;
	}
	for (size_t i = 0; i < sh->nfuncs; i++) {
		if (plen && !memmem(sh->funcs[i], strlen(sh->funcs[i]), word, plen))
			continue;
		buf_adds(out, sh->funcs[i]);
		buf_addc(out, '\0');
		n++;
	}
	return n;
}

static size_t complete_cb(void *ctx, const char *line, size_t pos, size_t *start, struct buf *out)
{
	return shell_complete(ctx, line, pos, start, out);
}

/* $XDG_STATE_HOME/cprof/history, else ~/.local/state/cprof/history. */
static void history_path(struct buf *b)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (state && *state == '/')
		buf_addf(b, "%s/cprof/history", state);
	else if (home && *home)
		buf_addf(b, "%s/.local/state/cprof/history", home);
}

int shell_run(const struct cp_profile *p, const struct cp_options *o, shell_emit_fn emit, void *ctx)
{
	struct shell sh;
	struct buf line = BUF_INIT, hist = BUF_INIT;

	buf_init(&line);
	buf_init(&hist);
	shell_init(&sh, p, o, emit, ctx);
	shell_greet(&sh);
	if (isatty(0) && isatty(1)) {
		struct lineedit le;

		history_path(&hist);
		lineedit_init(&le, hist.len ? hist.buf : NULL, complete_cb, &sh);
		while (lineedit_read(&le, PROMPT, &line) == 0) {
			lineedit_remember(&le, line.buf);
			if (shell_exec(&sh, line.buf))
				break;
		}
		lineedit_release(&le);
	} else {
		char *l = NULL;
		size_t cap = 0;
		ssize_t n;

		for (;;) {
			fputs(PROMPT, stdout);
			fflush(stdout);
			n = getline(&l, &cap, stdin);
			if (n < 0)
				break;
			if (shell_exec(&sh, l))
				break;
		}
		free(l);
	}
	shell_release(&sh);
	buf_release(&line);
	buf_release(&hist);
	return 0;
}
