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
#include <gvc.h>
#include <pthread.h>
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
static pthread_mutex_t gv_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * One graphviz context for the process, never freed: the pango plugin keeps
 * a pointer to the last font name, which belongs to the context, so a
 * second layout after gvFreeContext reads freed memory (the web UI renders
 * many graphs in one process).
 */
static GVC_t *gv_context;
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

/* Graphviz renderers and the Debian package that has them. */
static int render(const struct buf *dot, const char *format, struct buf *out, struct cp_err *err)
{
	struct buf clean = BUF_INIT;
	GVC_t *gvc;
	Agraph_t *g = NULL;
	char *data = NULL;
	unsigned int len = 0;
	int ret = 0;

	buf_init(&clean);
	sanitize_for_xml(dot, &clean);
	pthread_mutex_lock(&gv_lock);
	gv_error[0] = 0;
	agseterrf(gv_error_cb);
	agseterr(AGERR);
	if (!gv_context)
		gv_context = gvContext();
	gvc = gv_context;
	if (!gvc) {
		ret = cp_errf(err, "graphviz: cannot create a context");
		goto out;
	}
	g = agmemread(clean.buf);
	if (!g) {
		ret = cp_errf(err, "graphviz: cannot read the graph: %s", gv_last_error());
		goto out;
	}
	if (gvLayout(gvc, g, "dot")) {
		ret = cp_errf(err,
			      "graphviz: dot layout failed: %s (is Debian's libgvc6 installed?)",
			      gv_last_error());
		goto out;
	}
	if (gvRenderData(gvc, g, format, &data, &len) || !data) {
		ret = cp_errf(err,
			      "graphviz cannot render %s: %s (its renderers come with Debian's "
			      "libgvc6 package; run 'dot -c' as root if it is installed)",
			      format, gv_last_error());
		goto out;
	}
	if (!strcmp(format, "svg"))
		massage_svg(data, len, out);
	else
		buf_add(out, data, len);
out:
	if (data)
		gvFreeRenderData(data);
	if (g) {
		gvFreeLayout(gvc, g);
		agclose(g);
	}
	pthread_mutex_unlock(&gv_lock);
	buf_release(&clean);
	return ret;
}

static int graph_image(struct report *r, const char *format, struct buf *out, struct cp_err *err)
{
	struct buf dot = BUF_INIT;
	int ret;

	buf_init(&dot);
	ret = report_dot(r, &dot, err);
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
