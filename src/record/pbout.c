/*
 * pbout.c - build a profile.proto in memory and write it gzipped.
 *
 * Runs outside signal context, with the caller's guard set; every
 * allocation goes to glibc's __libc_malloc so none of it is sampled.
 * Locations carry addresses and mapping ids only: the loaded objects are
 * written as mappings with build IDs, and symbolization happens outside the
 * process (`cprof record`, or the analyzer).
 */
#include "model/compat.h"
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include <zlib.h>
#include "record/rec.h"
#include "profile.pb-c.h"

struct pb_str {
	char *s;
	uint32_t hash;
	int64_t idx;
};

struct pb_loc {
	uintptr_t addr;
	uint64_t id;
	uint64_t func; /* fake function id, 0 for an address */
};

struct pb_sample {
	uint64_t *locs;
	size_t nlocs;
	int64_t *values;
	int64_t label_key, label_num, label_unit;
};

struct pb_map {
	uintptr_t start, limit, offset;
	char name[PATH_MAX];
	char build_id[64 + 1];
};

struct pb {
	enum pb_flags flags;
	/* strings: table in index order plus an open-addressing index */
	char **strs;
	size_t nstrs, capstrs;
	int64_t *sidx; /* hash slots: string index + 1, 0 empty */
	size_t sidx_cap;
	/* locations: by address in an open-addressing table */
	struct pb_loc *locs;
	size_t nlocs, caplocs;
	int64_t *lidx;
	size_t lidx_cap;
	char **funcs; /* fake function names; id = index + 1 */
	size_t nfuncs, capfuncs;
	struct pb_sample *samples;
	size_t nsamples, capsamples;
	int64_t (*types)[2];
	size_t ntypes, captypes;
	int64_t period_type[2], period;
	int64_t default_type;
	int64_t time_ns, duration_ns;
	int64_t *comments;
	size_t ncomments, capcomments;
	bool oom;
};

/* Mappings of objects seen earlier and since unloaded (rec_maps_snapshot). */
static struct rec_lock maps_lock;
static struct pb_map *old_maps;
static size_t nold_maps, capold_maps;

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static uint64_t hash_addr(uintptr_t a)
{
	uint64_t x = (uint64_t)a * 0x9e3779b97f4a7c15ull;

	return x ^ (x >> 29);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s);
	char *d = __libc_malloc(n + 1);

	if (d)
		memcpy(d, s, n + 1);
	return d;
}

static int rehash_strs(struct pb *b)
{
	size_t cap = b->sidx_cap ? b->sidx_cap * 2 : 256;
	int64_t *t = __libc_calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < b->nstrs; i++) {
		size_t h = hash_bytes(b->strs[i], strlen(b->strs[i])) & (cap - 1);

		while (t[h])
			h = (h + 1) & (cap - 1);
		t[h] = (int64_t)i + 1;
	}
	__libc_free(b->sidx);
	b->sidx = t;
	b->sidx_cap = cap;
	return 0;
}

static int64_t intern(struct pb *b, const char *s)
{
	size_t h;
	char *d;

	if (!s)
		s = "";
	if (b->nstrs * 2 >= b->sidx_cap && rehash_strs(b))
		goto oom;
	h = hash_bytes(s, strlen(s)) & (b->sidx_cap - 1);
	while (b->sidx[h]) {
		if (!strcmp(b->strs[b->sidx[h] - 1], s))
			return b->sidx[h] - 1;
		h = (h + 1) & (b->sidx_cap - 1);
	}
	if (rec_grow((void **)&b->strs, &b->capstrs, b->nstrs + 1, sizeof(*b->strs)))
		goto oom;
	d = dup_str(s);
	if (!d)
		goto oom;
	b->strs[b->nstrs] = d;
	b->sidx[h] = (int64_t)++b->nstrs;
	return (int64_t)b->nstrs - 1;
oom:
	b->oom = true;
	return 0;
}

struct pb *pb_new(enum pb_flags flags)
{
	struct pb *b = __libc_calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->flags = flags;
	intern(b, "");
	if (b->oom) {
		pb_free(b);
		return NULL;
	}
	return b;
}

void pb_free(struct pb *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nstrs; i++)
		__libc_free(b->strs[i]);
	for (size_t i = 0; i < b->nsamples; i++) {
		__libc_free(b->samples[i].locs);
		__libc_free(b->samples[i].values);
	}
	for (size_t i = 0; i < b->nfuncs; i++)
		__libc_free(b->funcs[i]);
	__libc_free(b->strs);
	__libc_free(b->sidx);
	__libc_free(b->locs);
	__libc_free(b->lidx);
	__libc_free(b->funcs);
	__libc_free(b->samples);
	__libc_free(b->types);
	__libc_free(b->comments);
	__libc_free(b);
}

void pb_sample_type(struct pb *b, const char *type, const char *unit)
{
	if (rec_grow((void **)&b->types, &b->captypes, b->ntypes + 1, sizeof(*b->types))) {
		b->oom = true;
		return;
	}
	b->types[b->ntypes][0] = intern(b, type);
	b->types[b->ntypes][1] = intern(b, unit);
	b->ntypes++;
}

void pb_period(struct pb *b, const char *type, const char *unit, int64_t period)
{
	b->period_type[0] = intern(b, type);
	b->period_type[1] = intern(b, unit);
	b->period = period;
}

void pb_default_type(struct pb *b, const char *type)
{
	b->default_type = intern(b, type);
}

void pb_times(struct pb *b, int64_t time_ns, int64_t duration_ns)
{
	b->time_ns = time_ns;
	b->duration_ns = duration_ns;
}

void pb_comment(struct pb *b, const char *text)
{
	if (rec_grow((void **)&b->comments, &b->capcomments, b->ncomments + 1,
		     sizeof(*b->comments))) {
		b->oom = true;
		return;
	}
	b->comments[b->ncomments++] = intern(b, text);
}

static int rehash_locs(struct pb *b)
{
	size_t cap = b->lidx_cap ? b->lidx_cap * 2 : 1024;
	int64_t *t = __libc_calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < b->nlocs; i++) {
		size_t h;

		if (b->locs[i].func)
			continue;
		h = hash_addr(b->locs[i].addr) & (cap - 1);
		while (t[h])
			h = (h + 1) & (cap - 1);
		t[h] = (int64_t)i + 1;
	}
	__libc_free(b->lidx);
	b->lidx = t;
	b->lidx_cap = cap;
	return 0;
}

static uint64_t loc_id(struct pb *b, uintptr_t addr)
{
	size_t h;

	if (b->nlocs * 2 >= b->lidx_cap && rehash_locs(b))
		return 0;
	h = hash_addr(addr) & (b->lidx_cap - 1);
	while (b->lidx[h]) {
		struct pb_loc *l = &b->locs[b->lidx[h] - 1];

		if (!l->func && l->addr == addr)
			return l->id;
		h = (h + 1) & (b->lidx_cap - 1);
	}
	if (rec_grow((void **)&b->locs, &b->caplocs, b->nlocs + 1, sizeof(*b->locs)))
		return 0;
	b->locs[b->nlocs] = (struct pb_loc){ addr, b->nlocs + 1, 0 };
	b->lidx[h] = (int64_t)++b->nlocs;
	return b->nlocs;
}

static int add_sample(struct pb *b, uint64_t *locs, size_t nlocs, const int64_t *values)
{
	struct pb_sample *s;
	int64_t *v;

	v = __libc_malloc(b->ntypes * sizeof(*v) + 1);
	if (!v ||
	    rec_grow((void **)&b->samples, &b->capsamples, b->nsamples + 1, sizeof(*b->samples))) {
		__libc_free(v);
		__libc_free(locs);
		b->oom = true;
		return CPROF_RECORD_ENOMEM;
	}
	memcpy(v, values, b->ntypes * sizeof(*v));
	s = &b->samples[b->nsamples++];
	*s = (struct pb_sample){ locs, nlocs, v, 0, 0, 0 };
	return 0;
}

int pb_sample(struct pb *b, const uintptr_t *pcs, int n, const int64_t *values,
	      const char *label_key, int64_t label_num, const char *label_unit)
{
	uint64_t *locs = __libc_malloc(((size_t)n + 1) * sizeof(*locs));
	int ret;

	if (!locs) {
		b->oom = true;
		return CPROF_RECORD_ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		uintptr_t a = pcs[i];

		/* Return addresses become call addresses, as Go writes them. */
		if (a && !(i == 0 && (b->flags & PB_LEAF_EXACT)))
			a--;
		locs[i] = loc_id(b, a);
		if (!locs[i]) {
			__libc_free(locs);
			b->oom = true;
			return CPROF_RECORD_ENOMEM;
		}
	}
	ret = add_sample(b, locs, (size_t)n, values);
	if (!ret && label_key) {
		struct pb_sample *s = &b->samples[b->nsamples - 1];

		s->label_key = intern(b, label_key);
		s->label_num = label_num;
		s->label_unit = label_unit ? intern(b, label_unit) : 0;
	}
	return ret;
}

int pb_sample_named(struct pb *b, const char *func, const int64_t *values)
{
	uint64_t *locs = __libc_malloc(sizeof(*locs));
	uint64_t id = 0;

	if (!locs)
		goto oom;
	for (size_t i = 0; i < b->nlocs; i++)
		if (b->locs[i].func && !strcmp(b->funcs[b->locs[i].func - 1], func))
			id = b->locs[i].id;
	if (!id) {
		char *name = dup_str(func);

		if (!name ||
		    rec_grow((void **)&b->funcs, &b->capfuncs, b->nfuncs + 1, sizeof(*b->funcs)) ||
		    rec_grow((void **)&b->locs, &b->caplocs, b->nlocs + 1, sizeof(*b->locs))) {
			__libc_free(name);
			goto oom;
		}
		b->funcs[b->nfuncs++] = name;
		id = ++b->nlocs;
		b->locs[id - 1] = (struct pb_loc){ 0, id, b->nfuncs };
	}
	locs[0] = id;
	return add_sample(b, locs, 1, values);
oom:
	__libc_free(locs);
	b->oom = true;
	return CPROF_RECORD_ENOMEM;
}

/* ---- mappings ---- */

struct maps_ctx {
	struct pb_map *maps;
	size_t n, cap;
	bool oom;
};

static void build_id_hex(const struct dl_phdr_info *info, char *out)
{
	*out = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const unsigned char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)p;
			const unsigned char *name = p + sizeof(*nh);
			const unsigned char *desc = name + ((nh->n_namesz + 3) & ~3u);

			if (desc + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && nh->n_descsz <= 32) {
				static const char hex[] = "0123456789abcdef";

				for (size_t k = 0; k < nh->n_descsz; k++) {
					out[2 * k] = hex[desc[k] >> 4];
					out[2 * k + 1] = hex[desc[k] & 15];
				}
				out[2 * nh->n_descsz] = 0;
				return;
			}
			p = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
}

static int maps_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct maps_ctx *c = arg;
	char build_id[65];
	const char *name = info->dlpi_name;
	char exe[PATH_MAX];
	bool first = c->n == 0;

	build_id_hex(info, build_id);
	if (first && (!name || !*name)) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		exe[n > 0 ? n : 0] = 0;
		name = exe;
	} else if (info->dlpi_addr && info->dlpi_addr == getauxval(AT_SYSINFO_EHDR)) {
		name = "[vdso]";
	}
	if (!name || !*name)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start, limit, pg = 4096;
		struct pb_map *m;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		start = (info->dlpi_addr + ph->p_vaddr) & ~(pg - 1);
		limit = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + pg - 1) & ~(pg - 1);
		if (rec_grow((void **)&c->maps, &c->cap, c->n + 1, sizeof(*c->maps))) {
			c->oom = true;
			return 1;
		}
		m = &c->maps[c->n++];
		m->start = start;
		m->limit = limit;
		m->offset = ph->p_offset & ~(pg - 1);
		snprintf(m->name, sizeof(m->name), "%s", name);
		memcpy(m->build_id, build_id, sizeof(m->build_id));
	}
	return 0;
}

static bool same_map(const struct pb_map *a, const struct pb_map *b)
{
	return a->start == b->start && a->limit == b->limit && !strcmp(a->name, b->name);
}

void rec_maps_snapshot(void)
{
	struct maps_ctx c = { 0 };

	rec_guard++;
	dl_iterate_phdr(maps_cb, &c);
	rec_lock(&maps_lock);
	for (size_t i = 0; i < c.n; i++) {
		bool have = false;

		for (size_t k = 0; k < nold_maps && !have; k++)
			have = same_map(&old_maps[k], &c.maps[i]);
		if (have ||
		    rec_grow((void **)&old_maps, &capold_maps, nold_maps + 1, sizeof(*old_maps)))
			continue;
		old_maps[nold_maps++] = c.maps[i];
	}
	rec_unlock(&maps_lock);
	__libc_free(c.maps);
	rec_guard--;
}

/* Current objects first (main executable first), then unloaded ones that do not overlap. */
static int collect_maps(struct maps_ctx *c)
{
	dl_iterate_phdr(maps_cb, c);
	if (c->oom)
		return -1;
	rec_lock(&maps_lock);
	for (size_t i = 0; i < nold_maps; i++) {
		bool clash = false;

		for (size_t k = 0; k < c->n && !clash; k++)
			clash = old_maps[i].start < c->maps[k].limit &&
				c->maps[k].start < old_maps[i].limit;
		if (clash)
			continue;
		if (rec_grow((void **)&c->maps, &c->cap, c->n + 1, sizeof(*c->maps))) {
			c->oom = true;
			break;
		}
		c->maps[c->n++] = old_maps[i];
	}
	rec_unlock(&maps_lock);
	return c->oom ? -1 : 0;
}

/* ---- encoding ---- */

struct outbuf {
	ProtobufCBuffer base;
	uint8_t *data;
	size_t len, cap;
	bool oom;
};

static void outbuf_append(ProtobufCBuffer *buf, size_t len, const uint8_t *data)
{
	struct outbuf *o = (struct outbuf *)buf;

	if (o->oom)
		return;
	if (rec_grow((void **)&o->data, &o->cap, o->len + len, 1)) {
		o->oom = true;
		return;
	}
	memcpy(o->data + o->len, data, len);
	o->len += len;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	return __libc_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
	__libc_free(p);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int gzip_write(int fd, const uint8_t *data, size_t len)
{
	z_stream z;
	uint8_t out[16384];
	int zr, ret = 0;

	memset(&z, 0, sizeof(z));
	z.zalloc = z_alloc;
	z.zfree = z_free;
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return CPROF_RECORD_ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = deflate(&z, Z_FINISH);
		if (zr == Z_STREAM_ERROR) {
			ret = CPROF_RECORD_EIO;
			break;
		}
		if (write_all(fd, out, sizeof(out) - z.avail_out)) {
			ret = CPROF_RECORD_EIO;
			break;
		}
	} while (zr != Z_STREAM_END);
	deflateEnd(&z);
	return ret;
}

int pb_write(struct pb *b, int fd)
{
	Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType *types = NULL, **ptypes = NULL, period_type;
	Perftools__Profiles__Sample *samples = NULL, **psamples = NULL;
	Perftools__Profiles__Label *labels = NULL, **plabels = NULL;
	Perftools__Profiles__Mapping *maps = NULL, **pmaps = NULL;
	Perftools__Profiles__Location *locs = NULL, **plocs = NULL;
	Perftools__Profiles__Line *lines = NULL, **plines = NULL;
	Perftools__Profiles__Function *funcs = NULL, **pfuncs = NULL;
	struct maps_ctx mc = { 0 };
	struct outbuf ob = { { outbuf_append }, NULL, 0, 0, false };
	int ret = CPROF_RECORD_ENOMEM;

	rec_guard++;
	if (collect_maps(&mc))
		goto out;
	if (mc.n == 0) {
		/* pprof wants at least one mapping. */
		if (rec_grow((void **)&mc.maps, &mc.cap, 1, sizeof(*mc.maps)))
			goto out;
		memset(&mc.maps[0], 0, sizeof(mc.maps[0]));
		mc.maps[0].limit = UINTPTR_MAX;
		mc.n = 1;
	}
	/* Interning below may grow strs: intern everything before pointing into it. */
	for (size_t i = 0; i < mc.n; i++) {
		intern(b, mc.maps[i].name);
		intern(b, mc.maps[i].build_id);
	}
	for (size_t i = 0; i < b->nfuncs; i++)
		intern(b, b->funcs[i]);
	if (b->oom)
		goto out;

	types = __libc_calloc(b->ntypes + 1, sizeof(*types));
	ptypes = __libc_calloc(b->ntypes + 1, sizeof(*ptypes));
	samples = __libc_calloc(b->nsamples + 1, sizeof(*samples));
	psamples = __libc_calloc(b->nsamples + 1, sizeof(*psamples));
	labels = __libc_calloc(b->nsamples + 1, sizeof(*labels));
	plabels = __libc_calloc(b->nsamples + 1, sizeof(*plabels));
	maps = __libc_calloc(mc.n, sizeof(*maps));
	pmaps = __libc_calloc(mc.n, sizeof(*pmaps));
	locs = __libc_calloc(b->nlocs + 1, sizeof(*locs));
	plocs = __libc_calloc(b->nlocs + 1, sizeof(*plocs));
	lines = __libc_calloc(b->nfuncs + 1, sizeof(*lines));
	plines = __libc_calloc(b->nfuncs + 1, sizeof(*plines));
	funcs = __libc_calloc(b->nfuncs + 1, sizeof(*funcs));
	pfuncs = __libc_calloc(b->nfuncs + 1, sizeof(*pfuncs));
	if (!types || !ptypes || !samples || !psamples || !labels || !plabels || !maps || !pmaps ||
	    !locs || !plocs || !lines || !plines || !funcs || !pfuncs)
		goto out;

	for (size_t i = 0; i < b->ntypes; i++) {
		perftools__profiles__value_type__init(&types[i]);
		types[i].type = b->types[i][0];
		types[i].unit = b->types[i][1];
		ptypes[i] = &types[i];
	}
	p.n_sample_type = b->ntypes;
	p.sample_type = ptypes;
	for (size_t i = 0; i < b->nsamples; i++) {
		struct pb_sample *s = &b->samples[i];

		perftools__profiles__sample__init(&samples[i]);
		samples[i].n_location_id = s->nlocs;
		samples[i].location_id = s->locs;
		samples[i].n_value = b->ntypes;
		samples[i].value = s->values;
		if (s->label_key) {
			perftools__profiles__label__init(&labels[i]);
			labels[i].key = s->label_key;
			labels[i].num = s->label_num;
			labels[i].num_unit = s->label_unit;
			plabels[i] = &labels[i];
			samples[i].n_label = 1;
			samples[i].label = &plabels[i];
		}
		psamples[i] = &samples[i];
	}
	p.n_sample = b->nsamples;
	p.sample = psamples;
	for (size_t i = 0; i < mc.n; i++) {
		perftools__profiles__mapping__init(&maps[i]);
		maps[i].id = i + 1;
		maps[i].memory_start = mc.maps[i].start;
		maps[i].memory_limit = mc.maps[i].limit;
		maps[i].file_offset = mc.maps[i].offset;
		maps[i].filename = intern(b, mc.maps[i].name);
		maps[i].build_id = intern(b, mc.maps[i].build_id);
		pmaps[i] = &maps[i];
	}
	p.n_mapping = mc.n;
	p.mapping = pmaps;
	for (size_t i = 0; i < b->nfuncs; i++) {
		perftools__profiles__function__init(&funcs[i]);
		funcs[i].id = i + 1;
		funcs[i].name = intern(b, b->funcs[i]);
		funcs[i].system_name = funcs[i].name;
		pfuncs[i] = &funcs[i];
		perftools__profiles__line__init(&lines[i]);
		lines[i].function_id = i + 1;
		plines[i] = &lines[i];
	}
	p.n_function = b->nfuncs;
	p.function = pfuncs;
	for (size_t i = 0; i < b->nlocs; i++) {
		struct pb_loc *l = &b->locs[i];

		perftools__profiles__location__init(&locs[i]);
		locs[i].id = l->id;
		if (l->func) {
			locs[i].n_line = 1;
			locs[i].line = &plines[l->func - 1];
		} else {
			locs[i].address = l->addr;
			for (size_t k = 0; k < mc.n; k++)
				if (l->addr >= mc.maps[k].start && l->addr < mc.maps[k].limit) {
					locs[i].mapping_id = k + 1;
					break;
				}
		}
		plocs[i] = &locs[i];
	}
	p.n_location = b->nlocs;
	p.location = plocs;
	if (b->period_type[0] || b->period_type[1]) {
		perftools__profiles__value_type__init(&period_type);
		period_type.type = b->period_type[0];
		period_type.unit = b->period_type[1];
		p.period_type = &period_type;
	}
	p.period = b->period;
	p.time_nanos = b->time_ns;
	p.duration_nanos = b->duration_ns;
	p.default_sample_type = b->default_type;
	p.n_comment = b->ncomments;
	p.comment = b->comments;
	if (b->oom)
		goto out;
	p.n_string_table = b->nstrs;
	p.string_table = b->strs;

	perftools__profiles__profile__pack_to_buffer(&p, &ob.base);
	if (ob.oom)
		goto out;
	ret = gzip_write(fd, ob.data, ob.len);
out:
	__libc_free(types);
	__libc_free(ptypes);
	__libc_free(samples);
	__libc_free(psamples);
	__libc_free(labels);
	__libc_free(plabels);
	__libc_free(maps);
	__libc_free(pmaps);
	__libc_free(locs);
	__libc_free(plocs);
	__libc_free(lines);
	__libc_free(plines);
	__libc_free(funcs);
	__libc_free(pfuncs);
	__libc_free(mc.maps);
	__libc_free(ob.data);
	rec_guard--;
	return ret;
}
