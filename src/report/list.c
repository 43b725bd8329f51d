/*
 * list.c - the `list` report: source lines of the functions matching a
 * regexp, annotated with flat and cum values, as pprof prints them.
 *
 * Source files are looked up as pprof does: trim_path (and /proc/self/cwd/)
 * prefixes removed, absolute paths opened as they are, relative ones
 * searched in each source_path directory (default: the current directory)
 * and its parents.
 */
#include "model/compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "model/alloc.h"
#include "model/path.h"
#include "model/regex.h"
#include "report/report.h"
#include "report/units.h"

struct source_file {
	char *path;   /* as named in the profile */
	char **lines; /* lines[1..n]; NULL when the file was not found */
	size_t n;
	char *error;
};

struct source_reader {
	const char *search_path, *trim_path;
	struct source_file *files;
	size_t nfiles, alloc;
};

/* Larger source files are not read (a profile can name any path). */
#define SOURCE_MAX_SIZE ((off_t)16 << 20)

/*
 * Open a source file for reading only if it is a regular file of sane size:
 * a profile naming a FIFO, /dev/zero or a huge file must not hang or fill
 * memory.  On failure *why is NULL (errno is set) or the reason.
 */
static FILE *open_regular(const char *path, const char **why)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	FILE *f;

	*why = NULL;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > SOURCE_MAX_SIZE) {
		*why = S_ISREG(st.st_mode) ? "larger than 16 MiB" : "not a regular file";
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

static FILE *open_source(const char *path, const char *search, const char *trim, char **error)
{
	const char *why;
	const char *t = path_trim(path, trim, search);
	struct buf b = BUF_INIT;
	FILE *f;

	buf_init(&b);
	if (*t == '/') {
		f = open_regular(t, &why);
		if (!f && why) {
			buf_addf(&b, "open %s: %s", t, why);
			*error = buf_detach(&b, NULL);
		} else if (!f) {
			buf_addf(&b, "open %s: %s", t, strerror(errno));
			/* Go spells the errno text in lower case */
			for (size_t i = strlen("open ") + strlen(t) + 2; i < b.len; i++)
				if (b.buf[i] >= 'A' && b.buf[i] <= 'Z')
					b.buf[i] = (char)(b.buf[i] + 32);
			*error = buf_detach(&b, NULL);
		}
		return f;
	}
	for (const char *d = search; *d;) {
		const char *colon = strchr(d, ':');
		size_t dl = colon ? (size_t)(colon - d) : strlen(d);
		char *dir = path_clean(d, dl);

		for (;;) {
			char *joined;

			buf_reset(&b);
			buf_addf(&b, "%s/%s", dir, t);
			joined = path_clean(b.buf, b.len);
			f = open_regular(joined, &why);
			free(joined);
			if (f) {
				free(dir);
				buf_release(&b);
				return f;
			}
			/* up to the parent, as filepath.Dir */
			{
				char *slash = strrchr(dir, '/');
				char *parent;

				if (!slash)
					parent = xstrdup(".");
				else if (slash == dir)
					parent = xstrdup("/");
				else
					parent = xstrndup(dir, (size_t)(slash - dir));
				if (!strcmp(parent, dir)) {
					free(parent);
					break;
				}
				free(dir);
				dir = parent;
			}
		}
		free(dir);
		if (!colon)
			break;
		d = colon + 1;
	}
	buf_reset(&b);
	buf_addf(&b, "could not find file %s on path %s", t, search);
	*error = buf_detach(&b, NULL);
	return NULL;
}

static struct source_file *source_get(struct source_reader *rd, const char *path)
{
	struct source_file *sf;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	for (size_t i = 0; i < rd->nfiles; i++)
		if (!strcmp(rd->files[i].path, path))
			return &rd->files[i];
	ALLOC_GROW(rd->files, rd->nfiles + 1, rd->alloc);
	sf = &rd->files[rd->nfiles++];
	memset(sf, 0, sizeof(*sf));
	sf->path = xstrdup(path);
	f = open_source(path, rd->search_path, rd->trim_path, &sf->error);
	if (!f)
		return sf;
	sf->lines = xmalloc(sizeof(*sf->lines));
	sf->lines[0] = NULL;
	while ((len = getline(&line, &cap, f)) >= 0) {
		/* bufio.ScanLines: drop "\n" and one "\r" before it */
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		sf->lines = xrealloc(sf->lines, (sf->n + 2) * sizeof(*sf->lines));
		sf->lines[++sf->n] = xstrndup(line, (size_t)len);
	}
	free(line);
	fclose(f);
	return sf;
}

static void source_reader_release(struct source_reader *rd)
{
	for (size_t i = 0; i < rd->nfiles; i++) {
		for (size_t k = 1; k <= rd->files[i].n; k++)
			free(rd->files[i].lines[k]);
		free(rd->files[i].lines);
		free(rd->files[i].path);
		free(rd->files[i].error);
	}
	free(rd->files);
}

static void value_or_dot(struct report *r, int64_t v, char *out, size_t size)
{
	if (v == 0)
		snprintf(out, size, ".");
	else
		report_value(r, v, out, size);
}

static _Thread_local const struct cp_graph *cmp_graph;

/* pprof's FileOrder: file, then start line, then the node's full description. */
static int file_cmp(const void *a, const void *b)
{
	const struct cp_node_info *x = graph_info(cmp_graph, *(const uint32_t *)a);
	const struct cp_node_info *y = graph_info(cmp_graph, *(const uint32_t *)b);
	int c = strcmp(strtab_str(&cmp_graph->u->names, x->file),
		       strtab_str(&cmp_graph->u->names, y->file));

	if (c)
		return c;
	if (x->start_line != y->start_line)
		return x->start_line < y->start_line ? -1 : 1;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print one function's listing for one file; fns are its nodes in that file. */
static void list_file(struct report *r, struct source_reader *rd, const struct cp_graph *g,
		      const char *name, const uint32_t *fns, size_t n, struct buf *out)
{
	const struct cp_node_info *f0 = graph_info(g, fns[0]);
	const char *file = strtab_str(&g->u->names, f0->file);
	int64_t flat = 0, cum = 0, start, end;
	char fv[64], cv[64], pct[32];
	struct source_file *sf = source_get(rd, file);

	for (size_t i = 0; i < n; i++) {
		flat = add64(flat, g->stat[fns[i]].flat);
		cum = add64(cum, g->stat[fns[i]].cum);
	}
	buf_addf(out, "ROUTINE ======================== %s in %s\n", name, file);
	report_value(r, flat, fv, sizeof(fv));
	report_value(r, cum, cv, sizeof(cv));
	units_percent(pct, sizeof(pct), cum, r->total);
	buf_addf(out, "%10s %10s (flat, cum) %s of Total\n", fv, cv, pct);
	if (!sf->lines) {
		buf_addf(out, " Error: %s\n", sf->error);
		return;
	}
	/* pprof's window: start line (or first line - 5) to last line + 5 */
	start = f0->start_line ? f0->start_line : f0->lineno - 5;
	end = f0->lineno + 5;
	for (size_t i = 0; i < n; i++) {
		const struct cp_node_info *ni = graph_info(g, fns[i]);
		int64_t ns = ni->start_line ? ni->start_line : ni->lineno - 5, ne = ni->lineno + 5;

		if (ns < start)
			start = ns;
		else if (ne > end)
			end = ne;
	}
	if (start < 1)
		start = 1;
	for (int64_t line = start; line <= end && (size_t)line <= sf->n; line++) {
		int64_t lf = 0, lc = 0;

		for (size_t i = 0; i < n; i++) {
			if (graph_info(g, fns[i])->lineno == line) {
				lf = add64(lf, g->stat[fns[i]].flat);
				lc = add64(lc, g->stat[fns[i]].cum);
			}
		}
		value_or_dot(r, lf, fv, sizeof(fv));
		value_or_dot(r, lc, cv, sizeof(cv));
		buf_addf(out, "%10s %10s %6" PRId64 ":%s\n", fv, cv, line, sf->lines[line]);
	}
}

int report_list(struct report *r, struct buf *out, struct cp_err *err)
{
	struct cp_regex *rx = cp_regex_compile(r->arg, err);
	struct cp_universe *u;
	struct cp_graph *g;
	struct cp_graph_opts go = {
		.sample_index = r->sample_index,
		.mean = r->o.mean,
		.drop_negative = r->o.drop_negative,
	};
	struct source_reader rd = { 0 };
	const char **names = NULL;
	unsigned char *matching, *by_name;
	uint32_t *fns;
	size_t nnames = 0, anames = 0;
	char *cwd = NULL, tot[64];
	int ret = 0;

	if (!rx) {
		char prefix[256];

		snprintf(prefix, sizeof(prefix), "parsing argument regexp %s", r->arg);
		cp_err_prefix(err, prefix);
		return -1;
	}
	u = report_universe(r, true);
	/* only the matching nodes are listed: the walk skips samples without them */
	matching = xcalloc(u->ninfos + 1, 1);
	by_name = xcalloc(u->names.n + 1, 1); /* per name: 0 unknown, 1 no, 2 yes */
	for (uint32_t id = 0; id < u->ninfos; id++) {
		uint32_t s = u->infos[id].name;

		if (!by_name[s])
			by_name[s] = cp_regex_match(rx, strtab_str(&u->names, s),
						    strtab_len(&u->names, s)) ?
					     2 :
					     1;
		matching[id] = by_name[s] == 2;
	}
	free(by_name);
	g = graph_build(u, &go, matching, false);
	fns = xmalloc(st_mult(g->nnodes + 1, sizeof(*fns)));
	for (size_t i = 0; i < g->nnodes; i++) {
		const char *name = strtab_str(&u->names, graph_info(g, g->nodes[i])->name);
		bool seen = false;

		if (!cp_regex_match(rx, name, strlen(name)))
			continue;
		for (size_t k = 0; k < nnames && !seen; k++)
			seen = !strcmp(names[k], name);
		if (!seen) {
			ALLOC_GROW(names, nnames + 1, anames);
			names[nnames++] = name;
		}
	}
	if (!nnames) {
		ret = cp_errf(err, "no matches found for regexp: %s", r->arg);
		goto out;
	}
	qsort(names, nnames, sizeof(*names), name_cmp);
	rd.search_path = r->o.source_path;
	rd.trim_path = r->o.trim_path;
	if (!*rd.search_path) {
		cwd = getcwd(NULL, 0);
		rd.search_path = cwd ? cwd : ".";
	}
	report_value(r, r->total, tot, sizeof(tot));
	buf_addf(out, "Total: %s\n", tot);
	cmp_graph = g;
	for (size_t k = 0; k < nnames; k++) {
		size_t n = 0;

		for (size_t i = 0; i < g->nnodes; i++) {
			const struct cp_node_info *ni = graph_info(g, g->nodes[i]);

			if (ni->file && !strcmp(strtab_str(&u->names, ni->name), names[k]))
				fns[n++] = g->nodes[i];
		}
		if (!n) {
			buf_addf(out, "No source information for %s\n", names[k]);
			continue;
		}
		qsort(fns, n, sizeof(*fns), file_cmp);
		for (size_t i = 0; i < n;) {
			size_t j = i;

			while (j < n && graph_info(g, fns[j])->file == graph_info(g, fns[i])->file)
				j++;
			list_file(r, &rd, g, names[k], fns + i, j - i, out);
			i = j;
		}
	}
	cmp_graph = NULL;
out:
	free(cwd);
	free(fns);
	free(names);
	source_reader_release(&rd);
	graph_free(g);
	free(matching);
	universe_free(u);
	cp_regex_free(rx);
	return ret;
}
