#include "model/compat.h"
#include "model/alloc.h"
#include "model/buf.h"
#include "model/graph.h"
#include "model/hash.h"

/* ---- paths ---- */

char *path_clean(const char *path, size_t len)
{
	bool rooted = len && path[0] == '/';
	char *out = xmalloc(len + 2);
	size_t w = 0, r = 0, dotdot = 0;

	if (len == 0) {
		out[0] = '.';
		out[1] = '\0';
		return out;
	}
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < len) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == len || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == len || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < len && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

static const char *path_base(const char *dir, size_t len, size_t *blen)
{
	size_t end = len, start;

	while (end > 1 && dir[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && dir[start - 1] != '/')
		start--;
	*blen = end - start;
	if (end == 0) {
		*blen = 1;
		return ".";
	}
	if (*blen == 0) {
		*blen = 1;
		return "/";
	}
	return dir + start;
}

const char *path_trim(const char *path, const char *trim_path, const char *source_path)
{
	static const char *const fixed[] = { "/proc/self/cwd/./", "/proc/self/cwd/" };
	struct buf want = BUF_INIT;

	buf_init(&want);
	if ((!trim_path || !*trim_path) && source_path && *source_path) {
		for (const char *d = source_path; *d;) {
			const char *colon = strchr(d, ':');
			size_t dl = colon ? (size_t)(colon - d) : strlen(d), bl;
			const char *b = path_base(d, dl, &bl);
			const char *found;

			buf_reset(&want);
			buf_addc(&want, '/');
			buf_add(&want, b, bl);
			buf_addc(&want, '/');
			found = strstr(path, want.buf);
			if (found) {
				buf_release(&want);
				return found + want.len;
			}
			if (!colon)
				break;
			d = colon + 1;
		}
	}
	for (const char *d = trim_path ? trim_path : ""; *d;) {
		const char *colon = strchr(d, ':');
		size_t dl = colon ? (size_t)(colon - d) : strlen(d);

		if (dl) {
			buf_reset(&want);
			buf_add(&want, d, dl);
			if (want.buf[want.len - 1] != '/')
				buf_addc(&want, '/');
			if (!strncmp(path, want.buf, want.len)) {
				buf_release(&want);
				return path + want.len;
			}
		}
		if (!colon)
			break;
		d = colon + 1;
	}
	buf_release(&want);
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		if (!strncmp(path, fixed[i], strlen(fixed[i])))
			return path + strlen(fixed[i]);
	return path;
}

/* ---- universe ---- */

static uint64_t info_hash(const struct cp_node_info *ni)
{
	return hash_bytes(ni, sizeof(*ni), 0);
}

static void universe_rehash(struct cp_universe *u)
{
	size_t cap = (u->mask + 1) * 2;

	free(u->slots);
	u->slots = xcalloc(cap, sizeof(*u->slots));
	u->mask = cap - 1;
	for (size_t id = 0; id < u->ninfos; id++) {
		size_t i = info_hash(&u->infos[id]) & u->mask;

		while (u->slots[i])
			i = (i + 1) & u->mask;
		u->slots[i] = (uint32_t)id + 1;
	}
}

static uint32_t universe_intern(struct cp_universe *u, const struct cp_node_info *ni)
{
	size_t i;

	if ((u->ninfos + 1) * 2 > u->mask + 1)
		universe_rehash(u);
	for (i = info_hash(ni) & u->mask; u->slots[i]; i = (i + 1) & u->mask) {
		uint32_t id = u->slots[i] - 1;

		if (!memcmp(&u->infos[id], ni, sizeof(*ni)))
			return id;
	}
	ALLOC_GROW(u->infos, u->ninfos + 1, u->ainfos);
	u->infos[u->ninfos] = *ni;
	u->slots[i] = (uint32_t)u->ninfos + 1;
	return (uint32_t)u->ninfos++;
}

struct cp_universe *universe_build(const struct cp_view *v, const struct cp_universe_opts *o)
{
	const struct cp_profile *p = v->p;
	struct cp_universe *u = xcalloc(1, sizeof(*u));
	bool fn = true, fl = true, ln = true, addr = true, col = true;
	bool inl = !o->noinlines;
	uint32_t *fname = xmalloc(st_mult(p->nfunctions + 1, sizeof(uint32_t)));
	uint32_t *ffile = xmalloc(st_mult(p->nfunctions + 1, sizeof(uint32_t)));
	uint32_t *mfile = xmalloc(st_mult(p->nmappings + 1, sizeof(uint32_t)));
	size_t n = 0;

	/* pprof's aggregate(): which parts of a frame survive */
	switch (o->granularity) {
	case CP_GRAN_ADDRESSES:
		col = inl || o->show_columns;
		break;
	case CP_GRAN_LINES:
		addr = false;
		col = o->show_columns;
		break;
	case CP_GRAN_FILES:
		fn = ln = addr = col = false;
		break;
	case CP_GRAN_FUNCTIONS:
		fl = ln = addr = col = false;
		break;
	case CP_GRAN_FILEFUNCTIONS:
		ln = addr = col = false;
		break;
	}

	u->view = v;
	strtab_init(&u->names);
	u->mask = 1023;
	u->slots = xcalloc(u->mask + 1, sizeof(*u->slots));
	for (size_t i = 0; i < p->nfunctions; i++) {
		const struct cp_function *f = &p->functions[i];

		fname[i] = fn ? strtab_intern(&u->names, profile_str(p, f->name),
					      strtab_len(&p->strs, f->name))
			      : 0;
		ffile[i] = 0;
		if (fl && f->filename) {
			const char *t = path_trim(profile_str(p, f->filename), o->trim_path,
						  o->source_path);
			char *c;

			if (*t) {
				c = path_clean(t, strlen(t));
				ffile[i] = strtab_intern(&u->names, c, strlen(c));
				free(c);
			}
		}
	}
	for (size_t i = 0; i < p->nmappings; i++)
		mfile[i] = strtab_intern(&u->names, profile_str(p, p->mappings[i].file),
					 strtab_len(&p->strs, p->mappings[i].file));

	u->loc_off = xmalloc(st_mult(p->nlocations + 1, sizeof(uint32_t)));
	u->loc_n = xmalloc(st_mult(p->nlocations + 1, sizeof(uint32_t)));
	for (size_t l = 0; l < p->nlocations; l++)
		n += v->locs[l].nlines ? v->locs[l].nlines : 1;
	u->loc_nodes = xmalloc(st_mult(n + 1, sizeof(uint32_t)));
	n = 0;
	for (size_t l = 0; l < p->nlocations; l++) {
		const struct cp_location *loc = &p->locations[l];
		const struct cp_vloc *vl = &v->locs[l];
		uint32_t first = 0, cnt = vl->nlines;
		uint32_t objfile = loc->mapping != CP_NONE ? mfile[loc->mapping] : 0;
		struct cp_node_info ni;

		if (!inl && cnt > 1) {
			first = cnt - 1;
			cnt = 1;
		}
		u->loc_off[l] = (uint32_t)n;
		u->loc_n[l] = cnt ? cnt : 1;
		if (!cnt) {
			memset(&ni, 0, sizeof(ni));
			ni.address = addr ? loc->address : 0;
			ni.objfile = objfile;
			u->loc_nodes[n++] = universe_intern(u, &ni);
			continue;
		}
		for (uint32_t i = first; i < first + cnt; i++) {
			const struct cp_line *line = &p->lines[v->lines[vl->line_off + i]];
			const struct cp_function *f = &p->functions[line->function];

			memset(&ni, 0, sizeof(ni));
			ni.address = addr ? loc->address : 0;
			ni.lineno = ln ? line->line : 0;
			ni.columnno = col ? line->column : 0;
			ni.name = fname[line->function];
			ni.file = ffile[line->function];
			if (o->obj_names || ni.name == 0) {
				ni.objfile = objfile;
				ni.start_line = f->start_line;
			}
			u->loc_nodes[n++] = universe_intern(u, &ni);
		}
	}
	u->printable = xcalloc(u->ninfos + 1, sizeof(*u->printable));
	free(fname);
	free(ffile);
	free(mfile);
	return u;
}

void universe_free(struct cp_universe *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->ninfos; i++)
		free(u->printable[i]);
	free(u->printable);
	strtab_free(&u->names);
	free(u->infos);
	free(u->slots);
	free(u->loc_off);
	free(u->loc_n);
	free(u->loc_nodes);
	free(u);
}

const char *universe_printable(struct cp_universe *u, uint32_t id)
{
	const struct cp_node_info *ni = &u->infos[id];
	struct buf b = BUF_INIT;

	if (u->printable[id])
		return u->printable[id];
	buf_init(&b);
	if (ni->address)
		buf_addf(&b, "%016" PRIx64, ni->address);
	if (ni->name)
		buf_addf(&b, "%s%s", b.len ? " " : "", strtab_str(&u->names, ni->name));
	if (ni->lineno) {
		buf_addf(&b, "%s%s:%" PRId64, b.len ? " " : "", strtab_str(&u->names, ni->file),
			 ni->lineno);
		if (ni->columnno)
			buf_addf(&b, ":%" PRId64, ni->columnno);
	} else if (ni->file) {
		buf_addf(&b, "%s%s", b.len ? " " : "", strtab_str(&u->names, ni->file));
	} else if (ni->name) {
		/* the name says it all */
	} else if (ni->objfile) {
		const char *f = strtab_str(&u->names, ni->objfile);
		const char *slash = strrchr(f, '/');

		buf_addf(&b, "%s[%s]", b.len ? " " : "", slash && slash[1] ? slash + 1 : f);
	} else {
		buf_addf(&b, "%s<unknown>", b.len ? " " : "");
	}
	u->printable[id] = buf_detach(&b, NULL);
	return u->printable[id];
}

/* ---- graph ---- */

static uint32_t edge_get(struct cp_graph *g, uint32_t src, uint32_t dst)
{
	uint64_t key = (uint64_t)src << 32 | dst;
	size_t i;

	if ((g->nedges + 1) * 2 > g->emask + 1) {
		size_t cap = (g->emask + 1) * 2;

		free(g->ekeys);
		free(g->evals);
		g->ekeys = xcalloc(cap, sizeof(*g->ekeys));
		g->evals = xmalloc(st_mult(cap, sizeof(*g->evals)));
		g->emask = cap - 1;
		for (size_t e = 0; e < g->nedges; e++) {
			uint64_t k = (uint64_t)g->edges[e].src << 32 | g->edges[e].dst;

			for (i = hash_mix64(k) & g->emask; g->ekeys[i]; i = (i + 1) & g->emask)
				;
			g->ekeys[i] = k;
			g->evals[i] = (uint32_t)e;
		}
	}
	for (i = hash_mix64(key) & g->emask; g->ekeys[i]; i = (i + 1) & g->emask)
		if (g->ekeys[i] == key)
			return g->evals[i];
	g->ekeys[i] = key;
	g->evals[i] = (uint32_t)g->nedges;
	ALLOC_GROW(g->edges, g->nedges + 1, g->aedges);
	memset(&g->edges[g->nedges], 0, sizeof(g->edges[0]));
	g->edges[g->nedges].src = src;
	g->edges[g->nedges].dst = dst;
	g->edges[g->nedges].is_inline = true;
	return (uint32_t)g->nedges++;
}

struct cp_graph *graph_build(struct cp_universe *u, const struct cp_graph_opts *o,
			     const unsigned char *kept)
{
	const struct cp_view *v = u->view;
	const struct cp_profile *p = v->p;
	struct cp_graph *g = xcalloc(1, sizeof(*g));
	size_t nu = u->ninfos + 1, nvt = p->nsample_types;
	uint32_t *nstamp = xcalloc(nu, sizeof(uint32_t));
	uint32_t *estamp = NULL;
	size_t aestamp = 0;
	uint32_t gen = 0;

	g->u = u;
	g->flat = xcalloc(nu, sizeof(int64_t));
	g->flat_div = xcalloc(nu, sizeof(int64_t));
	g->cum = xcalloc(nu, sizeof(int64_t));
	g->cum_div = xcalloc(nu, sizeof(int64_t));
	g->emask = 4095;
	g->ekeys = xcalloc(g->emask + 1, sizeof(*g->ekeys));
	g->evals = xmalloc((g->emask + 1) * sizeof(*g->evals));

	for (size_t i = 0; i < v->nsamples; i++) {
		const struct cp_vsample *s = &v->samples[i];
		const int64_t *vals = p->values + (size_t)s->sample * nvt;
		const uint32_t *stk = v->stack + s->stack_off;
		int64_t w = vals[o->sample_index], dw = o->mean ? vals[0] : 0;
		uint32_t parent = CP_NONE;
		bool residual = false;

		if (w == 0 && dw == 0)
			continue;
		gen++;
		for (uint32_t k = s->depth; k-- > 0;) {
			uint32_t loc = stk[k];
			const uint32_t *ln = u->loc_nodes + u->loc_off[loc];

			for (uint32_t ni = u->loc_n[loc]; ni-- > 0;) {
				uint32_t id = ln[ni];

				if (kept && !kept[id]) {
					residual = true;
					continue;
				}
				if (nstamp[id] != gen) {
					nstamp[id] = gen;
					g->cum[id] += w;
					g->cum_div[id] += dw;
				}
				if (parent != CP_NONE && id != parent) {
					uint32_t e = edge_get(g, parent, id);

					if (e >= aestamp) {
						size_t old = aestamp;

						ALLOC_GROW(estamp, e + 1, aestamp);
						memset(estamp + old, 0, (aestamp - old) * sizeof(*estamp));
					}
					if (estamp[e] != gen) {
						struct cp_edge *ed = &g->edges[e];

						estamp[e] = gen;
						ed->weight += w;
						ed->weight_div += dw;
						if (residual)
							ed->residual = true;
						if (ni == u->loc_n[loc] - 1)
							ed->is_inline = false;
					}
				}
				parent = id;
				residual = false;
			}
		}
		if (parent != CP_NONE && !residual) {
			g->flat[parent] += w;
			g->flat_div[parent] += dw;
		}
	}
	free(nstamp);
	free(estamp);

	g->nodes = xmalloc(st_mult(nu, sizeof(uint32_t)));
	for (uint32_t id = 0; id < u->ninfos; id++) {
		if (kept && !kept[id])
			continue;
		if (g->cum[id] == 0 && g->flat[id] == 0)
			continue;
		if (o->drop_negative &&
		    (g->flat[id] < 0 || (g->flat[id] == 0 && g->cum[id] < 0)))
			continue;
		g->nodes[g->nnodes++] = id;
	}
	return g;
}

void graph_free(struct cp_graph *g)
{
	if (!g)
		return;
	free(g->flat);
	free(g->flat_div);
	free(g->cum);
	free(g->cum_div);
	free(g->nodes);
	free(g->edges);
	free(g->ekeys);
	free(g->evals);
	free(g);
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* Go's fmt.Sprint of a NodeInfo, pprof's last tie-breaker. */
static void info_string(struct cp_universe *u, uint32_t id, struct buf *b)
{
	const struct cp_node_info *ni = &u->infos[id];

	buf_reset(b);
	buf_addf(b, "{%s %s %" PRIu64 " %s %" PRId64 " %" PRId64 " %" PRId64 " %s}",
		 strtab_str(&u->names, ni->name), strtab_str(&u->names, ni->orig_name),
		 ni->address, strtab_str(&u->names, ni->file), ni->start_line, ni->lineno,
		 ni->columnno, strtab_str(&u->names, ni->objfile));
}

static struct cp_graph *sort_graph;
static enum cp_node_order sort_order;

static int node_cmp(const void *a, const void *b)
{
	struct cp_graph *g = sort_graph;
	uint32_t l = *(const uint32_t *)a, r = *(const uint32_t *)b;
	int64_t lv, rv;
	int c;

	if (sort_order == CP_ORDER_FLAT) {
		lv = abs64(g->flat[l]);
		rv = abs64(g->flat[r]);
	} else {
		lv = abs64(g->cum[l]);
		rv = abs64(g->cum[r]);
	}
	if (lv != rv)
		return lv > rv ? -1 : 1;
	c = strcmp(universe_printable(g->u, l), universe_printable(g->u, r));
	if (c)
		return c;
	if (sort_order == CP_ORDER_FLAT) {
		lv = abs64(g->cum[l]);
		rv = abs64(g->cum[r]);
	} else {
		lv = abs64(g->flat[l]);
		rv = abs64(g->flat[r]);
	}
	if (lv != rv)
		return lv > rv ? -1 : 1;
	{
		struct buf x = BUF_INIT, y = BUF_INIT;

		buf_init(&x);
		buf_init(&y);
		info_string(g->u, l, &x);
		info_string(g->u, r, &y);
		c = strcmp(x.buf, y.buf);
		buf_release(&x);
		buf_release(&y);
	}
	return c;
}

void graph_sort(struct cp_graph *g, enum cp_node_order order)
{
	sort_graph = g;
	sort_order = order;
	qsort(g->nodes, g->nnodes, sizeof(uint32_t), node_cmp);
	sort_graph = NULL;
}

int graph_trim_edges(struct cp_graph *g, int64_t cutoff)
{
	unsigned char *listed = xcalloc(g->u->ninfos + 1, 1);
	int dropped = 0;

	for (size_t i = 0; i < g->nnodes; i++)
		listed[g->nodes[i]] = 1;
	for (size_t e = 0; e < g->nedges; e++) {
		struct cp_edge *ed = &g->edges[e];

		if (!ed->dropped && listed[ed->dst] && abs64(ed->weight) < cutoff) {
			ed->dropped = true;
			dropped++;
		}
	}
	free(listed);
	return dropped;
}

static unsigned char *kept_set(const struct cp_graph *g, size_t n, int64_t cutoff, size_t *count)
{
	unsigned char *kept = xcalloc(g->u->ninfos + 1, 1);

	*count = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t id = g->nodes[i];

		if (abs64(g->cum[id]) < cutoff)
			continue;
		kept[id] = 1;
		(*count)++;
	}
	return kept;
}

struct cp_graph *graph_trimmed(struct cp_universe *u, const struct cp_graph_opts *go,
			       const struct cp_trim_opts *to, struct cp_trim_result *res)
{
	struct cp_graph *g = graph_build(u, go, NULL);
	enum cp_node_order order = to->cum_sort ? CP_ORDER_CUM : CP_ORDER_FLAT;
	int64_t total = 0, node_cutoff, edge_cutoff;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < g->nnodes; i++)
		total += g->flat[g->nodes[i]];
	node_cutoff = abs64((int64_t)((double)total * to->nodefraction));
	edge_cutoff = abs64((int64_t)((double)total * to->edgefraction));

	if (node_cutoff > 0) {
		size_t count;
		unsigned char *kept = kept_set(g, g->nnodes, node_cutoff, &count);

		if (count != g->nnodes) {
			res->dropped_nodes = (int)(g->nnodes - count);
			graph_free(g);
			g = graph_build(u, go, kept);
		}
		free(kept);
	}
	res->orig_count = (int)g->nnodes;
	graph_sort(g, order);
	if (to->nodecount > 0) {
		graph_trim_edges(g, edge_cutoff);
		if ((size_t)to->nodecount < g->nnodes) {
			size_t count;
			unsigned char *kept = kept_set(g, (size_t)to->nodecount, 0, &count);

			graph_free(g);
			g = graph_build(u, go, kept);
			free(kept);
			graph_sort(g, order);
		}
	}
	res->dropped_edges = graph_trim_edges(g, edge_cutoff);
	return g;
}
