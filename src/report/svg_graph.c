/*
 * svg_graph.c - the call graph laid out and drawn in-process by graphviz
 * (libcgraph + libgvc, the "dot" engine): `svg`, `png`, `gif`, `pdf`, `ps`
 * and `web`.  The only file that includes graphviz's headers.
 *
 * The SVG gets pprof's treatment for browsers: no fixed size, the drawing
 * inside a "viewport" group, and a small pan/zoom script of our own.
 */
#include "model/compat.h"
#include <ctype.h>
#include <fcntl.h>
#include <gvc.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "model/alloc.h"
#include "report/dispatch.h"
#include "report/report.h"

/* Wheel zooms around the pointer, dragging pans; state lives in the viewport transform. */
static const char pan_zoom_script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"(function () {\n"
	"  'use strict';\n"
	"  function init() {\n"
	"    var root = document.documentElement, vp = document.getElementById('viewport');\n"
	"    var scale = 0.5, x = 0, y = 0, grab = null;\n"
	"    if (!vp || !root.addEventListener) return;\n"
	"    function show() {\n"
	"      vp.setAttribute('transform', 'translate(' + x + ',' + y + ') scale(' + scale + ')');\n"
	"    }\n"
	"    function at(ev) {\n"
	"      var box = root.getBoundingClientRect();\n"
	"      return [ev.clientX - box.left, ev.clientY - box.top];\n"
	"    }\n"
	"    root.addEventListener('wheel', function (ev) {\n"
	"      var p = at(ev), s = scale * Math.pow(1.002, -ev.deltaY);\n"
	"      ev.preventDefault();\n"
	"      s = Math.min(Math.max(s, 0.02), 64);\n"
	"      x = p[0] - (p[0] - x) * s / scale;\n"
	"      y = p[1] - (p[1] - y) * s / scale;\n"
	"      scale = s;\n"
	"      show();\n"
	"    }, { passive: false });\n"
	"    root.addEventListener('mousedown', function (ev) {\n"
	"      if (ev.button !== 0) return;\n"
	"      grab = [ev.clientX - x, ev.clientY - y];\n"
	"      ev.preventDefault();\n"
	"    });\n"
	"    root.addEventListener('mousemove', function (ev) {\n"
	"      if (!grab) return;\n"
	"      x = ev.clientX - grab[0];\n"
	"      y = ev.clientY - grab[1];\n"
	"      show();\n"
	"    });\n"
	"    root.addEventListener('mouseup', function () { grab = null; });\n"
	"    root.addEventListener('mouseleave', function () { grab = null; });\n"
	"    vp.setAttribute('data-pan-zoom', 'on');\n"
	"  }\n"
	"  if (document.readyState === 'loading')\n"
	"    document.addEventListener('DOMContentLoaded', init);\n"
	"  else\n"
	"    init();\n"
	"})();\n"
	"]]></script>";

/* graphviz reports errors through a callback; keep the last one for our message. */
static char gv_error[256];

static int gv_error_cb(char *msg)
{
	size_t len = strlen(gv_error);

	if (len < sizeof(gv_error) - 1)
		snprintf(gv_error + len, sizeof(gv_error) - len, "%s", msg);
	return 0;
}

/* The last graphviz message as one line, or "" */
static const char *gv_last_error(void)
{
	size_t n = strlen(gv_error);

	while (n && (gv_error[n - 1] == '\n' || gv_error[n - 1] == ' '))
		gv_error[--n] = 0;
	for (char *c = gv_error; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return gv_error;
}

/* Length of the valid UTF-8 sequence at s (0 if invalid). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) || cp >= 0xfffe)) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * What graphviz may see: valid UTF-8 without the control characters XML
 * forbids (names are arbitrary bytes; each bad byte becomes U+FFFD), and
 * '&' as "&amp;" so that graphviz reads no entity out of a name.
 */
static void sanitize_for_xml(const struct buf *in, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)in->buf;

	for (size_t i = 0; i < in->len;) {
		size_t n = utf8_len(s + i, in->len - i);

		if (n == 0 || (s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')) {
			buf_adds(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (s[i] == '&') {
			buf_adds(out, "&amp;");
			i++;
			continue;
		}
		buf_add(out, s + i, n);
		i += n;
	}
}

/* Is s (at '&') a reference XML accepts: &#N; or &#xH; of a legal character, or a named one? */
static bool xml_reference(const char *s, size_t n)
{
	static const char *const names[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	size_t i, digits = 0;
	bool hex;
	unsigned long cp = 0;

	for (size_t k = 0; k < ARRAY_SIZE(names); k++)
		if (n >= strlen(names[k]) && !memcmp(s, names[k], strlen(names[k])))
			return true;
	if (n < 4 || s[1] != '#')
		return false;
	hex = s[2] == 'x';
	for (i = hex ? 3 : 2; i < n && digits < 8; i++, digits++) {
		int c = (unsigned char)s[i];

		if (hex && isxdigit(c))
			cp = cp * 16 +
			     (unsigned long)(isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
		else if (!hex && isdigit(c))
			cp = cp * 10 + (unsigned long)(c - '0');
		else
			break;
	}
	if (!digits || i >= n || s[i] != ';')
		return false;
	return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
	       (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/*
 * pprof's massaging of graphviz's SVG, plus a fix for every ampersand
 * graphviz leaves bare (it keeps "&name;" from labels as if it were an
 * entity; pprof fixes only "&;").
 */
static void massage_svg(const char *svg, size_t len, struct buf *out)
{
	const char *end = svg + len, *p = svg;
	const char *open = strstr(svg, "<svg");
	const char *graph0 = strstr(svg, "<g id=\"graph0\"");
	const char *close = NULL;

	for (const char *q = svg; (q = strstr(q, "</svg>")) != NULL; q++)
		close = q;
	while (p < end) {
		if (p == open) {
			const char *vb = strstr(p, "viewBox=\"");
			const char *gt = strchr(p, '>');
			const char *vb_end = vb ? strchr(vb + 9, '"') : NULL;

			if (vb && gt && vb < gt && vb_end && vb_end < gt) {
				buf_adds(out, "<svg width=\"100%\" height=\"100%\"");
				p = vb_end + 1;
				continue;
			}
		}
		if (p == graph0) {
			buf_adds(out, pan_zoom_script);
			buf_adds(out,
				 "<g id=\"viewport\" transform=\"scale(0.5,0.5) translate(0,0)\">");
		}
		if (p == close)
			buf_adds(out, "</g>");
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') {
			buf_adds(out, "\xef\xbf\xbd");
			p++;
			continue;
		}
		if (*p == '&' && !xml_reference(p, (size_t)(end - p))) {
			buf_adds(out, "&amp;");
			p++;
			continue;
		}
		buf_addc(out, *p++);
	}
}

/*
 * Layout bounds.  Graphviz's dot engine can take minutes on a dense graph
 * of a hundred nodes and calls exit() when memory runs out, so it runs in
 * a child process: network simplex and mincross get search limits, the
 * child's address space may grow by LAYOUT_MAX_AS at most, and a child not
 * done within the watchdog time ($CPROF_LAYOUT_TIMEOUT seconds, default
 * LAYOUT_SECONDS) is killed.  Either way the report fails with one error
 * and no image.  The DOT has at most LAYOUT_EDGES_PER_NODE edges per node.
 */
#define LAYOUT_SECONDS	      20
#define LAYOUT_MAX_AS	      ((rlim_t)2 << 30)
#define LAYOUT_EDGES_PER_NODE 4

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Render in the child: the status byte 'O' and the data, or 'E' and a message, on fd. */
static NORETURN void layout_child(int fd, const struct buf *dot, const char *format)
{
	struct buf clean = BUF_INIT;
	struct rlimit rl;
	unsigned long pages = 0;
	FILE *statm = fopen("/proc/self/statm", "r");
	GVC_t *gvc;
	Agraph_t *g;
	char *data = NULL;
	unsigned int len = 0;
	const char *what = NULL;

	/*
	 * The budget is on top of what is mapped already (ASan maps terabytes);
	 * under valgrind (its preload library) the limit would bind valgrind.
	 */
	const char *preload = getenv("LD_PRELOAD");

	if (preload && strstr(preload, "vgpreload"))
		pages = 0;
	else if (statm && fscanf(statm, "%lu", &pages) != 1)
		pages = 0;
	if (pages && !getrlimit(RLIMIT_AS, &rl)) {
		rlim_t cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + LAYOUT_MAX_AS;

		if (rl.rlim_cur == RLIM_INFINITY || cur < rl.rlim_cur) {
			rl.rlim_cur = cur;
			setrlimit(RLIMIT_AS, &rl);
		}
	}
	if (statm)
		fclose(statm);
	buf_init(&clean);
	sanitize_for_xml(dot, &clean);
	gv_error[0] = 0;
	agseterrf(gv_error_cb);
	agseterr(AGERR);
	gvc = gvContext();
	g = gvc ? agmemread(clean.buf) : NULL;
	if (!gvc) {
		what = "graphviz: cannot create a context";
	} else if (!g) {
		what = "graphviz: cannot read the graph: ";
	} else {
		/* cgraph takes char *, not const */
		static char limits[][2][12] = { { "nslimit", "4" },
						{ "nslimit1", "4" },
						{ "mclimit", "0.5" },
						{ "searchsize", "30" } };

		for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
			agattr(g, AGRAPH, limits[i][0], limits[i][1]);
		if (gvLayout(gvc, g, "dot"))
			what = "graphviz: dot layout failed (is Debian's libgvc6 installed?): ";
		else if (gvRenderData(gvc, g, format, &data, &len) || !data)
			what = "graphviz cannot render this format (its renderers come with "
			       "Debian's libgvc6 package; run 'dot -c' as root if it is "
			       "installed): ";
	}
	if (what) {
		struct buf msg = BUF_INIT;

		buf_init(&msg);
		buf_addf(&msg, "E%s%s", what, gv_last_error());
		_exit(write_all(fd, msg.buf, msg.len) ? 2 : 1);
	}
	{
		/* 'O', the length (8 bytes, host order), the data */
		uint64_t n = len;
		char head[9] = { 'O' };

		memcpy(head + 1, &n, sizeof(n));
		_exit(write_all(fd, head, sizeof(head)) || write_all(fd, data, len) ? 1 : 0);
	}
}

/* Did the child send 'O' and all the data it announced? */
static bool complete(const struct buf *res)
{
	uint64_t n;

	if (res->len < 9 || res->buf[0] != 'O')
		return false;
	memcpy(&n, res->buf + 1, sizeof(n));
	return n == res->len - 9;
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Lay out and render dot in a child process; its stdout is the result,
 * its stderr (graphviz warnings, exit() messages) is kept for the error.
 */
static int render(const struct buf *dot, const char *format, struct buf *out, struct cp_err *err)
{
	struct buf res = BUF_INIT, msg = BUF_INIT;
	int data_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
	const char *env = getenv("CPROF_LAYOUT_TIMEOUT");
	double limit = env && *env ? atof(env) : LAYOUT_SECONDS, deadline;
	bool timed_out = false;
	int status = 0, ret = 0;
	pid_t pid = -1;

	buf_init(&res);
	buf_init(&msg);
	if (pipe2(data_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
		ret = cp_errf(err, "graphviz: pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = cp_errf(err, "graphviz: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(err_pipe[1], 2);
		close(data_pipe[0]);
		close(err_pipe[0]);
		layout_child(data_pipe[1], dot, format);
	}
	close(data_pipe[1]);
	close(err_pipe[1]);
	data_pipe[1] = err_pipe[1] = -1;
	deadline = now_seconds() + limit;
	while (data_pipe[0] >= 0 || err_pipe[0] >= 0) {
		struct pollfd pf[2] = { { data_pipe[0], POLLIN, 0 }, { err_pipe[0], POLLIN, 0 } };
		double left = deadline - now_seconds();
		int n;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		n = poll(pf, 2, (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR) {
			ret = cp_errf(err, "graphviz: poll: %s", strerror(errno));
			goto out;
		}
		for (int k = 0; k < 2 && n > 0; k++) {
			int *fd = k ? &err_pipe[0] : &data_pipe[0];
			struct buf *b = k ? &msg : &res;
			char chunk[65536];
			ssize_t got;

			if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(*fd, chunk, sizeof(chunk));
			if (got > 0 && (!k || b->len < 4096))
				buf_add(b, chunk, (size_t)got);
			else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (timed_out) {
		ret = cp_errf(err,
			      "graphviz: layout took longer than %g s; lower -nodecount or raise "
			      "-edgefraction",
			      limit);
	} else if (complete(&res)) {
		/* all the data is here: how the child ended after it does not matter */
		if (!strcmp(format, "svg"))
			massage_svg(res.buf + 9, res.len - 9, out);
		else
			buf_add(out, res.buf + 9, res.len - 9);
	} else if (res.len && res.buf[0] == 'E') {
		ret = cp_errf(err, "%s", res.buf + 1);
	} else {
		/* graphviz's exit() on exhaustion, or a crash: its first line of stderr */
		char *nl = strchr(msg.buf, '\n');

		if (nl)
			*nl = 0;
		if (WIFSIGNALED(status))
			ret = cp_errf(err, "graphviz: layout died of signal %d%s%s",
				      WTERMSIG(status), *msg.buf ? ": " : "", msg.buf);
		else
			ret = cp_errf(err,
				      "graphviz: layout failed (over the %d MiB memory limit?)%s%s",
				      (int)(LAYOUT_MAX_AS >> 20), *msg.buf ? ": " : "", msg.buf);
	}
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	for (int k = 0; k < 2; k++) {
		if (data_pipe[k] >= 0)
			close(data_pipe[k]);
		if (err_pipe[k] >= 0)
			close(err_pipe[k]);
	}
	buf_release(&res);
	buf_release(&msg);
	return ret;
}

static int graph_image(struct report *r, const char *format, struct buf *out, struct cp_err *err)
{
	struct buf dot = BUF_INIT;
	int ret;

	buf_init(&dot);
	ret = report_dot_layout(r, LAYOUT_EDGES_PER_NODE, &dot, err);
	if (!ret)
		ret = render(&dot, format, out, err);
	buf_release(&dot);
	return ret;
}

int report_svg(struct report *r, struct buf *out, struct cp_err *err)
{
	return graph_image(r, "svg", out, err);
}

int report_png(struct report *r, struct buf *out, struct cp_err *err)
{
	return graph_image(r, "png", out, err);
}

int report_gif(struct report *r, struct buf *out, struct cp_err *err)
{
	return graph_image(r, "gif", out, err);
}

int report_pdf(struct report *r, struct buf *out, struct cp_err *err)
{
	return graph_image(r, "pdf", out, err);
}

int report_ps(struct report *r, struct buf *out, struct cp_err *err)
{
	return graph_image(r, "ps", out, err);
}
