/*
 * symbolize.c - local symbolization with libdw (the only file that
 * includes elfutils headers).
 *
 * For each mapping with address-only locations: find its binary, open it
 * with libdwfl (which also finds separate debug info by build id or
 * .gnu_debuglink), translate each address to the ELF's virtual addresses
 * through the load segment holding the mapping's file offset, and read the
 * chain of inlined subroutines and the enclosing function from DWARF, or
 * the symbol from the ELF symbol tables when there is no DWARF.
 */
#include "model/compat.h"
#include <dwarf.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <unistd.h>
#include "model/alloc.h"
#include "model/hash.h"
#include "model/path.h"
#include "model/symbolize.h"

int symbolize_parse_mode(struct cp_symbolize_opts *o, const char *mode, struct cp_err *err)
{
	const char *p = mode;

	while (p && *p) {
		size_t n = strcspn(p, ":,");
		char word[64];

		if (n >= sizeof(word))
			return cp_errf(err, "unknown -symbolize option %.*s", (int)n, p);
		memcpy(word, p, n);
		word[n] = 0;
		for (char *c = word; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (!strcmp(word, "none") || !strcmp(word, "no"))
			o->none = true;
		else if (!strcmp(word, "local") || !strcmp(word, "fastlocal") ||
			 !strcmp(word, "remote") || !*word)
			o->none = false;
		else if (!strcmp(word, "force"))
			o->force = true;
		else if (!strcmp(word, "demangle=none"))
			o->demangle = CP_DEMANGLE_NONE;
		else if (!strcmp(word, "demangle=full"))
			o->demangle = CP_DEMANGLE_FULL;
		else if (!strcmp(word, "demangle=templates"))
			o->demangle = CP_DEMANGLE_TEMPLATES;
		else
			return cp_errf(err, "unknown -symbolize option %s", word);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/* One frame of an address, innermost first. */
struct frame {
	const char *name; /* mangled or plain; points into libdw data */
	const char *file;
	int line;
	int start_line;
};

struct frames {
	struct frame *v;
	size_t n, alloc;
};

struct sym {
	struct cp_profile *p;
	const struct cp_symbolize_opts *o;
	struct buf *warn;
	struct cp_location *locs; /* new arrays, handed to p at the end */
	struct cp_line *lines;
	size_t nlines, lines_alloc;
	struct cp_function *fns;
	size_t nfns, fns_alloc;
	struct idmap fn_index; /* hash of the fields -> function index */
	struct frames fr;
	size_t done;
};

static uint32_t intern(struct sym *s, const char *str)
{
	return strtab_intern(&s->p->strs, str, strlen(str));
}

static uint32_t function_for(struct sym *s, uint32_t name, uint32_t sys, uint32_t file,
			     int64_t start)
{
	uint64_t key = hash_mix64(((uint64_t)name << 32 | sys) ^
				  hash_mix64(((uint64_t)file << 32) ^ (uint64_t)start)) |
		       1;
	uint32_t idx;
	struct cp_function *f;

	if (idmap_get(&s->fn_index, key, &idx))
		return idx;
	ALLOC_GROW(s->fns, s->nfns + 1, s->fns_alloc);
	f = &s->fns[s->nfns];
	f->id = s->nfns + 1;
	f->name = name;
	f->system_name = sys;
	f->filename = file;
	f->start_line = start;
	idmap_put(&s->fn_index, key, (uint32_t)s->nfns);
	return (uint32_t)s->nfns++;
}

static bool unsymbolizable(const char *file)
{
	size_t bl;
	const char *base;

	if (!*file)
		return true;
	base = path_base(file, strlen(file), &bl);
	return base[0] == '[' || !strncmp(base, "linux-vdso", 10) ||
	       !strncmp(file, "/dev/dri/", 9) || !strncmp(file, "//anon", 6);
}

/* The GNU build id of an ELF file, as lower-case hex; false when unreadable. */
static bool file_build_id(const char *path, char *hex, size_t size, bool *is_elf)
{
	/* a profile names any path: a FIFO must not block, a device is no binary */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	Elf *elf;
	const void *id;
	ssize_t n;

	*hex = 0;
	*is_elf = false;
	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF) {
		*is_elf = true;
		n = dwelf_elf_gnu_build_id(elf, &id);
		for (ssize_t i = 0; i < n && (size_t)(2 * i + 2) < size; i++)
			snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)id)[i]);
	}
	elf_end(elf);
	close(fd);
	return *is_elf;
}

/*
 * The file to read for mapping m: the command-line binary for the main
 * mapping, else the search path, else the mapping's own file.  Fills why
 * when nothing fits.
 */
static char *locate(struct sym *s, size_t mi, char *why, size_t whysize)
{
	const struct cp_mapping *m = &s->p->mappings[mi];
	const char *file = profile_str(s->p, m->file);
	const char *want = profile_str(s->p, m->build_id);
	struct buf cand = BUF_INIT;
	const char *sp = s->o->search_path;
	size_t bl;
	const char *base = path_base(file, strlen(file), &bl);
	bool mismatch = false;
	char *found = NULL;
	/* a build id goes into candidate paths only if it is hex (no '/', "..", globs) */
	bool hex_id = *want && strspn(want, "0123456789abcdefABCDEF") == strlen(want);

	buf_init(&cand);
	snprintf(why, whysize, "open %s: No such file or directory", file);
	for (int pass = 0; pass < 2 && !found; pass++) {
		const char *p = sp;

		while (!found) {
			char got[128];
			bool is_elf;
			size_t n;
			int variant;

			if (pass == 0 && (!p || !*p))
				break;
			n = pass == 0 ? strcspn(p, ":") : 0;
			for (variant = 0; variant < 4 && !found; variant++) {
				buf_reset(&cand);
				if (pass == 1 && variant > 0)
					break;
				if (pass == 1) {
					buf_adds(&cand, file);
				} else if (variant == 0 && hex_id) {
					buf_addf(&cand, "%.*s/%s/%.*s", (int)n, p, want, (int)bl,
						 base);
				} else if (variant == 1 && hex_id) {
					buf_addf(&cand, "%.*s/%s/%s", (int)n, p, file, want);
				} else if (variant == 2) {
					buf_addf(&cand, "%.*s/%.*s", (int)n, p, (int)bl, base);
				} else if (variant == 3 && *file == '/') {
					buf_addf(&cand, "%.*s%s", (int)n, p, file);
				} else {
					continue;
				}
				if (!file_build_id(cand.buf, got, sizeof(got), &is_elf)) {
					if (pass == 1 && !access(cand.buf, F_OK))
						snprintf(why, whysize, "%s: not an ELF file",
							 cand.buf);
					continue;
				}
				if (*want && *got && strcmp(want, got)) {
					mismatch = true;
					snprintf(why, whysize,
						 "%s: build id %s does not match the profile's %s",
						 cand.buf, got, want);
					continue;
				}
				found = xstrdup(cand.buf);
			}
			if (pass == 1)
				break;
			p += n;
			if (*p)
				p++;
			else
				p = NULL;
		}
	}
	(void)mismatch;
	buf_release(&cand);
	return found;
}

/* The name of a subprogram or inlined subroutine DIE: linkage name first. */
static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *name = NULL;

	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &a) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a))
		name = dwarf_formstring(&a);
	if (!name && dwarf_attr_integrate(die, DW_AT_name, &a))
		name = dwarf_formstring(&a);
	return name;
}

static void add_frame(struct frames *fr, const char *name, const char *file, int line, int start)
{
	ALLOC_GROW(fr->v, fr->n + 1, fr->alloc);
	fr->v[fr->n].name = name;
	fr->v[fr->n].file = file ? file : "";
	fr->v[fr->n].line = line;
	fr->v[fr->n].start_line = start;
	fr->n++;
}

/*
 * The function scopes of one compilation unit, read once: every address
 * range of every subprogram and inlined subroutine.  Ranges nest, so the
 * innermost scope holding an address is found from the last range
 * starting at or before it by walking up its parents.
 */
struct scope {
	uint64_t lo, hi;
	uint32_t parent; /* first range of the enclosing function scope, or CP_NONE */
	uint32_t next;	 /* next range of the same DIE, or CP_NONE */
	uint32_t first;	 /* first range of the same DIE */
	const char *name;
	const char *call_file;
	int call_line, decl_line;
	bool inlined;
};

struct cu_scopes {
	struct scope *v;
	size_t n, alloc;
	uint32_t *order; /* indices sorted by lo */
};

struct module_cache {
	struct idmap by_off; /* CU offset + 1 -> index in cus */
	struct cu_scopes *cus;
	size_t ncus, alloc;
};

static void walk_scopes(struct cu_scopes *cs, Dwarf_Die *die, uint32_t parent, Dwarf_Files *files,
			size_t nfiles)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		uint32_t me = parent;

		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
			Dwarf_Addr base, lo, hi;
			ptrdiff_t off = 0;
			uint32_t first = CP_NONE, prev = CP_NONE;
			const char *name = die_name(&child);
			const char *call_file = NULL;
			int call_line = 0, decl_line = 0;
			Dwarf_Attribute at;
			Dwarf_Word v;

			if (dwarf_attr(&child, DW_AT_call_line, &at) && !dwarf_formudata(&at, &v))
				call_line = (int)v;
			if (files && dwarf_attr(&child, DW_AT_call_file, &at) &&
			    !dwarf_formudata(&at, &v) && v < nfiles)
				call_file = dwarf_filesrc(files, v, NULL, NULL);
			dwarf_decl_line(&child, &decl_line);
			while ((off = dwarf_ranges(&child, off, &base, &lo, &hi)) > 0) {
				struct scope *sc;

				if (lo >= hi)
					continue;
				ALLOC_GROW(cs->v, cs->n + 1, cs->alloc);
				sc = &cs->v[cs->n];
				sc->lo = lo;
				sc->hi = hi;
				sc->parent = parent;
				sc->next = CP_NONE;
				sc->first = first == CP_NONE ? (uint32_t)cs->n : first;
				sc->name = name;
				sc->call_file = call_file;
				sc->call_line = call_line;
				sc->decl_line = decl_line;
				sc->inlined = tag == DW_TAG_inlined_subroutine;
				if (prev != CP_NONE)
					cs->v[prev].next = (uint32_t)cs->n;
				if (first == CP_NONE)
					first = (uint32_t)cs->n;
				prev = (uint32_t)cs->n++;
			}
			if (first != CP_NONE)
				me = first;
		}
		walk_scopes(cs, &child, me, files, nfiles);
	} while (dwarf_siblingof(&child, &child) == 0);
}

static _Thread_local const struct cu_scopes *sort_ctx;

static int by_lo(const void *a, const void *b)
{
	const struct scope *x = &sort_ctx->v[*(const uint32_t *)a];
	const struct scope *y = &sort_ctx->v[*(const uint32_t *)b];

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* an inner scope starting with its parent sorts after it */
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static const struct cu_scopes *cu_scopes_for(struct module_cache *mc, Dwarf_Die *cu)
{
	uint64_t key = dwarf_dieoffset(cu) + 1;
	uint32_t idx;
	struct cu_scopes *cs;
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;

	if (idmap_get(&mc->by_off, key, &idx))
		return &mc->cus[idx];
	ALLOC_GROW(mc->cus, mc->ncus + 1, mc->alloc);
	cs = &mc->cus[mc->ncus];
	memset(cs, 0, sizeof(*cs));
	if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0)
		files = NULL;
	walk_scopes(cs, cu, CP_NONE, files, nfiles);
	cs->order = xmalloc(st_mult(cs->n + 1, sizeof(*cs->order)));
	for (size_t i = 0; i < cs->n; i++)
		cs->order[i] = (uint32_t)i;
	sort_ctx = cs;
	qsort(cs->order, cs->n, sizeof(*cs->order), by_lo);
	idmap_put(&mc->by_off, key, (uint32_t)mc->ncus);
	return &mc->cus[mc->ncus++];
}

static bool scope_holds(const struct cu_scopes *cs, uint32_t first, uint64_t a)
{
	for (uint32_t i = first; i != CP_NONE; i = cs->v[i].next)
		if (cs->v[i].lo <= a && a < cs->v[i].hi)
			return true;
	return false;
}

/* Frames at module address a (bias applied), innermost first. */
static void frames_at(Dwfl_Module *mod, struct module_cache *mc, Dwarf_Addr a, struct frames *fr)
{
	Dwarf_Addr cubias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, a, &cubias);

	fr->n = 0;
	if (cu) {
		const struct cu_scopes *cs = cu_scopes_for(mc, cu);
		uint64_t pc = a - cubias;
		size_t lo = 0, hi = cs->n;
		uint32_t cur = CP_NONE;

		/* the last range starting at or before pc */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (cs->v[cs->order[mid]].lo <= pc)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0)
			cur = cs->v[cs->order[lo - 1]].first;
		while (cur != CP_NONE && !scope_holds(cs, cur, pc))
			cur = cs->v[cur].parent;
		if (cur != CP_NONE) {
			Dwfl_Line *dl = dwfl_module_getsrc(mod, a);
			const char *file = NULL;
			int line = 0;

			if (dl)
				file = dwfl_lineinfo(dl, NULL, &line, NULL, NULL, NULL);
			for (; cur != CP_NONE; cur = cs->v[cur].parent) {
				const struct scope *sc = &cs->v[cur];

				if (sc->name)
					add_frame(fr, sc->name, file, line, sc->decl_line);
				if (!sc->inlined)
					break;
				file = sc->call_file;
				line = sc->call_line;
			}
		}
	}
	if (fr->n == 0) {
		GElf_Off off;
		GElf_Sym sym;
		const char *name = dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL);

		if (name)
			add_frame(fr, name, NULL, 0, 0);
	}
}

static void module_cache_release(struct module_cache *mc)
{
	for (size_t i = 0; i < mc->ncus; i++) {
		free(mc->cus[i].v);
		free(mc->cus[i].order);
	}
	free(mc->cus);
	if (mc->by_off.keys)
		idmap_release(&mc->by_off);
}

/* ELF virtual address of address 'addr' of mapping m. */
static uint64_t to_vaddr(Elf *elf, const struct cp_mapping *m, uint64_t addr)
{
	GElf_Ehdr eh;
	size_t nph = 0;
	bool have = false;
	GElf_Phdr best;

	if (!gelf_getehdr(elf, &eh))
		return addr;
	if (eh.e_type == ET_EXEC && (m->start == 0 || m->limit == UINT64_MAX))
		return addr;
	elf_getphdrnum(elf, &nph);
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (m->offset >= ph.p_offset && m->offset < ph.p_offset + ph.p_filesz) {
			if (!have || (ph.p_flags & PF_X)) {
				best = ph;
				have = true;
			}
		}
	}
	if (!have)
		return addr - m->start + m->offset;
	return addr - m->start + m->offset - best.p_offset + best.p_vaddr;
}

static void warnf(struct sym *s, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void warnf(struct sym *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->warn)
		return;
	va_start(ap, fmt);
	buf_vaddf(s->warn, fmt, ap);
	va_end(ap);
	buf_addc(s->warn, '\n');
}

static uint32_t name_of(struct sym *s, const char *raw, uint32_t *sys)
{
	char *d = cp_demangle(raw, s->o->demangle);
	uint32_t id;

	*sys = intern(s, raw);
	if (!d)
		return *sys;
	id = intern(s, d);
	free(d);
	return id;
}

static void symbolize_mapping(struct sym *s, size_t mi, const uint32_t *locs, size_t nlocs)
{
	static char *debuginfo_path = NULL;
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
		.debuginfo_path = &debuginfo_path,
	};
	struct cp_mapping *m = &s->p->mappings[mi];
	const char *mfile = profile_str(s->p, m->file);
	char why[512];
	char *path = locate(s, mi, why, sizeof(why));
	Dwfl *dwfl = NULL;
	Dwfl_Module *mod;
	Dwarf_Addr bias = 0;
	Elf *elf;
	bool any_fn = false, any_line = false, any_inline = false;
	struct module_cache mc;

	if (!path) {
		warnf(s, "Local symbolization failed for %s: %s", mfile, why);
		return;
	}
	memset(&mc, 0, sizeof(mc));
	idmap_init(&mc.by_off, 16);
	dwfl = dwfl_begin(&cb);
	mod = dwfl ? dwfl_report_offline(dwfl, mfile, path, -1) : NULL;
	if (dwfl)
		dwfl_report_end(dwfl, NULL, NULL);
	elf = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	if (!elf) {
		warnf(s, "Local symbolization failed for %s: %s: %s", mfile, path, dwfl_errmsg(-1));
		goto out;
	}
	for (size_t k = 0; k < nlocs; k++) {
		struct cp_location *l = &s->locs[locs[k]];
		uint64_t va = to_vaddr(elf, m, l->address);

		frames_at(mod, &mc, va + bias, &s->fr);
		if (!s->fr.n)
			continue;
		ALLOC_GROW(s->lines, s->nlines + s->fr.n, s->lines_alloc);
		l->line_off = (uint32_t)s->nlines;
		l->nlines = (uint32_t)s->fr.n;
		for (size_t i = 0; i < s->fr.n; i++) {
			const struct frame *f = &s->fr.v[i];
			uint32_t sys, name = name_of(s, f->name, &sys);
			struct cp_line *ln = &s->lines[s->nlines++];

			ln->function =
				function_for(s, name, sys, intern(s, f->file), f->start_line);
			ln->line = f->line;
			ln->column = 0;
			any_line = any_line || f->line;
		}
		any_fn = true;
		any_inline = any_inline || s->fr.n > 1;
		s->done++;
	}
	m->has_functions = m->has_functions || any_fn;
	m->has_filenames = m->has_filenames || any_line;
	m->has_line_numbers = m->has_line_numbers || any_line;
	m->has_inline_frames = m->has_inline_frames || any_inline;
out:
	module_cache_release(&mc);
	if (dwfl)
		dwfl_end(dwfl);
	free(path);
}

static void *array_like(const struct cp_profile *p, void *src, size_t n, size_t size)
{
	void *dst = p->owns_arrays ? xmalloc(st_mult(n + 1, size)) :
				     arena_alloc((struct arena *)&p->arena, st_mult(n + 1, size));

	copy_n(dst, src, n * size);
	return dst;
}

size_t profile_symbolize(struct cp_profile *p, const struct cp_symbolize_opts *o, struct buf *warn)
{
	struct sym s;
	uint32_t *bymap = NULL;
	size_t *count = NULL, *start = NULL;

	if (o->none)
		return 0;
	memset(&s, 0, sizeof(s));
	s.p = p;
	s.o = o;
	s.warn = warn;
	if (o->binary && p->nmappings)
		p->mappings[0].file = intern(&s, o->binary);
	elf_version(EV_CURRENT);

	/* the locations of each mapping that need symbols */
	count = xcalloc(p->nmappings + 1, sizeof(*count));
	start = xcalloc(p->nmappings + 1, sizeof(*start));
	for (size_t i = 0; i < p->nlocations; i++) {
		const struct cp_location *l = &p->locations[i];

		if (l->mapping != CP_NONE && l->address && (o->force || !l->nlines))
			count[l->mapping]++;
	}
	{
		bool any = false;

		for (size_t m = 0; m < p->nmappings; m++)
			any = any ||
			      (count[m] && !unsymbolizable(profile_str(p, p->mappings[m].file)));
		if (!any)
			goto out;
	}
	for (size_t m = 1; m <= p->nmappings; m++)
		start[m] = start[m - 1] + count[m - 1];
	bymap = xmalloc(st_mult(p->nlocations + 1, sizeof(*bymap)));
	memset(count, 0, (p->nmappings + 1) * sizeof(*count));
	for (size_t i = 0; i < p->nlocations; i++) {
		const struct cp_location *l = &p->locations[i];

		if (l->mapping != CP_NONE && l->address && (o->force || !l->nlines))
			bymap[start[l->mapping] + count[l->mapping]++] = (uint32_t)i;
	}

	s.locs = xmalloc(st_mult(p->nlocations + 1, sizeof(*s.locs)));
	copy_n(s.locs, p->locations, p->nlocations * sizeof(*s.locs));
	s.lines = xmalloc(st_mult(p->nlines + 1, sizeof(*s.lines)));
	copy_n(s.lines, p->lines, p->nlines * sizeof(*s.lines));
	s.nlines = p->nlines;
	s.lines_alloc = p->nlines + 1;
	s.fns = xmalloc(st_mult(p->nfunctions + 1, sizeof(*s.fns)));
	copy_n(s.fns, p->functions, p->nfunctions * sizeof(*s.fns));
	s.nfns = p->nfunctions;
	s.fns_alloc = p->nfunctions + 1;
	idmap_init(&s.fn_index, p->nfunctions + 64);

	for (size_t m = 0; m < p->nmappings; m++) {
		if (!count[m] || unsymbolizable(profile_str(p, p->mappings[m].file)))
			continue;
		symbolize_mapping(&s, m, bymap + start[m], count[m]);
	}

	if (s.done) {
		/* new function ids follow the old ones */
		uint64_t maxid = 0;

		for (size_t i = 0; i < p->nfunctions; i++)
			if (p->functions[i].id > maxid)
				maxid = p->functions[i].id;
		for (size_t i = p->nfunctions; i < s.nfns; i++)
			s.fns[i].id = maxid + (i - p->nfunctions) + 1;
		if (p->owns_arrays) {
			free(p->locations);
			free(p->lines);
			free(p->functions);
		}
		p->locations = array_like(p, s.locs, p->nlocations, sizeof(*s.locs));
		p->lines = array_like(p, s.lines, s.nlines, sizeof(*s.lines));
		p->nlines = s.nlines;
		p->functions = array_like(p, s.fns, s.nfns, sizeof(*s.fns));
		p->nfunctions = s.nfns;
	}
	free(s.locs);
	free(s.lines);
	free(s.fns);
	free(s.fr.v);
	idmap_release(&s.fn_index);
out:
	free(bymap);
	free(count);
	free(start);
	return s.done;
}
