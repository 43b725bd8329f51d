/*
 * symbolize.c - libdw symbolization of a recorded profile (see symbolize.h).
 */
#include "model/compat.h"
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "model/hash.h"
#include "record/symbolize.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;
typedef Perftools__Profiles__Mapping pb_mapping;

struct sym_state {
	pb_profile *p;
	struct idmap strs;  /* hash of string -> index */
	struct idmap funcs; /* hash of (name, system name, file) -> index in p->function */
	uint64_t next_func_id;
	size_t cap_strs, cap_funcs;
};

static int read_file(const char *path, struct buf *out, struct cp_err *err)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return cp_errf(err, "open %s: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return cp_errf(err, "read %s: %s", path, strerror(errno));
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

static int gunzip(const struct buf *in, struct buf *out, struct cp_err *err)
{
	z_stream z;
	unsigned char chunk[65536];
	int r;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return cp_errf(err, "zlib: cannot initialise");
	z.next_in = (Bytef *)in->buf;
	z.avail_in = (uInt)in->len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		r = inflate(&z, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END) {
			inflateEnd(&z);
			return cp_errf(err, "gunzip: %s", z.msg ? z.msg : "corrupt data");
		}
		buf_add(out, (const char *)chunk, sizeof(chunk) - z.avail_out);
	} while (r != Z_STREAM_END && (z.avail_in || !z.avail_out));
	inflateEnd(&z);
	if (r != Z_STREAM_END)
		return cp_errf(err, "gunzip: unexpected end of data");
	return 0;
}

static int64_t str_index(struct sym_state *s, const char *str)
{
	uint64_t h = hash_bytes(str, strlen(str), 0) | 1;
	uint32_t idx;
	pb_profile *p = s->p;

	if (idmap_get(&s->strs, h, &idx) && !strcmp(p->string_table[idx], str))
		return idx;
	if (p->n_string_table == s->cap_strs) {
		s->cap_strs = s->cap_strs * 2 + 64;
		p->string_table = xrealloc(p->string_table, st_mult(s->cap_strs, sizeof(char *)));
	}
	p->string_table[p->n_string_table] = xstrdup(str);
	idmap_put(&s->strs, h, (uint32_t)p->n_string_table);
	return (int64_t)p->n_string_table++;
}

static uint64_t func_id(struct sym_state *s, const char *name, const char *file)
{
	/* ELF symbol versions ("memcpy@@GLIBC_2.14") are not part of the name. */
	char *plain = xstrndup(name, strcspn(name, "@"));
	int64_t n = str_index(s, plain), f = str_index(s, file ? file : "");
	uint64_t h = hash_mix64(((uint64_t)n << 32) ^ (uint64_t)f) | 1;
	pb_profile *p = s->p;
	pb_function *fn;
	uint32_t idx;

	free(plain);
	if (idmap_get(&s->funcs, h, &idx) && p->function[idx]->name == n &&
	    p->function[idx]->filename == f)
		return p->function[idx]->id;
	if (p->n_function == s->cap_funcs) {
		s->cap_funcs = s->cap_funcs * 2 + 64;
		p->function = xrealloc(p->function, st_mult(s->cap_funcs, sizeof(*p->function)));
	}
	fn = xmalloc(sizeof(*fn));
	perftools__profiles__function__init(fn);
	fn->id = s->next_func_id++;
	fn->name = n;
	fn->system_name = n; /* equal: pprof demangles C++ names itself */
	fn->filename = f;
	p->function[p->n_function] = fn;
	idmap_put(&s->funcs, h, (uint32_t)p->n_function++);
	return fn->id;
}

static void add_line(struct sym_state *s, pb_location *loc, const char *name, const char *file,
		     int line)
{
	pb_line *l = xmalloc(sizeof(*l));

	perftools__profiles__line__init(l);
	l->function_id = func_id(s, name, file);
	l->line = line;
	loc->line = xrealloc(loc->line, (loc->n_line + 1) * sizeof(*loc->line));
	loc->line[loc->n_line++] = l;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *n;

	n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
	if (!n)
		n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
	if (!n)
		n = dwarf_diename(die);
	return n;
}

/*
 * Symbolize one address.  Returns a mask: 1 function, 2 file, 4 line,
 * 8 inline information was available.
 */
static int symbolize_loc(struct sym_state *s, Dwfl *dwfl, pb_location *loc)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, loc->address);
	const char *sym, *file = NULL;
	Dwarf_Die *cudie, *scopes = NULL;
	Dwarf_Addr dbias = 0;
	Dwfl_Line *ln;
	GElf_Off off;
	GElf_Sym esym;
	int line = 0, got = 0, nscopes = 0;

	if (!mod)
		return 0;
	sym = dwfl_module_addrinfo(mod, loc->address, &off, &esym, NULL, NULL, NULL);
	ln = dwfl_module_getsrc(mod, loc->address);
	if (ln)
		file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
	cudie = dwfl_module_addrdie(mod, loc->address, &dbias);
	if (cudie)
		nscopes = dwarf_getscopes(cudie, loc->address - dbias, &scopes);
	if (nscopes > 0) {
		Dwarf_Files *files = NULL;
		Dwarf_Die *chain = NULL;
		size_t nfiles = 0;
		int first = 0, nchain;

		/*
		 * The innermost function scope; when it is an inlined call, the
		 * concrete scopes around it (dwarf_getscopes_die) give the
		 * chain of callers up to the real function, as addr2line -i does.
		 */
		while (first < nscopes && dwarf_tag(&scopes[first]) != DW_TAG_inlined_subroutine &&
		       dwarf_tag(&scopes[first]) != DW_TAG_subprogram)
			first++;
		if (first < nscopes && dwarf_tag(&scopes[first]) == DW_TAG_inlined_subroutine) {
			dwarf_getsrcfiles(cudie, &files, &nfiles);
			nchain = dwarf_getscopes_die(&scopes[first], &chain);
			got |= 8;
			for (int i = 0; i < nchain; i++) {
				int tag = dwarf_tag(&chain[i]);
				const char *name = die_name(&chain[i]);
				Dwarf_Attribute a;
				Dwarf_Word w = 0;

				if (tag == DW_TAG_subprogram) {
					add_line(s, loc,
						 sym  ? sym :
						 name ? name :
							"??",
						 file, line);
					break;
				}
				if (tag != DW_TAG_inlined_subroutine)
					continue;
				add_line(s, loc, name ? name : "??", file, line);
				/* The caller's position is where this was inlined. */
				line = 0;
				if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_line, &a),
						    &w) == 0)
					line = (int)w;
				file = NULL;
				if (files &&
				    dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_file, &a),
						    &w) == 0 &&
				    w < nfiles)
					file = dwarf_filesrc(files, w, NULL, NULL);
			}
			free(chain);
		} else if (first < nscopes) {
			got |= 8;
		}
		free(scopes);
	}
	if (loc->n_line == 0 && sym)
		add_line(s, loc, sym, file, line);
	if (loc->n_line == 0)
		return 0;
	got |= 1;
	if (file)
		got |= 2;
	if (line)
		got |= 4;
	return got;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* The load bias that puts the mapping's executable segment at memory_start; -1 if none. */
static int mapping_bias(const pb_mapping *m, const char *path, GElf_Addr *bias)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;
	size_t nph;
	Elf *e;

	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_getphdrnum(e, &nph) == 0) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
			    !(ph.p_flags & PF_X))
				continue;
			if ((ph.p_offset & ~(GElf_Off)4095) != m->file_offset)
				continue;
			*bias = m->memory_start - (ph.p_vaddr & ~(GElf_Addr)4095);
			ret = 0;
			break;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}

static bool build_id_matches(Dwfl_Module *mod, const char *want)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	char hex[129];
	int n;

	if (!*want)
		return true;
	n = dwfl_module_build_id(mod, &bits, &vaddr);
	if (n <= 0 || n > 64)
		return true; /* the file has none: trust the name */
	for (int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", bits[i]);
	return !strcmp(hex, want);
}

static void symbolize_profile(pb_profile *p)
{
	struct sym_state s = { .p = p };
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);
	bool *reported = xcalloc(p->n_mapping + 1, sizeof(bool));
	int *mask_and = xcalloc(p->n_mapping + 1, sizeof(int));
	bool *any = xcalloc(p->n_mapping + 1, sizeof(bool));

	elf_version(EV_CURRENT);
	idmap_init(&s.strs, p->n_string_table * 2 + 64);
	idmap_init(&s.funcs, p->n_function * 2 + 64);
	s.cap_strs = p->n_string_table;
	s.cap_funcs = p->n_function;
	for (size_t i = 0; i < p->n_string_table; i++)
		idmap_put(&s.strs,
			  hash_bytes(p->string_table[i], strlen(p->string_table[i]), 0) | 1,
			  (uint32_t)i);
	s.next_func_id = 1;
	for (size_t i = 0; i < p->n_function; i++) {
		pb_function *f = p->function[i];

		if (f->id >= s.next_func_id)
			s.next_func_id = f->id + 1;
		idmap_put(&s.funcs,
			  hash_mix64(((uint64_t)f->name << 32) ^ (uint64_t)f->filename) | 1,
			  (uint32_t)i);
	}
	if (!dwfl)
		goto out;
	dwfl_report_begin(dwfl);
	for (size_t i = 0; i < p->n_mapping; i++) {
		pb_mapping *m = p->mapping[i];
		const char *path = m->filename >= 0 && (size_t)m->filename < p->n_string_table ?
					   p->string_table[m->filename] :
					   "";
		const char *bid = m->build_id >= 0 && (size_t)m->build_id < p->n_string_table ?
					  p->string_table[m->build_id] :
					  "";
		Dwfl_Module *mod;
		GElf_Addr bias;

		if (path[0] != '/' || m->has_functions || mapping_bias(m, path, &bias))
			continue;
		mod = dwfl_report_elf(dwfl, path, path, -1, bias, false);
		if (mod && build_id_matches(mod, bid))
			reported[i] = true;
	}
	dwfl_report_end(dwfl, NULL, NULL);
	for (size_t i = 0; i < p->n_mapping; i++)
		mask_and[i] = 15;
	for (size_t i = 0; i < p->n_location; i++) {
		pb_location *loc = p->location[i];
		size_t mi = p->n_mapping;
		int got;

		for (size_t k = 0; k < p->n_mapping; k++)
			if (p->mapping[k]->id == loc->mapping_id)
				mi = k;
		if (mi == p->n_mapping || !reported[mi] || loc->n_line)
			continue;
		got = symbolize_loc(&s, dwfl, loc);
		mask_and[mi] &= got;
		any[mi] = true;
	}
	for (size_t i = 0; i < p->n_mapping; i++) {
		if (!reported[i] || !any[i])
			continue;
		p->mapping[i]->has_functions = (mask_and[i] & 1) != 0;
		p->mapping[i]->has_filenames = (mask_and[i] & 3) == 3;
		p->mapping[i]->has_line_numbers = (mask_and[i] & 5) == 5;
		p->mapping[i]->has_inline_frames = (mask_and[i] & 9) == 9;
	}
	dwfl_end(dwfl);
out:
	idmap_release(&s.strs);
	idmap_release(&s.funcs);
	free(reported);
	free(mask_and);
	free(any);
}

static int write_gz_atomic(const char *path, const uint8_t *data, size_t len, struct cp_err *err)
{
	struct buf tmp = BUF_INIT;
	gzFile gz = NULL;
	int fd, ret = -1;

	buf_init(&tmp);
	buf_addf(&tmp, "%s.cprof-XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		cp_errf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	fchmod(fd, 0644);
	gz = gzdopen(fd, "wb6");
	if (!gz) {
		close(fd);
		cp_errf(err, "%s: cannot compress", path);
		goto out_unlink;
	}
	if (len && gzwrite(gz, data, (unsigned)len) != (int)len) {
		gzclose(gz);
		cp_errf(err, "%s: write failed", path);
		goto out_unlink;
	}
	if (gzclose(gz) != Z_OK) {
		cp_errf(err, "%s: write failed", path);
		goto out_unlink;
	}
	if (rename(tmp.buf, path)) {
		cp_errf(err, "%s: %s", path, strerror(errno));
		goto out_unlink;
	}
	ret = 0;
	goto out;
out_unlink:
	unlink(tmp.buf);
out:
	buf_release(&tmp);
	return ret;
}

int rec_symbolize_file(const char *path, struct cp_err *err)
{
	struct buf raw = BUF_INIT, data = BUF_INIT;
	pb_profile *p = NULL;
	uint8_t *packed = NULL;
	size_t len;
	int ret = -1;

	buf_init(&raw);
	buf_init(&data);
	if (read_file(path, &raw, err))
		goto out;
	if (raw.len >= 2 && (unsigned char)raw.buf[0] == 0x1f &&
	    (unsigned char)raw.buf[1] == 0x8b) {
		if (gunzip(&raw, &data, err)) {
			cp_err_prefix(err, path);
			goto out;
		}
	} else {
		buf_add(&data, raw.buf, raw.len);
	}
	p = perftools__profiles__profile__unpack(NULL, data.len, (const uint8_t *)data.buf);
	if (!p) {
		cp_errf(err, "%s: not a profile.proto file", path);
		goto out;
	}
	symbolize_profile(p);
	len = perftools__profiles__profile__get_packed_size(p);
	packed = xmalloc(len);
	perftools__profiles__profile__pack(p, packed);
	ret = write_gz_atomic(path, packed, len, err);
out:
	if (p)
		perftools__profiles__profile__free_unpacked(p, NULL);
	free(packed);
	buf_release(&raw);
	buf_release(&data);
	return ret;
}
