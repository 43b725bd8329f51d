/*
 * text.c - count profiles (threads, threadcreate, custom) and
 * contention profiles (block, mutex), written as Go writes them: gzipped
 * profile.proto with debug=0, Go's legacy text with debug=1.
 *
 * The text is byte-compatible with runtime/pprof's: the same header, the
 * same grouping and ordering of records, "@" lines with return addresses,
 * "#" lines with call addresses (return - 1) and func+offset, and the same
 * column padding (text/tabwriter with minwidth 1, tabwidth 8, padding 1,
 * tabs).  Function names come from the objects' ELF symbol tables (the
 * library carries no DWARF reader), so the file:line column is "?:0", as
 * Go's runtime writes a frame whose line is unknown.
 *
 * Everything here runs outside signal context with the caller's guard
 * set, and allocates from glibc directly.
 */
#include "model/compat.h"
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "record/rec.h"

/* ---- a growable string ---- */

void rec_text_add(struct rec_text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (rec_grow((void **)&t->buf, &t->cap, t->len + n + 1, 1)) {
		t->oom = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

void rec_text_addf(struct rec_text *t, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		rec_text_add(t, small, (size_t)n);
		return;
	}
	if (t->oom || rec_grow((void **)&t->buf, &t->cap, t->len + (size_t)n + 1, 1)) {
		t->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void rec_text_release(struct rec_text *t)
{
	__libc_free(t->buf);
	t->buf = NULL;
	t->len = t->cap = 0;
}

/* ---- Go's text/tabwriter(minwidth 1, tabwidth 8, padding 1, '\t', 0) ---- */

struct tw_cell {
	size_t off, len, width; /* width in runes */
};

struct tw_line {
	size_t first, ncells; /* cells[first .. first+ncells); the last one is unterminated */
};

struct tw {
	const char *src;
	struct tw_cell *cells;
	size_t ncells, capcells;
	struct tw_line *lines;
	size_t nlines, caplines;
	size_t widths[64];
	size_t nwidths;
	struct rec_text *out;
	bool oom;
};

static size_t runes(const char *s, size_t n)
{
	size_t r = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			r++;
	return r;
}

static void tw_write_lines(struct tw *w, size_t l0, size_t l1)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";

	for (size_t i = l0; i < l1; i++) {
		struct tw_line *l = &w->lines[i];

		for (size_t j = 0; j < l->ncells; j++) {
			struct tw_cell *c = &w->cells[l->first + j];

			rec_text_add(w->out, w->src + c->off, c->len);
			if (j < w->nwidths && j + 1 < l->ncells) {
				size_t cellw = (w->widths[j] + 7) / 8 * 8;
				size_t n = cellw > c->width ? cellw - c->width : 0;

				for (n = (n + 7) / 8; n > 0; n -= n > 16 ? 16 : n)
					rec_text_add(w->out, tabs, n > 16 ? 16 : n);
			}
		}
		rec_text_add(w->out, "\n", 1);
	}
}

static size_t tw_format(struct tw *w, size_t l0, size_t l1)
{
	size_t column = w->nwidths;

	for (size_t this = l0; this < l1; this ++) {
		size_t width = 1;

		if (column + 1 >= w->lines[this].ncells)
			continue;
		tw_write_lines(w, l0, this);
		l0 = this;
		for (; this < l1; this ++) {
			struct tw_line *l = &w->lines[this];
			size_t cw;

			if (column + 1 >= l->ncells)
				break;
			cw = w->cells[l->first + column].width + 1;
			if (cw > width)
				width = cw;
		}
		if (w->nwidths >= sizeof(w->widths) / sizeof(w->widths[0]))
			break;
		w->widths[w->nwidths++] = width;
		tw_format(w, l0, this);
		w->nwidths--;
		l0 = this;
	}
	tw_write_lines(w, l0, l1);
	return l1;
}

/* Pad the tab-separated text in src (lines end with '\n') into out. */
void rec_tabwrite(const char *src, size_t len, struct rec_text *out)
{
	struct tw w;
	size_t start = 0;

	memset(&w, 0, sizeof(w));
	w.src = src;
	w.out = out;
	for (size_t i = 0; i <= len && !w.oom; i++) {
		bool eol = i == len || src[i] == '\n';

		if (i == len && start == len)
			break;
		if (eol || src[i] == '\t') {
			if (rec_grow((void **)&w.cells, &w.capcells, w.ncells + 1,
				     sizeof(*w.cells))) {
				w.oom = true;
				break;
			}
			w.cells[w.ncells++] =
				(struct tw_cell){ start, i - start, runes(src + start, i - start) };
			start = i + 1;
		}
		if (eol) {
			size_t first = w.nlines ? w.lines[w.nlines - 1].first +
							  w.lines[w.nlines - 1].ncells :
						  0;

			if (rec_grow((void **)&w.lines, &w.caplines, w.nlines + 1,
				     sizeof(*w.lines))) {
				w.oom = true;
				break;
			}
			w.lines[w.nlines++] = (struct tw_line){ first, w.ncells - first };
		}
	}
	if (w.oom)
		out->oom = true;
	else
		tw_format(&w, 0, w.nlines);
	__libc_free(w.cells);
	__libc_free(w.lines);
}

/* ---- function names from ELF symbol tables ---- */

struct sym {
	uintptr_t start, size;
	const char *name;
};

struct module {
	uintptr_t base; /* load bias (l_addr) */
	char path[256];
	void *map;
	size_t maplen;
	struct sym *syms; /* sorted by start */
	size_t nsyms;
	struct module *next;
};

static struct module *modules;
static struct rec_lock modules_lock;

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Read the FUNC symbols of the ELF file at path (.symtab, else .dynsym). */
static void module_load(struct module *m, const char *path)
{
	const ElfW(Ehdr) * eh;
	const ElfW(Shdr) * sh;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 0;

	if (fd < 0)
		return;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(ElfW(Ehdr))) {
		close(fd);
		return;
	}
	m->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		return;
	}
	m->maplen = (size_t)st.st_size;
	eh = m->map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_shoff == 0 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) > m->maplen)
		return;
	sh = (const ElfW(Shdr) *)((const char *)m->map + eh->e_shoff);
	for (int pass = 0; pass < 2 && !m->nsyms; pass++) {
		unsigned want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;

		for (size_t i = 0; i < eh->e_shnum; i++) {
			const ElfW(Sym) * s;
			const char *strs;
			size_t n;

			if (sh[i].sh_type != want || sh[i].sh_link >= eh->e_shnum ||
			    sh[i].sh_offset + sh[i].sh_size > m->maplen ||
			    sh[sh[i].sh_link].sh_offset + sh[sh[i].sh_link].sh_size > m->maplen)
				continue;
			s = (const ElfW(Sym) *)((const char *)m->map + sh[i].sh_offset);
			strs = (const char *)m->map + sh[sh[i].sh_link].sh_offset;
			n = sh[i].sh_size / sizeof(*s);
			for (size_t k = 0; k < n; k++) {
				if (ELF64_ST_TYPE(s[k].st_info) != STT_FUNC || !s[k].st_value ||
				    s[k].st_name >= sh[sh[i].sh_link].sh_size)
					continue;
				if (rec_grow((void **)&m->syms, &cap, m->nsyms + 1,
					     sizeof(*m->syms)))
					return;
				m->syms[m->nsyms++] = (struct sym){ s[k].st_value, s[k].st_size,
								    strs + s[k].st_name };
			}
		}
	}
	qsort(m->syms, m->nsyms, sizeof(*m->syms), sym_cmp);
}

static struct module *module_for(uintptr_t base, const char *path)
{
	struct module *m;

	for (m = modules; m; m = m->next)
		if (m->base == base && !strcmp(m->path, path))
			return m;
	m = __libc_calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->base = base;
	snprintf(m->path, sizeof(m->path), "%s", path);
	module_load(m, path);
	m->next = modules;
	modules = m;
	return m;
}

/* The function containing pc: its name and entry address; false if unknown. */
bool rec_sym_lookup(uintptr_t pc, const char **name, uintptr_t *entry)
{
	struct link_map *lm = NULL;
	struct module *m;
	const char *path;
	Dl_info info;
	bool found = false;
	size_t lo = 0, hi;

	if (!dladdr1((void *)pc, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
		return false;
	path = lm->l_name && *lm->l_name ? lm->l_name : "/proc/self/exe";
	rec_lock(&modules_lock);
	m = module_for((uintptr_t)lm->l_addr, path);
	if (!m || !m->nsyms)
		goto dyn;
	hi = m->nsyms;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (m->syms[mid].start + m->base <= pc)
			lo = mid;
		else
			hi = mid;
	}
	/* Among symbols at the same address, any sized one containing pc will do. */
	for (size_t i = lo + 1; i-- > 0;) {
		struct sym *s = &m->syms[i];

		if (s->start + m->base > pc)
			continue;
		if (pc < s->start + m->base + (s->size ? s->size : 1)) {
			*name = s->name;
			*entry = s->start + m->base;
			found = true;
			break;
		}
		if (i + 8 < lo)
			break;
	}
dyn:
	rec_unlock(&modules_lock);
	if (!found && info.dli_sname && info.dli_saddr) {
		*name = info.dli_sname;
		*entry = (uintptr_t)info.dli_saddr;
		found = true;
	}
	return found;
}

/* Is pc inside libcprof.so itself (not a program libcprof.a is linked into)? */
static bool in_libcprof(uintptr_t pc)
{
	static Dl_info self;
	static int have; /* 0 unknown, 1 shared library, -1 linked statically */
	const char *base;
	Dl_info info;

	if (!have) {
		have = -1;
		if (dladdr((void *)(uintptr_t)rec_sym_lookup, &self) && self.dli_fname) {
			base = strrchr(self.dli_fname, '/');
			base = base ? base + 1 : self.dli_fname;
			if (!strncmp(base, "libcprof", 8))
				have = 1;
		}
	}
	return have > 0 && dladdr((void *)pc, &info) && info.dli_fbase == self.dli_fbase;
}

/*
 * Go's printStackRecord: one "#" line per frame, with the call address;
 * leading frames inside libcprof are hidden unless nothing else is left.
 */
void rec_text_stack(struct rec_text *t, const uintptr_t *pcs, int n, bool all_frames)
{
	bool show = all_frames;

	for (int i = 0; i < n; i++) {
		uintptr_t pc = pcs[i] ? pcs[i] - 1 : 0;
		const char *name = NULL;
		uintptr_t entry = 0;

		if (!rec_sym_lookup(pc, &name, &entry)) {
			show = true;
			rec_text_addf(t, "#\t0x%" PRIxPTR "\n", pc);
		} else if (show || !in_libcprof(pc)) {
			show = true;
			rec_text_addf(t, "#\t0x%" PRIxPTR "\t%s+0x%" PRIxPTR "\t?:0\n", pc, name,
				      pc - entry);
		}
	}
	if (!show) {
		rec_text_stack(t, pcs, n, true);
		return;
	}
	rec_text_add(t, "\n", 1);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return CPROF_RECORD_EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Pad text through the tabwriter and write it to fd. */
static int write_text(const struct rec_text *raw, int fd)
{
	struct rec_text out = { 0 };
	int ret;

	if (raw->oom)
		return CPROF_RECORD_ENOMEM;
	rec_tabwrite(raw->buf ? raw->buf : "", raw->len, &out);
	ret = out.oom ? CPROF_RECORD_ENOMEM : write_all(fd, out.buf ? out.buf : "", out.len);
	rec_text_release(&out);
	return ret;
}

struct group {
	char *key;
	size_t first; /* a stack with this key */
	int64_t count;
};

static int group_by_key(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

/* Go's keysByCount: count descending, then key string ascending. */
static int group_by_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

int rec_write_counts(const char *name, const struct rec_stack *stks, size_t n, int64_t lost,
		     const char *lost_func, int fd, int debug)
{
	struct group *g = __libc_calloc(n + 1, sizeof(*g));
	struct rec_text raw = { 0 };
	struct pb *b = NULL;
	size_t ng = 0;
	int ret = 0;

	if (!g)
		return CPROF_RECORD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct rec_text k = { 0 };

		rec_text_add(&k, "@", 1);
		for (int j = 0; j < stks[i].n; j++)
			rec_text_addf(&k, " 0x%" PRIxPTR, stks[i].pcs[j]);
		if (k.oom) {
			rec_text_release(&k);
			ret = CPROF_RECORD_ENOMEM;
			goto out;
		}
		g[i] = (struct group){ k.buf, i, 1 };
	}
	qsort(g, n, sizeof(*g), group_by_key);
	for (size_t i = 0; i < n; i++) {
		if (ng && !strcmp(g[ng - 1].key, g[i].key)) {
			g[ng - 1].count++;
			__libc_free(g[i].key);
			g[i].key = NULL;
			continue;
		}
		g[ng++] = g[i];
		if (ng - 1 != i)
			g[i].key = NULL;
	}
	qsort(g, ng, sizeof(*g), group_by_count);
	if (debug > 0) {
		rec_text_addf(&raw, "%s profile: total %" PRId64 "\n", name, (int64_t)n + lost);
		if (lost > 0)
			rec_text_addf(&raw, "%" PRId64 " @\n#\t%s\n\n", lost, lost_func);
		for (size_t i = 0; i < ng; i++) {
			rec_text_addf(&raw, "%" PRId64 " %s\n", g[i].count, g[i].key);
			rec_text_stack(&raw, stks[g[i].first].pcs, stks[g[i].first].n, false);
		}
		ret = write_text(&raw, fd);
		goto out;
	}
	b = pb_new(0);
	if (!b) {
		ret = CPROF_RECORD_ENOMEM;
		goto out;
	}
	pb_period(b, name, "count", 1);
	pb_sample_type(b, name, "count");
	pb_times(b, rec_now_ns(), 0);
	for (size_t i = 0; i < ng && !ret; i++)
		ret = pb_sample(b, stks[g[i].first].pcs, stks[g[i].first].n, &g[i].count, NULL, 0,
				NULL);
	if (!ret && lost > 0)
		ret = pb_sample_named(b, lost_func, &lost);
	if (!ret)
		ret = pb_write(b, fd);
out:
	for (size_t i = 0; i < n; i++)
		__libc_free(g[i].key);
	__libc_free(g);
	rec_text_release(&raw);
	pb_free(b);
	return ret;
}

static int by_delay(const void *a, const void *b)
{
	const struct rec_cycle *x = a, *y = b;

	if (x->delay != y->delay)
		return x->delay > y->delay ? -1 : 1;
	return 0;
}

int rec_write_contention(const char *name, struct rec_cycle *r, size_t n, int64_t fraction, int fd,
			 int debug)
{
	struct rec_text raw = { 0 };
	struct pb *b = NULL;
	int ret = 0;

	qsort(r, n, sizeof(*r), by_delay);
	if (debug > 0) {
		rec_text_addf(&raw, "--- %s:\ncycles/second=1000000000\n", name);
		if (!strcmp(name, "mutex"))
			rec_text_addf(&raw, "sampling period=%" PRId64 "\n", fraction);
		for (size_t i = 0; i < n; i++) {
			rec_text_addf(&raw, "%" PRId64 " %" PRId64 " @", r[i].delay, r[i].count);
			for (int j = 0; j < r[i].n; j++)
				rec_text_addf(&raw, " 0x%" PRIxPTR, r[i].pcs[j]);
			rec_text_add(&raw, "\n", 1);
			rec_text_stack(&raw, r[i].pcs, r[i].n, true);
		}
		ret = write_text(&raw, fd);
		rec_text_release(&raw);
		return ret;
	}
	b = pb_new(0);
	if (!b)
		return CPROF_RECORD_ENOMEM;
	pb_period(b, "contentions", "count", 1);
	pb_sample_type(b, "contentions", "count");
	pb_sample_type(b, "delay", "nanoseconds");
	pb_times(b, rec_now_ns(), 0);
	for (size_t i = 0; i < n && !ret; i++) {
		int64_t v[2] = { r[i].count * fraction, r[i].delay * fraction };

		ret = pb_sample(b, r[i].pcs, r[i].n, v, NULL, 0, NULL);
	}
	if (!ret)
		ret = pb_write(b, fd);
	pb_free(b);
	return ret;
}

static int by_inuse(const void *a, const void *b)
{
	const struct rec_heaprec *x = a, *y = b;
	int64_t ix = x->alloc_bytes - x->free_bytes, iy = y->alloc_bytes - y->free_bytes;

	if (ix != iy)
		return ix > iy ? -1 : 1;
	return 0;
}

/*
 * Go's legacy heap text (writeHeapInternal with debug=1): raw sampled
 * counts, records by in-use bytes, "heap/<2 x rate>" in the header as
 * pprof expects.  Go's trailing runtime.MemStats comment has no C analogue
 * and is left out; pprof ignores it anyway.
 */
int rec_write_heap_text(struct rec_heaprec *r, size_t n, int64_t rate, int fd)
{
	struct rec_text raw = { 0 };
	int64_t t[4] = { 0, 0, 0, 0 };
	int ret;

	qsort(r, n, sizeof(*r), by_inuse);
	for (size_t i = 0; i < n; i++) {
		t[0] += r[i].alloc_objs - r[i].free_objs;
		t[1] += r[i].alloc_bytes - r[i].free_bytes;
		t[2] += r[i].alloc_objs;
		t[3] += r[i].alloc_bytes;
	}
	rec_text_addf(&raw,
		      "heap profile: %" PRId64 ": %" PRId64 " [%" PRId64 ": %" PRId64
		      "] @ heap/%" PRId64 "\n",
		      t[0], t[1], t[2], t[3], 2 * rate);
	for (size_t i = 0; i < n; i++) {
		rec_text_addf(&raw, "%" PRId64 ": %" PRId64 " [%" PRId64 ": %" PRId64 "] @",
			      r[i].alloc_objs - r[i].free_objs, r[i].alloc_bytes - r[i].free_bytes,
			      r[i].alloc_objs, r[i].alloc_bytes);
		for (int j = 0; j < r[i].n; j++)
			rec_text_addf(&raw, " 0x%" PRIxPTR, r[i].pcs[j]);
		rec_text_add(&raw, "\n", 1);
		rec_text_stack(&raw, r[i].pcs, r[i].n, false);
	}
	ret = write_text(&raw, fd);
	rec_text_release(&raw);
	return ret;
}
