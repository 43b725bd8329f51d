/*
 * main.c - cprof's command line: parse, load, run one report, write it.
 */
#include "model/compat.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "model/profile.h"
#include "model/symbolize.h"
#include "model/sindex.h"
#include "model/termsafe.h"
#include "cli/args.h"
#include "cli/record.h"
#include "report/dispatch.h"
#include "tui/shell.h"
#include "web/web.h"

/*
 * Messages and warnings can quote names from a profile, so they reach
 * stderr terminal-safe (model/termsafe.h); an error stays one line.
 */
static void put_stderr(const char *s, enum termsafe_flags flags)
{
	struct buf b = BUF_INIT;
	size_t len = strlen(s);

	if (termsafe_clean(s, len, flags)) {
		fputs(s, stderr);
		return;
	}
	buf_init(&b);
	termsafe_add(&b, s, len, flags);
	fputs(b.buf, stderr);
	buf_release(&b);
}

static void put_error(const char *msg)
{
	fputs("cprof: ", stderr);
	put_stderr(msg, 0);
	fputc('\n', stderr);
}

static void put_warnings(const struct buf *warn)
{
	put_stderr(warn->buf, TERMSAFE_KEEP_NL);
}

static int usage_error(const char *msg)
{
	put_error(msg);
	fputs(args_synopsis, stderr);
	fprintf(stderr, "Run 'cprof -help' for every format and option.\n");
	return 2;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * -output: the report goes to a temp file beside the destination, created
 * before the report is rendered and renamed into place only once it is
 * complete.  An error, SIGINT or SIGTERM removes it, so the destination is
 * either the whole report or untouched.
 */
static char pending_tmp[PATH_MAX + 32]; /* the temp file, "" when none */
static volatile sig_atomic_t pending_set;

static void remove_pending(int sig)
{
	if (pending_set)
		unlink(pending_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int output_begin(const char *path, struct cp_err *err)
{
	struct sigaction sa;
	sigset_t block, old;
	int fd, saved;

	if (snprintf(pending_tmp, sizeof(pending_tmp), "%s.cprof-XXXXXX", path) >=
	    (int)sizeof(pending_tmp))
		return cp_errf(err, "%s: %s", path, strerror(ENAMETOOLONG));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = remove_pending;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a signal between creating the file and noting it would leave it behind */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	fd = mkstemp(pending_tmp);
	saved = errno;
	pending_set = fd >= 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0)
		return cp_errf(err, "%s: %s", path, strerror(saved));
	return fd;
}

static void output_abandon(int fd)
{
	if (fd >= 0)
		close(fd);
	if (pending_set) {
		unlink(pending_tmp);
		pending_set = 0;
	}
}

/* Write the report into the temp file and rename it into place; consumes fd. */
static int output_commit(int fd, const char *path, const struct buf *b, struct cp_err *err)
{
	int ok = !write_all(fd, b->buf, b->len) && !fchmod(fd, 0644);

	ok = !close(fd) && ok;
	if (!ok || rename(pending_tmp, path)) {
		cp_errf(err, "%s: %s", path, strerror(errno));
		output_abandon(-1);
		return -1;
	}
	pending_set = 0;
	return 0;
}

/* Loading progress on a terminal, once loading has taken a second. */
struct progress_state {
	struct timespec start;
	double after; /* seconds; $CPROF_PROGRESS_AFTER, default 1 */
	bool shown;
};

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void show_progress(void *ctx, const char *path, size_t done, size_t total)
{
	struct progress_state *ps = ctx;

	if (!ps->shown && seconds_since(&ps->start) < ps->after)
		return;
	ps->shown = true;
	fprintf(stderr, "\rcprof: loading %s: %3d%%", path,
		(int)(100.0 * (double)done / (double)total));
	fflush(stderr);
}

static void add_comment(struct cp_profile *p, const char *comment)
{
	uint32_t *c = arena_alloc(&p->arena, (p->ncomments + 1) * sizeof(*c));

	copy_n(c, p->comments, p->ncomments * sizeof(*c));
	c[p->ncomments] = strtab_intern(&p->strs, comment, strlen(comment));
	p->comments = c;
	p->ncomments++;
}

/* Where binaries are looked for: $CPROF_BINARY_PATH, $PPROF_BINARY_PATH, ~/pprof/binaries. */
static const char *binary_search_path(struct buf *b)
{
	const char *env = getenv("CPROF_BINARY_PATH");
	const char *home = getenv("HOME");

	if (!env || !*env)
		env = getenv("PPROF_BINARY_PATH");
	if (env && *env)
		return env;
	if (!home || !*home)
		return NULL;
	buf_init(b);
	buf_addf(b, "%s/pprof/binaries", home);
	return b->buf;
}

/* web: the SVG into a temporary file, shown by $BROWSER (or its path printed). */
static int open_in_browser(const struct buf *svg)
{
	const char *dir = getenv("TMPDIR"), *browser = getenv("BROWSER");
	struct buf path = BUF_INIT;
	int fd, ret = 1;

	buf_init(&path);
	buf_addf(&path, "%s/cprof-XXXXXX.svg", dir && *dir ? dir : "/tmp");
	fd = mkstemps(path.buf, 4);
	if (fd < 0 || write_all(fd, svg->buf, svg->len) || close(fd)) {
		fprintf(stderr, "cprof: %s: %s\n", path.buf, strerror(errno));
		goto out;
	}
	if (!browser || !*browser) {
		fprintf(stderr, "cprof: $BROWSER is not set; the graph is in %s\n", path.buf);
		ret = 0;
		goto out;
	}
	{
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			execl("/bin/sh", "sh", "-c", "$BROWSER \"$1\"", "sh", path.buf,
			      (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "cprof: $BROWSER failed; the graph is in %s\n", path.buf);
			goto out;
		}
	}
	ret = 0;
out:
	buf_release(&path);
	return ret;
}

static int emit_bytes(void *ctx, const struct cp_command *cmd, const char *output,
		      const struct buf *report);

/* Deliver a finished report (shell_emit_fn): -output file, ./profileNNN.ext, browser or stdout. */
static int emit_report(void *ctx, const struct cp_command *cmd, const char *output,
		       const struct buf *report)
{
	struct buf safe = BUF_INIT;
	int ret;

	/*
	 * Reports for people are always terminal-safe; data for other programs
	 * (DOT, folded, callgrind) keeps its bytes unless shown on a terminal.
	 * Names without control characters come out unchanged either way.
	 */
	if ((cmd->flags & CMDF_TEXT) &&
	    (!(cmd->flags & CMDF_DATA) ||
	     (!*output && !(cmd->flags & CMDF_AWAY_FROM_TTY) && isatty(1))) &&
	    !termsafe_clean(report->buf, report->len, TERMSAFE_KEEP_NL)) {
		buf_init(&safe);
		termsafe_add(&safe, report->buf, report->len, TERMSAFE_KEEP_NL);
		ret = emit_bytes(ctx, cmd, output, &safe);
		buf_release(&safe);
		return ret;
	}
	return emit_bytes(ctx, cmd, output, report);
}

static int emit_bytes(void *ctx, const struct cp_command *cmd, const char *output,
		      const struct buf *report)
{
	struct cp_err err = { "" };

	if (!*output && (cmd->flags & CMDF_AWAY_FROM_TTY) && isatty(1)) {
		/* as pprof: binary reports go to ./profileNNN.<ext>, not to a terminal */
		const char *ext = !strcmp(cmd->name, "callgrind") ? "callgraph.out" :
				  strstr(cmd->name, "proto")	  ? "pb.gz" :
								    cmd->name;

		for (int i = 1; i < 10000; i++) {
			char name[64];
			int fd;

			snprintf(name, sizeof(name), "profile%03d.%s", i, ext);
			fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0 && errno == EEXIST)
				continue;
			if (fd < 0 || write_all(fd, report->buf, report->len) || close(fd)) {
				fprintf(stderr, "cprof: %s: %s\n", name, strerror(errno));
				return 1;
			}
			fprintf(stderr, "Generating report in %s\n", name);
			return 0;
		}
	}
	if (!*output && (cmd->flags & CMDF_BROWSER))
		return open_in_browser(report);
	if (*output) {
		/* ctx: the command line's temp file opened before rendering, or NULL */
		int *pre = ctx, fd = pre && *pre >= 0 ? *pre : output_begin(output, &err);

		if (pre)
			*pre = -1;
		if (fd < 0 || output_commit(fd, output, report, &err)) {
			put_error(err.msg);
			return 1;
		}
		fprintf(stderr, "Generating report in %s\n", output);
	} else if (write_all(1, report->buf, report->len) && errno != EPIPE) {
		fprintf(stderr, "cprof: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_args a;
	struct cp_err err = { "" };
	struct cp_profile *p = NULL;
	struct buf out = BUF_INIT, warn = BUF_INIT, search = BUF_INIT;
	struct cp_symbolize_opts so = { 0 };
	int ret = 1, out_fd = -1;

	if (argc > 1 && !strcmp(argv[1], "record"))
		return record_main(argc - 1, argv + 1);
	signal(SIGPIPE, SIG_IGN);
	buf_init(&out);
	buf_init(&warn);
	buf_init(&search);
	if (args_parse(&a, argc, argv, &err)) {
		ret = usage_error(err.msg);
		goto out;
	}
	if (a.help) {
		args_usage(&out);
		fputs(out.buf, stdout);
		ret = 0;
		goto out;
	}
	if (a.nprofiles == 0) {
		ret = usage_error("no profile given");
		goto out;
	}
	if (a.http && (a.cmd || a.interactive)) {
		ret = usage_error("-http is not compatible with an output format or -interactive");
		goto out;
	}
	if (a.max_input)
		profile_set_max_input(a.max_input);
	if (a.max_memory)
		alloc_set_budget(a.max_memory);
	if (a.symbolize && symbolize_parse_mode(&so, a.symbolize, &err)) {
		ret = usage_error(err.msg);
		goto out;
	}
	{
		struct progress_state ps = { .after = 1.0, .shown = false };
		const char *after = getenv("CPROF_PROGRESS_AFTER");

		if (after && *after)
			ps.after = atof(after);
		struct cp_progress prog = { show_progress, &ps };

		clock_gettime(CLOCK_MONOTONIC, &ps.start);
		p = profile_load(a.profiles, a.nprofiles, isatty(2) ? &prog : NULL, &err);
		if (ps.shown)
			fprintf(stderr, "\r\033[K");
	}
	if (!p) {
		put_error(err.msg);
		goto out;
	}
	if (a.opt.normalize && !a.nbases) {
		ret = usage_error("must have base profile to normalize by");
		goto out;
	}
	if (a.nbases) {
		struct cp_profile *base = profile_load(a.bases, a.nbases, NULL, &err);

		if (!base || profile_apply_base(&p, base, a.diff_base, a.opt.normalize, &err)) {
			put_error(err.msg);
			profile_free(base);
			goto out;
		}
		profile_free(base);
	}
	/* symbolize after the base is merged in, as pprof does */
	so.binary = a.binary;
	so.search_path = binary_search_path(&search);
	profile_symbolize(p, &so, &warn);
	put_warnings(&warn);
	buf_reset(&warn);
	if (a.add_comment)
		add_comment(p, a.add_comment);
	/*
	 * Sessions run many reports over one profile: the web UI and a shell
	 * on a terminal index its stacks once (model/sindex.h).  A shell fed
	 * by a pipe, like a one-shot report, usually runs a report or two: it
	 * does not, unless CPROF_INDEX=1 (the tests compare both paths); =0
	 * never indexes.
	 */
	{
		const char *ix = getenv("CPROF_INDEX");
		bool session = a.http || ((!a.cmd || a.interactive) && isatty(0) && isatty(1));

		if (ix && *ix ? !strcmp(ix, "1") : session)
			profile_build_index(p);
		if (session)
			alloc_keep_freed();
	}
	if (a.http) {
		const char *slash = strrchr(a.profiles[0], '/');
		struct web_config wc = { a.http, !a.no_browser && isatty(1),
					 slash ? slash + 1 : a.profiles[0] };

		ret = web_serve(p, &a.opt, &wc, &err) ? 1 : 0;
		if (ret)
			fprintf(stderr, "cprof: %s\n", err.msg);
		goto out;
	}
	if (!a.cmd || a.interactive) {
		ret = shell_run(p, &a.opt, emit_report, NULL);
		goto out;
	}
	if (*a.opt.output) {
		/* the temp file exists before rendering, so a signal can remove it */
		out_fd = output_begin(a.opt.output, &err);
		if (out_fd < 0) {
			put_error(err.msg);
			goto out;
		}
	}
	{
		char phase[64];

		snprintf(phase, sizeof(phase), "%s report", a.cmd->name);
		alloc_set_phase(phase);
	}
	if (dispatch_run(p, &a.opt, a.cmd, a.cmd_arg, &out, &warn, &err)) {
		put_warnings(&warn);
		put_error(err.msg);
		ret = 2;
		goto out;
	}
	put_warnings(&warn);
	ret = emit_report(&out_fd, a.cmd, a.opt.output, &out);
out:
	output_abandon(out_fd);
	profile_free(p);
	args_release(&a);
	buf_release(&out);
	buf_release(&warn);
	buf_release(&search);
	return ret;
}
