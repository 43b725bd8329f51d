/*
 * genprof - generate large, realistically shaped synthetic CPU profiles.
 *
 * Usage: genprof [-s SEED] [-n DISTINCT_STACKS] [-f FUNCTIONS] [-z LEVEL] OUT.pb.gz
 *
 * The output is a gzipped perftools.profiles.Profile (profile.proto), the
 * format `go tool pprof` reads.  The same arguments always produce the same
 * bytes.  See bench/README.md for the model; in short:
 *
 *   1. A synthetic "program" is built: modules (C++ namespaces and Go
 *      packages) holding functions arranged in call levels, a call graph
 *      whose edges mostly go one to three levels down (often within the
 *      module), a few recursive functions, small helpers that get inlined,
 *      and a fixed set of runtime/library functions (libc, libstdc++, zlib,
 *      libcrypto, the Go runtime) reached through realistic call chains.
 *      Every call edge and every "self" PC is one Location.
 *   2. Random walks from a few root chains (clone -> start_thread, the Go
 *      scheduler, GC workers...) down the call graph produce stacks.  The
 *      root-side part of a walk follows one of a limited set of Zipf-popular
 *      "path classes" (a trunk plus a few segments, each replayed from its
 *      own random stream), the leaf end is the walk's own, so stacks share
 *      prefixes and hot paths repeat.  Walks continue until DISTINCT_STACKS
 *      different stacks were seen; the number of walks that hit a stack is
 *      its sample count.  Walk i uses its own random stream, so stacks are
 *      never stored: they are regenerated from their walk number.
 *   3. Only the locations, functions and strings that some stack uses are
 *      written.  The profile is written as a sequence of partial Profile
 *      messages, each packed with the protobuf-c generated code (repeated
 *      fields of concatenated messages merge, so the result is one valid
 *      Profile), streamed through zlib in gzip format.  Memory stays small.
 */
#include "model/compat.h"

#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "profile.pb-c.h"

/* ------------------------------------------------------------------ */
/* utilities                                                           */

static const char *prog_name = "genprof";

static NORETURN PRINTF_LIKE(1, 2) void die(const char *fmt, ...);
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		die("out of memory (%zu x %zu bytes)", n, sz);
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

/* Returns arr grown (element size elsz, capacity *cap) to hold at least need. */
static void *grow(void *arr, uint32_t *cap, uint32_t need, size_t elsz)
{
	uint32_t c = *cap;

	if (need <= c)
		return arr;
	if (c < 4)
		c = 4;
	while (c < need)
		c = c < 0x40000000u ? c * 2 : 0xffffffffu;
	if (elsz && c > SIZE_MAX / elsz)
		die("out of memory (%u x %zu bytes)", c, elsz);
	*cap = c;
	return xrealloc(arr, (size_t)c * elsz);
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

static PRINTF_LIKE(1, 2) char *xfmt(const char *fmt, ...);
static char *xfmt(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ */
/* random numbers: splitmix64 streams                                  */

struct rng {
	uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* uniform in [0, n) */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* uniform in [lo, hi] */
static uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1p-53;
}

static bool rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* Natural logarithm without libm (the build links only protobuf-c and z). */
static double ln(double x)
{
	uint64_t bits;
	int e;
	double m, t, t2, sum, term;
	int k;

	if (!(x > 0))
		return -1e300;
	memcpy(&bits, &x, sizeof bits);
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
	memcpy(&m, &bits, sizeof m); /* m in [1, 2) */
	if (m > 1.4142135623730951) {
		m *= 0.5;
		e++;
	}
	t = (m - 1) / (m + 1);
	t2 = t * t;
	sum = 0;
	term = t;
	for (k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= t2;
	}
	return 2 * sum + e * 0.6931471805599453;
}

/* exponential with the given mean */
static double rng_expo(struct rng *r, double mean)
{
	return -ln(1.0 - rng_unit(r)) * mean;
}

static double expo_fn(double x)
{
	/* e^x = 2^k * e^r with |r| <= ln2/2 */
	double k = (double)(long)(x / 0.6931471805599453 + (x < 0 ? -0.5 : 0.5));
	double rr = x - k * 0.6931471805599453, term = 1, sum = 1;
	uint64_t bits;
	double scale;

	for (int i = 1; i < 25; i++) {
		term *= rr / i;
		sum += term;
	}
	if (k < -1000)
		return 0;
	bits = (uint64_t)((long)k + 1023) << 52;
	memcpy(&scale, &bits, sizeof scale);
	return sum * scale;
}

/* struct zipf over k items: weight of item i is 1/(i+1)^s. */
#define ZIPF_S_CALLS 1.6  /* skew of the callee choice */
#define KMEAN	     3.2  /* mean number of callees of a function, minus one */
#define P_NO_CALLEES 0.02 /* chance that a function deeper than level 4 calls nothing */
#define ZIPF_MAX     65536
struct zipf {
	double cum[ZIPF_MAX];
};
static struct zipf zipf_flat;  /* s = 1.0: library entries, self PCs */
static struct zipf zipf_calls; /* s = ZIPF_S_CALLS: choice among a function's callees */

static void zipf_init(struct zipf *z, double s)
{
	double sum = 0;

	for (int i = 0; i < ZIPF_MAX; i++) {
		sum += expo_fn(-s * ln((double)(i + 1)));
		z->cum[i] = sum;
	}
}

static uint32_t rng_zipf(struct rng *r, uint32_t k, const struct zipf *z)
{
	uint32_t lo = 0, hi;
	double u;

	if (k <= 1)
		return 0;
	if (k > ZIPF_MAX)
		k = ZIPF_MAX;
	hi = k - 1;
	u = rng_unit(r) * z->cum[k - 1];
	while (lo < hi) { /* first i with cum[i] > u */
		uint32_t mid = (lo + hi) / 2;
		if (z->cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)ARRAY_SIZE(arr))])

/* ------------------------------------------------------------------ */
/* string -> uint32 hash map                                           */

struct strmap {
	const char **keys;
	uint32_t *vals;
	uint32_t cap, n;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix64(h);
}

static void strmap_put(struct strmap *m, const char *k, uint32_t v);

static void strmap_rehash(struct strmap *m)
{
	struct strmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 1024;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->vals = xcalloc(m->cap, sizeof *m->vals);
	m->n = 0;
	for (uint32_t i = 0; i < old.cap; i++)
		if (old.keys[i])
			strmap_put(m, old.keys[i], old.vals[i]);
	free(old.keys);
	free(old.vals);
}

/* Returns the slot of k (its key is NULL if absent). */
static uint32_t strmap_slot(const struct strmap *m, const char *k)
{
	uint32_t mask = m->cap - 1, i = (uint32_t)str_hash(k) & mask;

	while (m->keys[i] && strcmp(m->keys[i], k) != 0)
		i = (i + 1) & mask;
	return i;
}

static bool strmap_get(const struct strmap *m, const char *k, uint32_t *v)
{
	uint32_t i;

	if (!m->cap)
		return false;
	i = strmap_slot(m, k);
	if (!m->keys[i])
		return false;
	*v = m->vals[i];
	return true;
}

static void strmap_put(struct strmap *m, const char *k, uint32_t v)
{
	uint32_t i;

	if ((m->n + 1) * 2 > m->cap)
		strmap_rehash(m);
	i = strmap_slot(m, k);
	if (!m->keys[i]) {
		m->keys[i] = k;
		m->n++;
	}
	m->vals[i] = v;
}

/* ------------------------------------------------------------------ */
/* the synthetic program                                               */

enum {
	SIDE_NATIVE,
	SIDE_GO
}; /* C/C++ code vs Go code */
enum {
	KIND_PROG,
	KIND_FIXED,
	KIND_INLINE
};
enum {
	MAP_MAIN,
	MAP_LIBC,
	MAP_LIBSTDCXX,
	MAP_LIBM,
	MAP_LIBZ,
	MAP_LIBCRYPTO,
	MAP_VDSO,
	NMAPS
};

static const struct {
	const char *file;
	uint64_t base;
} map_defs[NMAPS] = {
	{ "/usr/local/bin/frontend_server", 0x55c4d7a00000ULL },
	{ "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x7f6e1c200000ULL },
	{ "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", 0x7f6e1c600000ULL },
	{ "/usr/lib/x86_64-linux-gnu/libm.so.6", 0x7f6e1ca00000ULL },
	{ "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", 0x7f6e1ce00000ULL },
	{ "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", 0x7f6e1d200000ULL },
	{ "[vdso]", 0x7ffc3a9f1000ULL },
};

static uint64_t map_limit[NMAPS];

struct call {
	uint32_t loc, callee;
};

struct func {
	const char *name, *sysname, *file;
	int32_t start_line, nlines;
	int16_t level; /* call level (program functions), -1 otherwise */
	uint8_t side, kind, map;
	uint8_t rec_pct; /* recursive: chance (percent) to call itself again */
	uint32_t module; /* program/inline functions: module index */
	struct call *pc; /* calls into program functions (struct zipf weighted) */
	struct call *lc; /* calls into library/runtime functions */
	uint32_t *self;	 /* locations where the function itself is running */
	uint32_t npc, cpc, nlc, clc, nself, cself;
	uint32_t rec_loc;
	uint64_t addr, size;
	uint32_t out_id;
};

struct loc {
	uint32_t fn;	 /* the function whose code holds the PC */
	uint32_t inl[2]; /* inlined functions, inl[0] innermost */
	int32_t line, inl_line[2];
	uint8_t ninl;
	uint64_t addr;
	uint32_t out_id;
};

struct module {
	const char *name; /* C++ namespace or Go import path */
	uint8_t side;
	int base_level, span;
	const char **files;
	uint32_t nfiles, nsrc; /* files[0..nsrc) sources, the rest headers */
	const char **types;
	uint32_t ntypes;
	uint32_t first_fn, nfn;
	uint32_t *helpers; /* inline-only helper functions */
	uint32_t nhelpers;
};

static struct func *fns;
static uint32_t nfns, cfns;
static struct loc *locs;
static uint32_t nlocs, clocs;
static struct module *mods;
static uint32_t nmods, cmods;
static struct strmap fn_by_name;

#define LMAX 110 /* deepest call level */
static uint32_t *level_fns[2][LMAX + 1];
static uint32_t level_n[2][LMAX + 1], level_cap[2][LMAX + 1];

/* Next free line of each source file: functions of a file follow each other. */
static struct strmap file_lines;

static int32_t place_lines(struct rng *r, const char *file, int32_t nlines)
{
	uint32_t next;
	int32_t start;

	if (!strmap_get(&file_lines, file, &next))
		next = 10 + rng_below(r, 40);
	start = (int32_t)next + (int32_t)rng_range(r, 2, 25);
	strmap_put(&file_lines, file, (uint32_t)(start + nlines));
	return start;
}

static uint32_t *inline_pool[2];
static uint32_t inline_pool_n[2], inline_pool_cap[2];

static uint32_t new_func(const char *name, const char *file, uint8_t side, uint8_t kind,
			 uint8_t map)
{
	struct func *f;

	fns = grow(fns, &cfns, nfns + 1, sizeof *fns);
	f = &fns[nfns];
	memset(f, 0, sizeof *f);
	f->name = name;
	f->sysname = name;
	f->file = file;
	f->side = side;
	f->kind = kind;
	f->map = map;
	f->level = -1;
	f->module = UINT32_MAX;
	f->rec_loc = UINT32_MAX;
	strmap_put(&fn_by_name, name, nfns);
	return nfns++;
}

static bool name_taken(const char *name)
{
	uint32_t v;

	return strmap_get(&fn_by_name, name, &v);
}

/* A new location in function fn; program functions sometimes get inlined frames. */
static uint32_t new_loc(struct rng *r, uint32_t fn)
{
	struct loc *l;
	struct func *f = &fns[fn];

	locs = grow(locs, &clocs, nlocs + 1, sizeof *locs);
	l = &locs[nlocs];
	memset(l, 0, sizeof *l);
	l->fn = fn;
	l->line = f->start_line + (int32_t)rng_below(r, (uint32_t)f->nlines) + 1;
	if (f->kind == KIND_PROG) {
		double u = rng_unit(r);
		int n = u < 0.05 ? 2 : u < 0.22 ? 1 : 0;
		struct module *m = &mods[f->module];

		for (int i = 0; i < n; i++) {
			uint32_t h;

			if (m->nhelpers && rng_chance(r, 0.5))
				h = m->helpers[rng_below(r, m->nhelpers)];
			else if (inline_pool_n[f->side])
				h = inline_pool[f->side]
					       [rng_zipf(r, inline_pool_n[f->side], &zipf_flat)];
			else
				break;
			if (h == fn || (i == 1 && h == l->inl[0]))
				break;
			l->inl[i] = h;
			l->inl_line[i] = fns[h].start_line +
					 (int32_t)rng_below(r, (uint32_t)fns[h].nlines) + 1;
			l->ninl = (uint8_t)(i + 1);
		}
		/* inl[] was filled outermost first; store innermost first */
		if (l->ninl == 2) {
			uint32_t t = l->inl[0];
			int32_t tl = l->inl_line[0];

			l->inl[0] = l->inl[1];
			l->inl_line[0] = l->inl_line[1];
			l->inl[1] = t;
			l->inl_line[1] = tl;
		}
	}
	return nlocs++;
}

static void add_pc(struct rng *r, uint32_t from, uint32_t to)
{
	uint32_t loc = new_loc(r, from);
	struct func *f = &fns[from];

	f->pc = grow(f->pc, &f->cpc, f->npc + 1, sizeof *f->pc);
	f->pc[f->npc++] = (struct call){ loc, to };
}

/* Location in `from` that calls `to` (library edges), created once. */
static uint32_t link_lc(struct rng *r, uint32_t from, uint32_t to)
{
	struct func *f = &fns[from];
	uint32_t loc;

	for (uint32_t i = 0; i < f->nlc; i++)
		if (f->lc[i].callee == to)
			return f->lc[i].loc;
	loc = new_loc(r, from);
	f = &fns[from];
	f->lc = grow(f->lc, &f->clc, f->nlc + 1, sizeof *f->lc);
	f->lc[f->nlc++] = (struct call){ loc, to };
	return loc;
}

static uint32_t find_lc(uint32_t from, uint32_t to)
{
	const struct func *f = &fns[from];

	for (uint32_t i = 0; i < f->nlc; i++)
		if (f->lc[i].callee == to)
			return f->lc[i].loc;
	die("internal error: no call from %s to %s", f->name, fns[to].name);
}

static void add_self(struct rng *r, uint32_t fn, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t loc = new_loc(r, fn);
		struct func *f = &fns[fn];

		f->self = grow(f->self, &f->cself, f->nself + 1, sizeof *f->self);
		f->self[f->nself++] = loc;
	}
}

/* ------------------------------------------------------------------ */
/* fixed runtime / library functions                                   */

#define LIBC_SRC "./"
#define STDCXX	 "../../../../libstdc++-v3/"
#define GOROOT	 "/usr/local/go/src/"

static const struct {
	const char *name, *file;
	uint8_t side, map;
} fixed_defs[] = {
	/* libc */
	{ "clone3", LIBC_SRC "misc/../sysdeps/unix/sysv/linux/x86_64/clone3.S", SIDE_NATIVE,
	  MAP_LIBC },
	{ "start_thread", LIBC_SRC "nptl/pthread_create.c", SIDE_NATIVE, MAP_LIBC },
	{ "__libc_start_main_impl", LIBC_SRC "csu/../csu/libc-start.c", SIDE_NATIVE, MAP_LIBC },
	{ "__libc_start_call_main", LIBC_SRC "csu/../sysdeps/nptl/libc_start_call_main.h",
	  SIDE_NATIVE, MAP_LIBC },
	{ "__memmove_avx_unaligned_erms",
	  LIBC_SRC "string/../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S", SIDE_NATIVE,
	  MAP_LIBC },
	{ "__memset_avx2_unaligned_erms",
	  LIBC_SRC "string/../sysdeps/x86_64/multiarch/memset-vec-unaligned-erms.S", SIDE_NATIVE,
	  MAP_LIBC },
	{ "__memcmp_avx2_movbe", LIBC_SRC "string/../sysdeps/x86_64/multiarch/memcmp-avx2-movbe.S",
	  SIDE_NATIVE, MAP_LIBC },
	{ "__strlen_avx2", LIBC_SRC "string/../sysdeps/x86_64/multiarch/strlen-avx2.S", SIDE_NATIVE,
	  MAP_LIBC },
	{ "malloc", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "free", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "realloc", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "calloc", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "_int_malloc", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "_int_free", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "_int_realloc", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "malloc_consolidate", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "sysmalloc", LIBC_SRC "malloc/malloc.c", SIDE_NATIVE, MAP_LIBC },
	{ "___pthread_mutex_lock", LIBC_SRC "nptl/pthread_mutex_lock.c", SIDE_NATIVE, MAP_LIBC },
	{ "___pthread_mutex_unlock", LIBC_SRC "nptl/pthread_mutex_unlock.c", SIDE_NATIVE,
	  MAP_LIBC },
	{ "__lll_lock_wait", LIBC_SRC "nptl/lowlevellock.c", SIDE_NATIVE, MAP_LIBC },
	{ "__lll_lock_wake", LIBC_SRC "nptl/lowlevellock.c", SIDE_NATIVE, MAP_LIBC },
	{ "___pthread_cond_wait", LIBC_SRC "nptl/pthread_cond_wait.c", SIDE_NATIVE, MAP_LIBC },
	{ "__pthread_cond_wait_common", LIBC_SRC "nptl/pthread_cond_wait.c", SIDE_NATIVE,
	  MAP_LIBC },
	{ "__futex_abstimed_wait_common", LIBC_SRC "nptl/futex-internal.c", SIDE_NATIVE, MAP_LIBC },
	{ "___pthread_cond_signal", LIBC_SRC "nptl/pthread_cond_signal.c", SIDE_NATIVE, MAP_LIBC },
	{ "__GI___clock_gettime", LIBC_SRC "time/../sysdeps/unix/sysv/linux/clock_gettime.c",
	  SIDE_NATIVE, MAP_LIBC },
	{ "__GI___libc_write", LIBC_SRC "io/../sysdeps/unix/sysv/linux/write.c", SIDE_NATIVE,
	  MAP_LIBC },
	{ "__libc_recvmsg", LIBC_SRC "socket/../sysdeps/unix/sysv/linux/recvmsg.c", SIDE_NATIVE,
	  MAP_LIBC },
	{ "__libc_sendmsg", LIBC_SRC "socket/../sysdeps/unix/sysv/linux/sendmsg.c", SIDE_NATIVE,
	  MAP_LIBC },
	{ "epoll_wait", LIBC_SRC "misc/../sysdeps/unix/sysv/linux/epoll_wait.c", SIDE_NATIVE,
	  MAP_LIBC },
	{ "__sched_yield", LIBC_SRC "posix/../sysdeps/unix/sysv/linux/sched_yield.c", SIDE_NATIVE,
	  MAP_LIBC },
	/* vdso */
	{ "__vdso_clock_gettime", "arch/x86/entry/vdso/vclock_gettime.c", SIDE_NATIVE, MAP_VDSO },
	/* libstdc++ */
	{ "std::execute_native_thread_routine(void*)", STDCXX "src/c++11/thread.cc", SIDE_NATIVE,
	  MAP_LIBSTDCXX },
	{ "operator new(unsigned long)", STDCXX "libsupc++/new_op.cc", SIDE_NATIVE, MAP_LIBSTDCXX },
	{ "operator delete(void*, unsigned long)", STDCXX "libsupc++/del_ops.cc", SIDE_NATIVE,
	  MAP_LIBSTDCXX },
	{ "std::_Hash_bytes(void const*, unsigned long, unsigned long)",
	  STDCXX "libsupc++/hash_bytes.cc", SIDE_NATIVE, MAP_LIBSTDCXX },
	{ "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_mutate(unsigned long, unsigned long, char const*, unsigned long)",
	  "/build/gcc-12/build/x86_64-linux-gnu/libstdc++-v3/include/bits/basic_string.tcc",
	  SIDE_NATIVE, MAP_LIBSTDCXX },
	{ "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_append(char const*, unsigned long)",
	  "/build/gcc-12/build/x86_64-linux-gnu/libstdc++-v3/include/bits/basic_string.tcc",
	  SIDE_NATIVE, MAP_LIBSTDCXX },
	{ "std::_Rb_tree_increment(std::_Rb_tree_node_base*)", STDCXX "src/c++98/tree.cc",
	  SIDE_NATIVE, MAP_LIBSTDCXX },
	{ "std::_Rb_tree_insert_and_rebalance(bool, std::_Rb_tree_node_base*, std::_Rb_tree_node_base*, std::_Rb_tree_node_base&)",
	  STDCXX "src/c++98/tree.cc", SIDE_NATIVE, MAP_LIBSTDCXX },
	{ "std::__detail::_Prime_rehash_policy::_M_need_rehash(unsigned long, unsigned long, unsigned long) const",
	  STDCXX "src/c++11/hashtable_c++0x.cc", SIDE_NATIVE, MAP_LIBSTDCXX },
	{ "__dynamic_cast", STDCXX "libsupc++/dyncast.cc", SIDE_NATIVE, MAP_LIBSTDCXX },
	{ "__cxxabiv1::__vmi_class_type_info::__do_dyncast(long, __cxxabiv1::__class_type_info::__sub_kind, __cxxabiv1::__class_type_info const*, void const*, __cxxabiv1::__class_type_info const*, void const*, __cxxabiv1::__class_type_info::__dyncast_result&) const",
	  STDCXX "libsupc++/vmi_class_type_info.cc", SIDE_NATIVE, MAP_LIBSTDCXX },
	/* libm */
	{ "__ieee754_exp_fma", "./math/../sysdeps/ieee754/dbl-64/e_exp.c", SIDE_NATIVE, MAP_LIBM },
	{ "__ieee754_log_fma", "./math/../sysdeps/ieee754/dbl-64/e_log.c", SIDE_NATIVE, MAP_LIBM },
	{ "__ieee754_pow_fma", "./math/../sysdeps/ieee754/dbl-64/e_pow.c", SIDE_NATIVE, MAP_LIBM },
	/* zlib */
	{ "deflate", "./deflate.c", SIDE_NATIVE, MAP_LIBZ },
	{ "deflate_slow", "./deflate.c", SIDE_NATIVE, MAP_LIBZ },
	{ "deflate_fast", "./deflate.c", SIDE_NATIVE, MAP_LIBZ },
	{ "longest_match", "./deflate.c", SIDE_NATIVE, MAP_LIBZ },
	{ "inflate", "./inflate.c", SIDE_NATIVE, MAP_LIBZ },
	{ "inflate_fast", "./inffast.c", SIDE_NATIVE, MAP_LIBZ },
	{ "crc32_z", "./crc32.c", SIDE_NATIVE, MAP_LIBZ },
	/* libcrypto */
	{ "SHA256_Update", "crypto/sha/sha256.c", SIDE_NATIVE, MAP_LIBCRYPTO },
	{ "sha256_block_data_order_avx2", "crypto/sha/sha256-x86_64.s", SIDE_NATIVE,
	  MAP_LIBCRYPTO },
	{ "EVP_EncryptUpdate", "crypto/evp/evp_enc.c", SIDE_NATIVE, MAP_LIBCRYPTO },
	{ "EVP_DecryptUpdate", "crypto/evp/evp_enc.c", SIDE_NATIVE, MAP_LIBCRYPTO },
	{ "aes_gcm_cipher", "providers/implementations/ciphers/ciphercommon_gcm.c", SIDE_NATIVE,
	  MAP_LIBCRYPTO },
	{ "aesni_gcm_encrypt", "crypto/modes/aesni-gcm-x86_64.s", SIDE_NATIVE, MAP_LIBCRYPTO },
	{ "aesni_gcm_decrypt", "crypto/modes/aesni-gcm-x86_64.s", SIDE_NATIVE, MAP_LIBCRYPTO },
	/* native entry point in the main binary */
	{ "main", "server/main.cc", SIDE_NATIVE, MAP_MAIN },
	/* Go runtime and standard library (main binary) */
	{ "runtime.goexit", GOROOT "runtime/asm_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.main", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "main.main", "/build/frontend/cmd/frontend/main.go", SIDE_GO, MAP_MAIN },
	{ "runtime.mcall", GOROOT "runtime/asm_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.park_m", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.schedule", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.findRunnable", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.netpoll", GOROOT "runtime/netpoll_epoll.go", SIDE_GO, MAP_MAIN },
	{ "runtime.epollwait", GOROOT "runtime/sys_linux_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.stealWork", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.runqsteal", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.runqgrab", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.mstart", GOROOT "runtime/asm_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.mstart0", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.mstart1", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.sysmon", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.usleep", GOROOT "runtime/sys_linux_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.gcBgMarkWorker", GOROOT "runtime/mgc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.systemstack", GOROOT "runtime/asm_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.gcBgMarkWorker.func2", GOROOT "runtime/mgc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.gcDrain", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.gcDrainN", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.scanobject", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.greyobject", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.findObject", GOROOT "runtime/mbitmap.go", SIDE_GO, MAP_MAIN },
	{ "runtime.markroot", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.markroot.func1", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.scanstack", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.scanframeworker", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.pcvalue", GOROOT "runtime/symtab.go", SIDE_GO, MAP_MAIN },
	{ "runtime.bgsweep", GOROOT "runtime/mgcsweep.go", SIDE_GO, MAP_MAIN },
	{ "runtime.sweepone", GOROOT "runtime/mgcsweep.go", SIDE_GO, MAP_MAIN },
	{ "runtime.(*sweepLocked).sweep", GOROOT "runtime/mgcsweep.go", SIDE_GO, MAP_MAIN },
	{ "runtime.bgscavenge", GOROOT "runtime/mgcscavenge.go", SIDE_GO, MAP_MAIN },
	{ "runtime.(*scavengerState).run", GOROOT "runtime/mgcscavenge.go", SIDE_GO, MAP_MAIN },
	{ "runtime.(*pageAlloc).scavenge", GOROOT "runtime/mgcscavenge.go", SIDE_GO, MAP_MAIN },
	{ "runtime.sysUnused", GOROOT "runtime/mem.go", SIDE_GO, MAP_MAIN },
	{ "runtime.madvise", GOROOT "runtime/sys_linux_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.mallocgc", GOROOT "runtime/malloc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.(*mcache).nextFree", GOROOT "runtime/malloc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.(*mcache).refill", GOROOT "runtime/mcache.go", SIDE_GO, MAP_MAIN },
	{ "runtime.(*mcentral).cacheSpan", GOROOT "runtime/mcentral.go", SIDE_GO, MAP_MAIN },
	{ "runtime.(*mcentral).grow", GOROOT "runtime/mcentral.go", SIDE_GO, MAP_MAIN },
	{ "runtime.(*mheap).alloc", GOROOT "runtime/mheap.go", SIDE_GO, MAP_MAIN },
	{ "runtime.gcAssistAlloc", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.gcAssistAlloc.func1", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.gcAssistAlloc1", GOROOT "runtime/mgcmark.go", SIDE_GO, MAP_MAIN },
	{ "runtime.memmove", GOROOT "runtime/memmove_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.memclrNoHeapPointers", GOROOT "runtime/memclr_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.memequal", GOROOT "internal/bytealg/equal_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.cmpstring", GOROOT "internal/bytealg/compare_amd64.s", SIDE_GO, MAP_MAIN },
	{ "aeshashbody", GOROOT "runtime/asm_amd64.s", SIDE_GO, MAP_MAIN },
	{ "indexbytebody", GOROOT "internal/bytealg/indexbyte_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.mapaccess2_faststr", GOROOT "runtime/map_faststr.go", SIDE_GO, MAP_MAIN },
	{ "runtime.mapaccess1_fast64", GOROOT "runtime/map_fast64.go", SIDE_GO, MAP_MAIN },
	{ "runtime.mapaccess2", GOROOT "runtime/map.go", SIDE_GO, MAP_MAIN },
	{ "runtime.mapassign_faststr", GOROOT "runtime/map_faststr.go", SIDE_GO, MAP_MAIN },
	{ "runtime.mapiternext", GOROOT "runtime/map.go", SIDE_GO, MAP_MAIN },
	{ "runtime.hashGrow", GOROOT "runtime/map.go", SIDE_GO, MAP_MAIN },
	{ "runtime.makeBucketArray", GOROOT "runtime/map.go", SIDE_GO, MAP_MAIN },
	{ "runtime.newarray", GOROOT "runtime/malloc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.newobject", GOROOT "runtime/malloc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.growslice", GOROOT "runtime/slice.go", SIDE_GO, MAP_MAIN },
	{ "runtime.makeslice", GOROOT "runtime/slice.go", SIDE_GO, MAP_MAIN },
	{ "runtime.concatstrings", GOROOT "runtime/string.go", SIDE_GO, MAP_MAIN },
	{ "runtime.concatstring3", GOROOT "runtime/string.go", SIDE_GO, MAP_MAIN },
	{ "runtime.rawstringtmp", GOROOT "runtime/string.go", SIDE_GO, MAP_MAIN },
	{ "runtime.rawstring", GOROOT "runtime/string.go", SIDE_GO, MAP_MAIN },
	{ "runtime.slicebytetostring", GOROOT "runtime/string.go", SIDE_GO, MAP_MAIN },
	{ "runtime.convTstring", GOROOT "runtime/iface.go", SIDE_GO, MAP_MAIN },
	{ "runtime.assertE2I2", GOROOT "runtime/iface.go", SIDE_GO, MAP_MAIN },
	{ "runtime.getitab", GOROOT "runtime/iface.go", SIDE_GO, MAP_MAIN },
	{ "runtime.efaceeq", GOROOT "runtime/alg.go", SIDE_GO, MAP_MAIN },
	{ "runtime.chansend1", GOROOT "runtime/chan.go", SIDE_GO, MAP_MAIN },
	{ "runtime.chansend", GOROOT "runtime/chan.go", SIDE_GO, MAP_MAIN },
	{ "runtime.chanrecv1", GOROOT "runtime/chan.go", SIDE_GO, MAP_MAIN },
	{ "runtime.chanrecv", GOROOT "runtime/chan.go", SIDE_GO, MAP_MAIN },
	{ "runtime.selectgo", GOROOT "runtime/select.go", SIDE_GO, MAP_MAIN },
	{ "runtime.sellock", GOROOT "runtime/select.go", SIDE_GO, MAP_MAIN },
	{ "runtime.lock2", GOROOT "runtime/lock_futex.go", SIDE_GO, MAP_MAIN },
	{ "runtime.unlock2", GOROOT "runtime/lock_futex.go", SIDE_GO, MAP_MAIN },
	{ "runtime.procyield", GOROOT "runtime/asm_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.futex", GOROOT "runtime/sys_linux_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.futexwakeup", GOROOT "runtime/os_linux.go", SIDE_GO, MAP_MAIN },
	{ "runtime.notewakeup", GOROOT "runtime/lock_futex.go", SIDE_GO, MAP_MAIN },
	{ "runtime.wakep", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.startm", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.goready", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.goready.func1", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.ready", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.runqput", GOROOT "runtime/proc.go", SIDE_GO, MAP_MAIN },
	{ "runtime.gcWriteBarrier", GOROOT "runtime/asm_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.wbBufFlush", GOROOT "runtime/mwbbuf.go", SIDE_GO, MAP_MAIN },
	{ "runtime.wbBufFlush.func1", GOROOT "runtime/mwbbuf.go", SIDE_GO, MAP_MAIN },
	{ "runtime.wbBufFlush1", GOROOT "runtime/mwbbuf.go", SIDE_GO, MAP_MAIN },
	{ "runtime.morestack", GOROOT "runtime/asm_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime.newstack", GOROOT "runtime/stack.go", SIDE_GO, MAP_MAIN },
	{ "runtime.copystack", GOROOT "runtime/stack.go", SIDE_GO, MAP_MAIN },
	{ "runtime.gentraceback", GOROOT "runtime/traceback.go", SIDE_GO, MAP_MAIN },
	{ "runtime.typedmemmove", GOROOT "runtime/mbarrier.go", SIDE_GO, MAP_MAIN },
	{ "runtime.bulkBarrierPreWrite", GOROOT "runtime/mbitmap.go", SIDE_GO, MAP_MAIN },
	{ "runtime.deferreturn", GOROOT "runtime/panic.go", SIDE_GO, MAP_MAIN },
	{ "runtime.nanotime1", GOROOT "runtime/sys_linux_amd64.s", SIDE_GO, MAP_MAIN },
	{ "runtime/internal/syscall.Syscall6", GOROOT "runtime/internal/syscall/asm_linux_amd64.s",
	  SIDE_GO, MAP_MAIN },
	{ "syscall.Syscall", GOROOT "syscall/syscall_linux.go", SIDE_GO, MAP_MAIN },
	{ "syscall.read", GOROOT "syscall/zsyscall_linux_amd64.go", SIDE_GO, MAP_MAIN },
	{ "syscall.write", GOROOT "syscall/zsyscall_linux_amd64.go", SIDE_GO, MAP_MAIN },
	{ "syscall.Read", GOROOT "syscall/syscall_unix.go", SIDE_GO, MAP_MAIN },
	{ "syscall.Write", GOROOT "syscall/syscall_unix.go", SIDE_GO, MAP_MAIN },
	{ "internal/poll.(*FD).Read", GOROOT "internal/poll/fd_unix.go", SIDE_GO, MAP_MAIN },
	{ "internal/poll.(*FD).Write", GOROOT "internal/poll/fd_unix.go", SIDE_GO, MAP_MAIN },
	{ "internal/bytealg.IndexByteString", GOROOT "internal/bytealg/indexbyte_amd64.s", SIDE_GO,
	  MAP_MAIN },
	{ "sync.(*Mutex).lockSlow", GOROOT "sync/mutex.go", SIDE_GO, MAP_MAIN },
	{ "sync.(*Mutex).unlockSlow", GOROOT "sync/mutex.go", SIDE_GO, MAP_MAIN },
	{ "sync.runtime_SemacquireMutex", GOROOT "runtime/sema.go", SIDE_GO, MAP_MAIN },
	{ "sync.runtime_Semrelease", GOROOT "runtime/sema.go", SIDE_GO, MAP_MAIN },
	{ "runtime.semacquire1", GOROOT "runtime/sema.go", SIDE_GO, MAP_MAIN },
	{ "runtime.semrelease1", GOROOT "runtime/sema.go", SIDE_GO, MAP_MAIN },
	{ "runtime.readyWithTime", GOROOT "runtime/sema.go", SIDE_GO, MAP_MAIN },
	{ "time.Now", GOROOT "time/time.go", SIDE_GO, MAP_MAIN },
	{ "time.now", GOROOT "runtime/timestub.go", SIDE_GO, MAP_MAIN },
	{ "strconv.AppendInt", GOROOT "strconv/itoa.go", SIDE_GO, MAP_MAIN },
	{ "strconv.formatBits", GOROOT "strconv/itoa.go", SIDE_GO, MAP_MAIN },
	/* Go functions that are commonly inlined into user code */
	{ "sync.(*Mutex).Lock", GOROOT "sync/mutex.go", SIDE_GO, MAP_MAIN },
	{ "sync.(*Mutex).Unlock", GOROOT "sync/mutex.go", SIDE_GO, MAP_MAIN },
	{ "sync.(*RWMutex).RLock", GOROOT "sync/rwmutex.go", SIDE_GO, MAP_MAIN },
	{ "sync.(*RWMutex).RUnlock", GOROOT "sync/rwmutex.go", SIDE_GO, MAP_MAIN },
	{ "sync/atomic.(*Int64).Add", GOROOT "sync/atomic/type.go", SIDE_GO, MAP_MAIN },
	{ "sync/atomic.(*Int64).Load", GOROOT "sync/atomic/type.go", SIDE_GO, MAP_MAIN },
	{ "sync/atomic.(*Pointer[...]).Load", GOROOT "sync/atomic/type.go", SIDE_GO, MAP_MAIN },
	{ "strings.HasPrefix", GOROOT "strings/strings.go", SIDE_GO, MAP_MAIN },
	{ "strings.IndexByte", GOROOT "strings/strings.go", SIDE_GO, MAP_MAIN },
	{ "bytes.(*Buffer).Len", GOROOT "bytes/buffer.go", SIDE_GO, MAP_MAIN },
	{ "bytes.(*Buffer).Bytes", GOROOT "bytes/buffer.go", SIDE_GO, MAP_MAIN },
	{ "encoding/binary.bigEndian.Uint32", GOROOT "encoding/binary/binary.go", SIDE_GO,
	  MAP_MAIN },
	{ "encoding/binary.littleEndian.Uint64", GOROOT "encoding/binary/binary.go", SIDE_GO,
	  MAP_MAIN },
	{ "math/bits.TrailingZeros64", GOROOT "math/bits/bits.go", SIDE_GO, MAP_MAIN },
	{ "math/bits.Len64", GOROOT "math/bits/bits.go", SIDE_GO, MAP_MAIN },
	{ "unicode/utf8.RuneLen", GOROOT "unicode/utf8/utf8.go", SIDE_GO, MAP_MAIN },
	{ "time.Time.Unix", GOROOT "time/time.go", SIDE_GO, MAP_MAIN },
	{ "time.Since", GOROOT "time/time.go", SIDE_GO, MAP_MAIN },
	{ "context.(*valueCtx).Value", GOROOT "context/context.go", SIDE_GO, MAP_MAIN },
	{ "errors.New", GOROOT "errors/errors.go", SIDE_GO, MAP_MAIN },
};

/* Go functions that get inlined into program code (all in fixed_defs). */
static const char *const go_inline_names[] = {
	"sync.(*Mutex).Lock",
	"sync.(*Mutex).Unlock",
	"sync/atomic.(*Int64).Add",
	"sync.(*RWMutex).RLock",
	"sync.(*RWMutex).RUnlock",
	"sync/atomic.(*Int64).Load",
	"strings.HasPrefix",
	"bytes.(*Buffer).Len",
	"encoding/binary.bigEndian.Uint32",
	"time.Since",
	"strings.IndexByte",
	"sync/atomic.(*Pointer[...]).Load",
	"math/bits.TrailingZeros64",
	"context.(*valueCtx).Value",
	"bytes.(*Buffer).Bytes",
	"encoding/binary.littleEndian.Uint64",
	"time.Time.Unix",
	"unicode/utf8.RuneLen",
	"math/bits.Len64",
	"errors.New",
};

/*
 * struct call chains into library code, hottest first ('|' separates functions).
 * Program functions call the first function of a chain; the walk may then
 * follow any library call edge.
 */
static const char *const native_leaf_chains[] = {
	"__memmove_avx_unaligned_erms",
	"malloc|_int_malloc|sysmalloc",
	"free|_int_free|malloc_consolidate",
	"operator new(unsigned long)|malloc",
	"___pthread_mutex_lock|__lll_lock_wait",
	"std::_Hash_bytes(void const*, unsigned long, unsigned long)",
	"operator delete(void*, unsigned long)|free",
	"__memcmp_avx2_movbe",
	"___pthread_mutex_unlock|__lll_lock_wake",
	"__memset_avx2_unaligned_erms",
	"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_append(char const*, unsigned long)"
	"|std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_mutate(unsigned long, unsigned long, char const*, unsigned long)"
	"|operator new(unsigned long)",
	"std::_Rb_tree_increment(std::_Rb_tree_node_base*)",
	"__strlen_avx2",
	"__GI___clock_gettime|__vdso_clock_gettime",
	"___pthread_cond_wait|__pthread_cond_wait_common|__futex_abstimed_wait_common",
	"inflate|inflate_fast",
	"SHA256_Update|sha256_block_data_order_avx2",
	"deflate|deflate_slow|longest_match",
	"std::_Rb_tree_insert_and_rebalance(bool, std::_Rb_tree_node_base*, std::_Rb_tree_node_base*, std::_Rb_tree_node_base&)",
	"__dynamic_cast|__cxxabiv1::__vmi_class_type_info::__do_dyncast(long, __cxxabiv1::__class_type_info::__sub_kind, __cxxabiv1::__class_type_info const*, void const*, __cxxabiv1::__class_type_info const*, void const*, __cxxabiv1::__class_type_info::__dyncast_result&) const",
	"realloc|_int_realloc|_int_malloc",
	"EVP_DecryptUpdate|aes_gcm_cipher|aesni_gcm_decrypt",
	"EVP_EncryptUpdate|aes_gcm_cipher|aesni_gcm_encrypt",
	"__libc_sendmsg",
	"__libc_recvmsg",
	"___pthread_cond_signal",
	"crc32_z",
	"__ieee754_exp_fma",
	"std::__detail::_Prime_rehash_policy::_M_need_rehash(unsigned long, unsigned long, unsigned long) const",
	"calloc|_int_malloc",
	"__GI___libc_write",
	"deflate|deflate_fast|longest_match",
	"__ieee754_log_fma",
	"epoll_wait",
	"__sched_yield",
	"__ieee754_pow_fma",
};

static const char *const go_leaf_chains[] = {
	"runtime.mallocgc|runtime.(*mcache).nextFree|runtime.(*mcache).refill|runtime.(*mcentral).cacheSpan|runtime.(*mcentral).grow|runtime.(*mheap).alloc",
	"runtime.memmove",
	"runtime.mapaccess2_faststr|aeshashbody",
	"runtime.newobject|runtime.mallocgc",
	"runtime.growslice|runtime.mallocgc",
	"runtime.mallocgc|runtime.gcAssistAlloc|runtime.systemstack|runtime.gcAssistAlloc.func1|runtime.gcAssistAlloc1|runtime.gcDrainN|runtime.scanobject|runtime.greyobject",
	"runtime.mapaccess1_fast64",
	"sync.(*Mutex).lockSlow|sync.runtime_SemacquireMutex|runtime.semacquire1|runtime.lock2|runtime.procyield",
	"runtime.memclrNoHeapPointers",
	"runtime.makeslice|runtime.mallocgc",
	"runtime.gcWriteBarrier|runtime.wbBufFlush|runtime.systemstack|runtime.wbBufFlush.func1|runtime.wbBufFlush1|runtime.findObject",
	"runtime.concatstrings|runtime.rawstringtmp|runtime.rawstring|runtime.mallocgc",
	"runtime.mapassign_faststr|runtime.hashGrow|runtime.makeBucketArray|runtime.newarray|runtime.mallocgc",
	"runtime.slicebytetostring|runtime.mallocgc",
	"internal/poll.(*FD).Write|syscall.Write|syscall.write|syscall.Syscall|runtime/internal/syscall.Syscall6",
	"internal/poll.(*FD).Read|syscall.Read|syscall.read|syscall.Syscall|runtime/internal/syscall.Syscall6",
	"runtime.memequal",
	"runtime.convTstring|runtime.mallocgc",
	"runtime.selectgo|runtime.sellock|runtime.lock2",
	"runtime.chansend1|runtime.chansend|runtime.goready|runtime.systemstack|runtime.goready.func1|runtime.ready|runtime.wakep|runtime.startm|runtime.notewakeup|runtime.futexwakeup|runtime.futex",
	"runtime.chanrecv1|runtime.chanrecv|runtime.lock2",
	"sync.(*Mutex).unlockSlow|sync.runtime_Semrelease|runtime.semrelease1|runtime.readyWithTime|runtime.goready",
	"runtime.assertE2I2|runtime.getitab",
	"runtime.mapiternext",
	"indexbytebody",
	"runtime.cmpstring",
	"runtime.typedmemmove|runtime.bulkBarrierPreWrite",
	"runtime.morestack|runtime.newstack|runtime.copystack|runtime.gentraceback",
	"runtime.mapaccess2|aeshashbody",
	"time.Now|time.now|runtime.nanotime1",
	"strconv.AppendInt|strconv.formatBits",
	"runtime.deferreturn",
	"runtime.efaceeq",
	"runtime.concatstring3|runtime.concatstrings",
	"internal/bytealg.IndexByteString|indexbytebody",
};

/*
 * Where stacks start.  into_prog roots continue into the program's level-0
 * functions; the others are runtime-only stacks that end inside the chain.
 */
struct root_def {
	const char *chain;
	double weight;
	int into_prog; /* -1: runtime-only, else the side entered */
};

static const struct root_def root_defs[] = {
	{ "clone3|start_thread", 0.42, SIDE_NATIVE },
	{ "clone3|start_thread|std::execute_native_thread_routine(void*)", 0.14, SIDE_NATIVE },
	{ "__libc_start_main_impl|__libc_start_call_main|main", 0.03, SIDE_NATIVE },
	{ "clone3|start_thread|epoll_wait", 0.004, -1 },
	{ "runtime.goexit", 0.25, SIDE_GO },
	{ "runtime.goexit|runtime.main|main.main", 0.02, SIDE_GO },
	{ "runtime.goexit|runtime.gcBgMarkWorker|runtime.systemstack|runtime.gcBgMarkWorker.func2|runtime.gcDrain|runtime.scanobject|runtime.greyobject",
	  0.04, -1 },
	{ "runtime.goexit|runtime.gcBgMarkWorker|runtime.systemstack|runtime.gcBgMarkWorker.func2|runtime.gcDrain|runtime.scanobject|runtime.findObject",
	  0.015, -1 },
	{ "runtime.goexit|runtime.gcBgMarkWorker|runtime.systemstack|runtime.gcBgMarkWorker.func2|runtime.gcDrain|runtime.markroot|runtime.markroot.func1|runtime.scanstack|runtime.scanframeworker|runtime.pcvalue",
	  0.01, -1 },
	{ "runtime.mcall|runtime.park_m|runtime.schedule|runtime.findRunnable|runtime.netpoll|runtime.epollwait",
	  0.015, -1 },
	{ "runtime.mcall|runtime.park_m|runtime.schedule|runtime.findRunnable|runtime.stealWork|runtime.runqsteal|runtime.runqgrab",
	  0.01, -1 },
	{ "runtime.mstart|runtime.mstart0|runtime.mstart1|runtime.sysmon|runtime.usleep", 0.005,
	  -1 },
	{ "runtime.goexit|runtime.bgsweep|runtime.sweepone|runtime.(*sweepLocked).sweep", 0.005,
	  -1 },
	{ "runtime.goexit|runtime.bgscavenge|runtime.(*scavengerState).run|runtime.(*pageAlloc).scavenge|runtime.sysUnused|runtime.madvise",
	  0.003, -1 },
};
#define NROOTS ARRAY_SIZE(root_defs)

struct root {
	uint32_t *fn;
	uint32_t n;
};
static struct root roots[NROOTS];
static double root_cum[NROOTS];

static uint32_t *leaf_entries[2]; /* first function of each leaf chain, hottest first */
static uint32_t leaf_n[2], leaf_cap[2];

static uint32_t fixed_get(const char *name)
{
	uint32_t id;

	if (strmap_get(&fn_by_name, name, &id))
		return id;
	for (size_t i = 0; i < ARRAY_SIZE(fixed_defs); i++)
		if (strcmp(fixed_defs[i].name, name) == 0)
			return new_func(fixed_defs[i].name, fixed_defs[i].file, fixed_defs[i].side,
					KIND_FIXED, fixed_defs[i].map);
	die("internal error: unknown fixed function %s", name);
}

/* Splits a '|' chain into function ids; returns the count. */
static uint32_t parse_chain(const char *chain, uint32_t *out, uint32_t max)
{
	uint32_t n = 0;
	const char *p = chain;

	while (*p) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *name = xmalloc(len + 1);

		memcpy(name, p, len);
		name[len] = 0;
		if (n == max)
			die("internal error: chain too long");
		out[n++] = fixed_get(name);
		free(name);
		p += len;
		if (*p == '|')
			p++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* names                                                               */

static const char *const w_area[] = {
	"search",  "storage",	 "rpc",	     "net",	  "cache",     "index",	      "query",
	"auth",	   "billing",	 "ranking",  "ads",	  "feed",      "media",	      "geo",
	"sched",   "infra",	 "io",	     "fs",	  "compress",  "crypto",      "proto",
	"json",	   "http2",	 "quic",     "dns",	  "lb",	       "monitoring",  "tracing",
	"logging", "config",	 "flags",    "ml",	  "inference", "tensor",      "embedding",
	"kv",	   "sql",	 "planner",  "exec",	  "txn",       "replication", "raft",
	"shard",   "blob",	 "chunk",    "image",	  "video",     "audio",	      "text",
	"nlp",	   "spam",	 "abuse",    "quota",	  "ratelimit", "session",     "user",
	"profile", "graph",	 "social",   "notify",	  "mail",      "queue",	      "pubsub",
	"stream",  "batch",	 "etl",	     "analytics", "metrics",   "alerting",    "deploy",
	"fleet",   "util",	 "base",     "common",	  "core",      "platform",    "payments",
	"catalog", "inventory",	 "pricing",  "checkout",  "cart",      "recommend",   "personalize",
	"locale",  "i18n",	 "render",   "template",  "layout",    "asset",	      "cdn",
	"edge",	   "gateway",	 "proxy",    "mesh",	  "discovery", "registry",    "lease",
	"lock",	   "election",	 "snapshot", "backup",	  "restore",   "migration",   "schema",
	"codec",   "serde",	 "wire",     "frame",	  "transport", "tls",	      "cert",
	"keymgr",  "vault",	 "policy",   "acl",	  "iam",       "audit",	      "compliance",
	"privacy", "experiment",
};

static const char *const w_sub[] = {
	"internal",   "detail", "impl",	    "v2",     "v3",	"server",  "client",   "core",
	"util",	      "common", "codec",    "wire",   "engine", "backend", "frontend", "store",
	"table",      "tree",	"hash",	    "pool",   "buffer", "parser",  "lexer",    "encoder",
	"decoder",    "writer", "reader",   "cursor", "iter",	"plan",	   "ops",      "kernels",
	"scheduler",  "worker", "dispatch", "model",  "types",	"api",	   "service",  "handler",
	"middleware", "cache",	"index",    "stats",  "trace",	"log",	   "admin",
};

static const char *const cpp_third_party[] = {
	"absl",
	"absl::container_internal",
	"absl::strings_internal",
	"absl::synchronization_internal",
	"absl::cord_internal",
	"google::protobuf",
	"google::protobuf::internal",
	"google::protobuf::io",
	"grpc_core",
	"grpc::internal",
	"grpc_event_engine::experimental",
	"folly",
	"folly::detail",
	"boost::asio::detail",
	"tcmalloc::tcmalloc_internal",
	"rocksdb",
	"leveldb",
	"arrow::compute",
	"arrow::internal",
	"Eigen::internal",
	"tensorflow",
	"re2",
	"snappy",
	"brotli",
	"fmt::v9::detail",
	"spdlog::details",
	"nlohmann::json_abi_v3_11_2::detail",
	"opentelemetry::sdk::trace",
};

static const char *const go_std[] = {
	"encoding/json",
	"net/http",
	"compress/flate",
	"crypto/tls",
	"bufio",
	"strconv",
	"reflect",
	"fmt",
	"bytes",
	"strings",
	"sort",
	"regexp",
	"math/big",
	"crypto/sha256",
	"net",
	"os",
	"io",
	"context",
	"text/template",
	"hash/crc32",
	"crypto/aes",
	"crypto/cipher",
	"compress/gzip",
	"encoding/base64",
	"log",
	"container/heap",
	"database/sql",
	"regexp/syntax",
	"net/url",
	"mime/multipart",
	"html/template",
	"crypto/ecdsa",
	"crypto/elliptic",
	"math/rand",
	"encoding/xml",
	"net/textproto",
	"crypto/x509",
	"encoding/asn1",
	"vendor/golang.org/x/net/http2/hpack",
};

static const char *const go_third_party[] = {
	"google.golang.org/grpc",
	"google.golang.org/grpc/internal/transport",
	"google.golang.org/protobuf/internal/impl",
	"google.golang.org/protobuf/proto",
	"google.golang.org/protobuf/encoding/protowire",
	"github.com/prometheus/client_golang/prometheus",
	"go.uber.org/zap",
	"go.uber.org/zap/zapcore",
	"github.com/klauspost/compress/zstd",
	"github.com/jackc/pgx/v5/pgproto3",
	"golang.org/x/net/http2",
	"golang.org/x/net/http2/hpack",
	"github.com/aws/aws-sdk-go-v2/service/s3",
	"github.com/redis/go-redis/v9/internal/pool",
	"github.com/valyala/fastjson",
	"github.com/golang/snappy",
	"go.opentelemetry.io/otel/sdk/trace",
	"github.com/json-iterator/go",
	"github.com/cespare/xxhash/v2",
	"github.com/dgraph-io/ristretto/z",
	"github.com/go-chi/chi/v5",
	"github.com/hashicorp/golang-lru/v2/simplelru",
};

static const char *const w_noun[] = {
	"Request",     "Response",   "Handler",	  "Buffer",   "Table",	    "Manager",
	"Pool",	       "Cache",	     "Index",	  "Reader",   "Writer",	    "Session",
	"Channel",     "Stream",     "Parser",	  "Encoder",  "Decoder",    "Scheduler",
	"Executor",    "Queue",	     "Shard",	  "Replica",  "Segment",    "Block",
	"Node",	       "Tree",	     "Map",	  "Registry", "Builder",    "Planner",
	"Iterator",    "Cursor",     "Batch",	  "Snapshot", "Compactor",  "Tablet",
	"Router",      "Balancer",   "Client",	  "Server",   "Connection", "Listener",
	"Dispatcher",  "Controller", "Store",	  "Journal",  "Filter",	    "Bloom",
	"Codec",       "Frame",	     "Packet",	  "Message",  "Descriptor", "Arena",
	"Allocator",   "Slab",	     "Heap",	  "Timer",    "Clock",	    "Lease",
	"Lock",	       "Barrier",    "Future",	  "Promise",  "Task",	    "Job",
	"Worker",      "Thread",     "Context",	  "Span",     "Tracer",	    "Metric",
	"Counter",     "Histogram",  "Gauge",	  "Config",   "Option",	    "Policy",
	"Rule",	       "Plan",	     "Query",	  "Result",   "Row",	    "Column",
	"Schema",      "Value",	     "Field",	  "Record",   "Key",	    "Range",
	"Partition",   "Token",	     "Document",  "Posting",  "Score",	    "Feature",
	"Model",       "Tensor",     "Vector",	  "Matrix",   "Graph",	    "Edge",
	"Vertex",      "Path",	     "Route",	  "Header",   "Cookie",	    "Credential",
	"Certificate", "Digest",     "Signature", "Checksum", "Offset",	    "Cluster",
	"Region",      "Zone",	     "Tenant",	  "Account",  "Ledger",	    "Invoice",
	"Order",       "Item",	     "Sku",	  "Price",
};

static const char *const w_verb[] = {
	"Get",	     "Put",	  "Add",     "Remove",	 "Find",     "Lookup",	  "Insert",
	"Erase",     "Update",	  "Apply",   "Run",	 "Process",  "Handle",	  "Dispatch",
	"Flush",     "Sync",	  "Read",    "Write",	 "Encode",   "Decode",	  "Parse",
	"Serialize", "Merge",	  "Compact", "Split",	 "Scan",     "Seek",	  "Next",
	"Prepare",   "Commit",	  "Abort",   "Validate", "Check",    "Compute",	  "Evaluate",
	"Build",     "Init",	  "Reset",   "Resize",	 "Reserve",  "Append",	  "Copy",
	"Move",	     "Swap",	  "Hash",    "Compare",	 "Sort",     "Visit",	  "Walk",
	"Emit",	     "Schedule",  "Wait",    "Notify",	 "Signal",   "Acquire",	  "Release",
	"Open",	     "Close",	  "Start",   "Stop",	 "Poll",     "Send",	  "Recv",
	"Accept",    "Connect",	  "Retry",   "Refresh",	 "Expire",   "Evict",	  "Load",
	"Store",     "Fetch",	  "Drain",   "Fill",	 "Grow",     "Shrink",	  "Transform",
	"Filter",    "Map",	  "Reduce",  "Collect",	 "Record",   "Report",	  "Trace",
	"Score",     "Rank",	  "Match",   "Resolve",	 "Register", "Unmarshal", "Marshal",
	"Finalize",  "Rebalance",
};

static const char *const cpp_arg_lists[] = {
	"()",
	"(int)",
	"(unsigned long)",
	"(absl::string_view)",
	"(void*)",
	"(bool)",
	"(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)",
	"(long, long)",
	"(absl::Span<unsigned char const>)",
	"(double)",
	"() const",
	"(absl::string_view, int) const",
	"(std::vector<int, std::allocator<int> >&)",
};

static const char *const cpp_builtin_targs[] = {
	"int",
	"long",
	"double",
	"unsigned char",
	"unsigned long",
	"bool",
	"float",
	"absl::string_view",
	"std::pair<int, int>",
	"16ul",
	"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >",
};

static const char *const helper_cpp[] = {
	"size() const",	    "empty() const", "get() const",    "operator[](unsigned long)",
	"key() const",	    "data()",	     "begin()",	       "end()",
	"Hash() const",	    "operator==",    "value() const",  "id() const",
	"capacity() const", "ok() const",    "mutable_data()", "operator->() const",
};

static const char *const helper_go[] = {
	"Len",	   "Less",  "Swap", "get",   "set",  "Key",   "Value", "String",
	"isEmpty", "reset", "hash", "equal", "next", "valid", "ID",    "Bytes",
};

static const char *const label_handlers[] = {
	"/api/v1/search", "/api/v1/feed",     "/api/v2/upload",	   "/rpc/Query.Execute",
	"/healthz",	  "/api/v1/checkout", "/rpc/Index.Lookup",
};
static const char *const label_tenants[] = { "acme", "globex", "initech", "umbrella", "hooli" };

static char *snake(const char *a, const char *b)
{
	char buf[256];
	size_t n = 0;
	const char *parts[2] = { a, b };

	for (int k = 0; k < 2; k++) {
		const char *s = parts[k];

		if (!s)
			continue;
		for (; *s && n + 3 < sizeof buf; s++) {
			char c = *s;

			if (c >= 'A' && c <= 'Z') {
				if (n > 0 && buf[n - 1] != '_')
					buf[n++] = '_';
				c = (char)(c - 'A' + 'a');
			}
			buf[n++] = c;
		}
	}
	buf[n] = 0;
	return xstrdup(buf);
}

static char *lower_first(const char *s)
{
	char *p = xstrdup(s);

	if (p[0] >= 'A' && p[0] <= 'Z')
		p[0] = (char)(p[0] - 'A' + 'a');
	return p;
}

static char *noun_phrase(struct rng *r)
{
	if (rng_chance(r, 0.45))
		return xfmt("%s%s", PICK(r, w_noun), PICK(r, w_noun));
	return xstrdup(PICK(r, w_noun));
}

static char *verb_phrase(struct rng *r)
{
	if (rng_chance(r, 0.5))
		return xfmt("%s%s", PICK(r, w_verb), PICK(r, w_noun));
	return xstrdup(PICK(r, w_verb));
}

/*
 * A crude Itanium-style mangling of a C++ name: the identifiers of its
 * "::"-separated components, template arguments and parameters dropped.
 */
static char *mangle(const char *name)
{
	char out[1024], comp[256];
	size_t n, cn = 0;
	int comps = 0, depth = 0, skip = 0;

	n = (size_t)snprintf(out, sizeof out, "_ZN");
	for (const char *p = name;; p++) {
		char c = *p;
		int end_comp = c == 0 || (depth == 0 && c == ':' && p[1] == ':');

		if (end_comp) {
			if (cn > 0 && n < sizeof out - 300) {
				comp[cn] = 0;
				if (comp[0] == '~')
					n += (size_t)snprintf(out + n, sizeof out - n, "D2");
				else
					n += (size_t)snprintf(out + n, sizeof out - n, "%zu%s", cn,
							      comp);
				comps++;
			}
			cn = 0;
			skip = 0;
			if (c == 0)
				break;
			p++;
			continue;
		}
		if (c == '<' || c == '(' || c == '{') {
			if (depth == 0 && c == '(')
				skip = 1; /* parameters and qualifiers: not part of the name */
			depth++;
		} else if ((c == '>' || c == ')' || c == '}') && depth > 0) {
			depth--;
		} else if (depth == 0 && c == ' ') {
			skip = 1;
		} else if (depth == 0 && !skip && cn + 1 < sizeof comp &&
			   ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_' || c == '~')) {
			comp[cn++] = c;
		}
	}
	if (comps <= 1) /* not nested: _Z<len><name>v */
		return xfmt("_Z%sv", out + 3);
	snprintf(out + n, sizeof out - n, "Ev");
	return xstrdup(out);
}

/* Makes a generated name unique by appending a number. */
static char *uniq_name(char *name)
{
	for (int k = 2; name_taken(name); k++) {
		char *n2 = xfmt("%s%d", name, k);

		free(name);
		name = n2;
	}
	return name;
}

static const char *type_ref(struct rng *r, uint8_t side)
{
	/* a type from some module of the same side, qualified */
	for (int tries = 0; tries < 8; tries++) {
		struct module *m = &mods[rng_below(r, nmods)];

		if (m->side == side && m->ntypes)
			return xfmt("%s::%s", m->name, m->types[rng_below(r, m->ntypes)]);
	}
	return PICK(r, cpp_builtin_targs);
}

static const char *cpp_targ(struct rng *r)
{
	double u = rng_unit(r);

	if (u < 0.45)
		return PICK(r, cpp_builtin_targs);
	if (u < 0.85)
		return type_ref(r, SIDE_NATIVE);
	if (u < 0.93)
		return xfmt("%s*", type_ref(r, SIDE_NATIVE));
	{
		const char *t = type_ref(r, SIDE_NATIVE);

		return xfmt("std::unique_ptr<%s, std::default_delete<%s> >", t, t);
	}
}

static char *cpp_func_name(struct rng *r, const struct module *m)
{
	const char *ns = m->name, *T = m->types[rng_below(r, m->ntypes)];
	char *V = verb_phrase(r), *res;
	double u = rng_unit(r);

	if (u < 0.40)
		res = xfmt("%s::%s::%s", ns, T, V);
	else if (u < 0.52)
		res = xfmt("%s::%s::%s%s", ns, T, V, PICK(r, cpp_arg_lists));
	else if (u < 0.62)
		res = xfmt("%s::%s", ns, V);
	else if (u < 0.68)
		res = xfmt("%s::(anonymous namespace)::%s", ns, V);
	else if (u < 0.78)
		res = xfmt("%s::%s<%s>::%s", ns, T, cpp_targ(r), V);
	else if (u < 0.83)
		res = xfmt("%s::%s<%s>", ns, V, cpp_targ(r));
	else if (u < 0.89)
		res = xfmt("%s::%s::%s%s::{lambda(%s)#%u}::operator()(%s) const", ns, T, V,
			   PICK(r, cpp_arg_lists), rng_chance(r, 0.5) ? "" : "auto:1",
			   rng_range(r, 1, 3), rng_chance(r, 0.5) ? "" : "auto:1");
	else if (u < 0.93)
		res = xfmt("%s::%s::%s%s", ns, T, rng_chance(r, 0.5) ? "~" : "", T);
	else if (u < 0.95)
		res = xfmt("%s::%s::operator()", ns, T);
	else
		res = xfmt("%s::%s::%s::%s", ns, T, PICK(r, w_noun), V);
	free(V);
	return res;
}

static char *go_func_name(struct rng *r, const struct module *m)
{
	const char *P = m->name, *T = m->types[rng_below(r, m->ntypes)];
	char *V = verb_phrase(r), *res;
	double u = rng_unit(r);

	if (u < 0.33)
		res = xfmt("%s.(*%s).%s", P, T, V);
	else if (u < 0.45)
		res = xfmt("%s.%s.%s", P, T, V);
	else if (u < 0.63)
		res = xfmt("%s.%s", P, V);
	else if (u < 0.72) {
		char *v = lower_first(V);

		res = xfmt("%s.%s", P, v);
		free(v);
	} else if (u < 0.78) {
		char *v = lower_first(V);

		res = xfmt("%s.(*%s).%s", P, T, v);
		free(v);
	} else if (u < 0.86)
		res = xfmt("%s.(*%s).%s.func%u", P, T, V, rng_range(r, 1, 4));
	else if (u < 0.91)
		res = xfmt("%s.%s.func%u.%u", P, V, rng_range(r, 1, 3), rng_range(r, 1, 2));
	else if (u < 0.95)
		res = xfmt("%s.%s[...]", P, V);
	else
		res = xfmt("%s.(*%s[...]).%s", P, T, V);
	free(V);
	return res;
}

/* ------------------------------------------------------------------ */
/* building the program                                                */

static void make_module(struct rng *r, struct strmap *modnames, uint8_t side, uint32_t nfn,
			int base, int span)
{
	struct module *m;
	char *name = NULL, *dir = NULL;
	const char *file_prefix = "", *ext = side == SIDE_GO ? ".go" : ".cc";
	uint32_t v;

	for (int tries = 0;; tries++) {
		free(name);
		if (side == SIDE_NATIVE) {
			double u = rng_unit(r);

			if (u < 0.12 && tries < 4)
				name = xstrdup(PICK(r, cpp_third_party));
			else if (u < 0.55)
				name = xfmt("%s::%s", PICK(r, w_area), PICK(r, w_sub));
			else if (u < 0.85)
				name = xfmt("%s::%s::%s", PICK(r, w_area), PICK(r, w_area),
					    PICK(r, w_sub));
			else
				name = xstrdup(PICK(r, w_area));
		} else {
			double u = rng_unit(r);

			if (u < 0.10 && tries < 4)
				name = xstrdup(PICK(r, go_std));
			else if (u < 0.22 && tries < 4)
				name = xstrdup(PICK(r, go_third_party));
			else if (u < 0.70)
				name = xfmt("github.com/acme/frontend/internal/%s/%s",
					    PICK(r, w_area), PICK(r, w_sub));
			else if (u < 0.85)
				name = xfmt("github.com/acme/frontend/pkg/%s", PICK(r, w_area));
			else
				name = xfmt("github.com/acme/frontend/internal/%s/%s/%s",
					    PICK(r, w_area), PICK(r, w_area), PICK(r, w_sub));
		}
		if (!strmap_get(modnames, name, &v))
			break;
	}
	strmap_put(modnames, name, nmods);

	/* the directory holding the module's files */
	if (side == SIDE_NATIVE) {
		char *d = xmalloc(strlen(name) + 1);
		size_t n = 0;

		for (const char *p = name; *p; p++) {
			if (p[0] == ':' && p[1] == ':') {
				d[n++] = '/';
				p++;
			} else
				d[n++] = *p;
		}
		d[n] = 0;
		dir = d;
		for (size_t i = 0; i < ARRAY_SIZE(cpp_third_party); i++)
			if (strcmp(name, cpp_third_party[i]) == 0)
				file_prefix = "third_party/";
	} else {
		if (strncmp(name, "github.com/acme/frontend/", 25) == 0) {
			dir = xfmt("/build/frontend/%s", name + 25);
		} else if (strchr(name, '.') && strncmp(name, "vendor/", 7) != 0) {
			/* third-party module: insert @version after the module root */
			const char *p = name;
			int slashes = strncmp(name, "github.com/", 11) == 0 ? 3 : 2;

			for (int k = 0; k < slashes && p; k++) {
				p = strchr(p, '/');
				if (p && k < slashes - 1)
					p++;
			}
			if (!p)
				dir = xfmt("/home/builder/go/pkg/mod/%s@v1.%u.%u", name,
					   rng_range(r, 1, 30), rng_range(r, 0, 9));
			else
				dir = xfmt("/home/builder/go/pkg/mod/%.*s@v1.%u.%u%s",
					   (int)(p - name), name, rng_range(r, 1, 30),
					   rng_range(r, 0, 9), p);
		} else {
			dir = xfmt("/usr/local/go/src/%s", name);
		}
	}

	mods = grow(mods, &cmods, nmods + 1, sizeof *mods);
	m = &mods[nmods];
	memset(m, 0, sizeof *m);
	m->name = name;
	m->side = side;
	m->base_level = base;
	m->span = span;
	m->ntypes = 2 + nfn / 6;
	m->types = xmalloc(m->ntypes * sizeof *m->types);
	for (uint32_t i = 0; i < m->ntypes; i++) {
		char *t = noun_phrase(r);

		if (side == SIDE_GO && rng_chance(r, 0.3)) {
			char *l = lower_first(t);

			free(t);
			t = l;
		}
		m->types[i] = t;
	}
	m->nsrc = 1 + nfn / 9;
	if (m->nsrc > 24)
		m->nsrc = 24;
	m->nfiles = m->nsrc + (side == SIDE_NATIVE ? 1 + m->nsrc / 3 : 0);
	m->files = xmalloc(m->nfiles * sizeof *m->files);
	{
		struct strmap seen = { 0 };

		for (uint32_t i = 0; i < m->nfiles; i++) {
			const char *e = i < m->nsrc ? ext : ".h";
			char *base_name = NULL, *path;

			for (int tries = 0; tries < 20; tries++) {
				free(base_name);
				base_name = rng_chance(r, 0.5) ?
						    snake(PICK(r, w_noun), PICK(r, w_noun)) :
						    snake(PICK(r, w_noun), NULL);
				if (!strmap_get(&seen, base_name, &v))
					break;
			}
			path = xfmt("%s%s/%s%s", file_prefix, dir, base_name, e);
			strmap_put(&seen, base_name, i);
			m->files[i] = path;
		}
		free(seen.keys);
		free(seen.vals);
	}
	free(dir);
	nmods++;
}

static void add_level_fn(uint8_t side, int level, uint32_t fn)
{
	level_fns[side][level] = grow(level_fns[side][level], &level_cap[side][level],
				      level_n[side][level] + 1, sizeof(uint32_t));
	level_fns[side][level][level_n[side][level]++] = fn;
}

static void fill_module(struct rng *r, uint32_t mi, uint32_t nfn)
{
	struct module *m = &mods[mi];

	m->first_fn = nfns;
	m->nfn = nfn;
	for (uint32_t i = 0; i < nfn; i++) {
		struct func *f;
		char *name;
		uint32_t id;
		int level;

		m = &mods[mi];
		name = m->side == SIDE_GO ? go_func_name(r, m) : cpp_func_name(r, m);
		name = uniq_name(name);
		/* level: the module's first functions sit at its base level */
		level = i < 2 ? m->base_level :
				m->base_level + (int)rng_below(r, (uint32_t)m->span + 1);
		if (level > LMAX)
			level = LMAX;
		id = new_func(name, m->files[rng_below(r, m->nsrc)], m->side, KIND_PROG, MAP_MAIN);
		f = &fns[id];
		f->module = mi;
		f->level = (int16_t)level;
		if (m->side == SIDE_NATIVE)
			f->sysname = mangle(name);
		f->nlines = (int32_t)(5 + rng_expo(r, 40));
		f->start_line = place_lines(r, f->file, f->nlines);
		add_level_fn(m->side, level, id);
	}
	/* inline-only helpers */
	{
		uint32_t want = nfn / 10, k = 0;
		uint32_t *helpers = xmalloc((want + 1) * sizeof *helpers);

		for (uint32_t i = 0; i < want; i++) {
			char *name;
			const char *file;
			uint32_t id;

			m = &mods[mi];
			if (m->side == SIDE_NATIVE) {
				name = xfmt("%s::%s::%s", m->name,
					    m->types[rng_below(r, m->ntypes)], PICK(r, helper_cpp));
				file = m->files[m->nsrc + rng_below(r, m->nfiles - m->nsrc)];
			} else {
				name = xfmt("%s.(*%s).%s", m->name,
					    m->types[rng_below(r, m->ntypes)], PICK(r, helper_go));
				file = m->files[rng_below(r, m->nsrc)];
			}
			if (name_taken(name)) {
				free(name);
				continue;
			}
			id = new_func(name, file, m->side, KIND_INLINE, MAP_MAIN);
			fns[id].module = mi;
			if (m->side == SIDE_NATIVE)
				fns[id].sysname = mangle(name);
			fns[id].nlines = (int32_t)rng_range(r, 2, 12);
			fns[id].start_line = place_lines(r, file, fns[id].nlines);
			helpers[k++] = id;
		}
		m = &mods[mi];
		m->helpers = helpers;
		m->nhelpers = k;
	}
}

/* C++ header functions (STL, absl) that get inlined everywhere. */
static void make_cpp_inline_pool(struct rng *r, uint32_t n)
{
	static const struct {
		const char *fmt, *file;
	} tpl[] = {
		{ "std::vector<%1$s, std::allocator<%1$s> >::operator[](unsigned long)",
		  "/usr/include/c++/12/bits/stl_vector.h" },
		{ "std::vector<%1$s, std::allocator<%1$s> >::size() const",
		  "/usr/include/c++/12/bits/stl_vector.h" },
		{ "std::vector<%1$s, std::allocator<%1$s> >::push_back(%1$s const&)",
		  "/usr/include/c++/12/bits/stl_vector.h" },
		{ "std::unique_ptr<%1$s, std::default_delete<%1$s> >::operator->() const",
		  "/usr/include/c++/12/bits/unique_ptr.h" },
		{ "std::__shared_ptr_access<%1$s, (__gnu_cxx::_Lock_policy)2, false, false>::operator->() const",
		  "/usr/include/c++/12/bits/shared_ptr_base.h" },
		{ "absl::Span<%1$s const>::operator[](unsigned long) const",
		  "third_party/absl/types/span.h" },
		{ "absl::container_internal::raw_hash_set<absl::container_internal::FlatHashMapPolicy<%1$s, int>, absl::hash_internal::Hash<%1$s>, std::equal_to<%1$s>, std::allocator<std::pair<%1$s const, int> > >::find<%1$s>(%1$s const&)",
		  "third_party/absl/container/internal/raw_hash_set.h" },
		{ "std::optional<%1$s>::value() &", "/usr/include/c++/12/optional" },
		{ "std::__atomic_base<long>::fetch_add(long, std::memory_order)",
		  "/usr/include/c++/12/bits/atomic_base.h" },
		{ "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::size() const",
		  "/usr/include/c++/12/bits/basic_string.h" },
		{ "absl::Mutex::Lock()", "third_party/absl/synchronization/mutex.h" },
		{ "std::__lower_bound<%1$s const*, %1$s, __gnu_cxx::__ops::_Iter_less_val>",
		  "/usr/include/c++/12/bits/stl_algobase.h" },
		{ "std::_Hashtable<%1$s, std::pair<%1$s const, long>, std::allocator<std::pair<%1$s const, long> >, std::__detail::_Select1st, std::equal_to<%1$s>, std::hash<%1$s>, std::__detail::_Mod_range_hashing, std::__detail::_Default_ranged_hash, std::__detail::_Prime_rehash_policy, std::__detail::_Hashtable_traits<true, false, true> >::_M_find_before_node(unsigned long, %1$s const&, unsigned long) const",
		  "/usr/include/c++/12/bits/hashtable.h" },
	};
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = rng_below(r, ARRAY_SIZE(tpl)), id;
		const char *arg = rng_chance(r, 0.3) ? PICK(r, cpp_builtin_targs) :
						       type_ref(r, SIDE_NATIVE);
		char *name;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		name = xfmt(tpl[t].fmt, arg);
#pragma GCC diagnostic pop
		if (name_taken(name)) {
			free(name);
			continue;
		}
		id = new_func(name, tpl[t].file, SIDE_NATIVE, KIND_INLINE, MAP_MAIN);
		fns[id].sysname = mangle(name);
		fns[id].nlines = (int32_t)rng_range(r, 2, 10);
		fns[id].start_line = place_lines(r, tpl[t].file, fns[id].nlines);
		inline_pool[SIDE_NATIVE] = grow(inline_pool[SIDE_NATIVE],
						&inline_pool_cap[SIDE_NATIVE],
						inline_pool_n[SIDE_NATIVE] + 1, sizeof(uint32_t));
		inline_pool[SIDE_NATIVE][inline_pool_n[SIDE_NATIVE]++] = id;
	}
}

static void build_program(uint64_t seed, uint32_t nfuncs)
{
	struct rng r = { mix64(seed ^ 0x70726f6772616dULL) };
	struct strmap modnames = { 0 };
	uint32_t per_side_roots[2] = { 0, 0 };

	/*
	 * Program functions: about a quarter of them stay cold (never sampled)
	 * at the default stack count, and helpers, library and runtime
	 * functions come on top, so about nfuncs functions end up in the profile.
	 */
	uint32_t target_prog = (uint32_t)((uint64_t)nfuncs * 13 / 10);
	uint32_t made = 0;
	uint32_t chain[32];

	/* fixed functions, leaf chains and roots */
	for (int side = 0; side < 2; side++) {
		const char *const *chains = side == SIDE_GO ? go_leaf_chains : native_leaf_chains;
		size_t nch = side == SIDE_GO ? ARRAY_SIZE(go_leaf_chains) :
					       ARRAY_SIZE(native_leaf_chains);

		for (size_t i = 0; i < nch; i++) {
			uint32_t k;

			parse_chain(chains[i], chain, 32);
			for (k = 0; k < leaf_n[side]; k++)
				if (leaf_entries[side][k] == chain[0])
					break;
			if (k == leaf_n[side]) {
				leaf_entries[side] = grow(leaf_entries[side], &leaf_cap[side],
							  leaf_n[side] + 1, sizeof(uint32_t));
				leaf_entries[side][leaf_n[side]++] = chain[0];
			}
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(go_inline_names); i++) {
		uint32_t id = fixed_get(go_inline_names[i]);

		fns[id].kind = KIND_INLINE;
		inline_pool[SIDE_GO] = grow(inline_pool[SIDE_GO], &inline_pool_cap[SIDE_GO],
					    inline_pool_n[SIDE_GO] + 1, sizeof(uint32_t));
		inline_pool[SIDE_GO][inline_pool_n[SIDE_GO]++] = id;
	}
	for (size_t i = 0; i < NROOTS; i++) {
		roots[i].n = parse_chain(root_defs[i].chain, chain, 32);
		roots[i].fn = xmalloc(roots[i].n * sizeof(uint32_t));
		memcpy(roots[i].fn, chain, roots[i].n * sizeof(uint32_t));
		root_cum[i] = (i ? root_cum[i - 1] : 0) + root_defs[i].weight;
	}
	/* fixed functions: names, lines (their locations are created below) */
	for (uint32_t i = 0; i < nfns; i++) {
		struct func *f = &fns[i];

		f->nlines = (int32_t)(8 + rng_expo(&r, 60));
		f->start_line = place_lines(&r, f->file, f->nlines);
		if (f->side == SIDE_NATIVE && (strstr(f->name, "::") || strchr(f->name, '(')))
			f->sysname = mangle(f->name);
	}

	/* modules and program functions */
	while (made < target_prog) {
		uint8_t side = rng_chance(&r, 0.6) ? SIDE_NATIVE : SIDE_GO;
		uint32_t nfn = 8 + (uint32_t)rng_expo(&r, 45);
		int span = (int)rng_range(&r, 2, 9), base;

		if (nfn > 400)
			nfn = 400;
		if (nfn > target_prog - made)
			nfn = target_prog - made;
		if (per_side_roots[side] < 3) {
			base = 0;
			per_side_roots[side]++;
		} else {
			base = 1 + (int)rng_expo(&r, 16);
			if (base > LMAX - span)
				base = LMAX - span;
		}
		make_module(&r, &modnames, side, nfn, base, span);
		fill_module(&r, nmods - 1, nfn);
		made += nfn;
	}
	make_cpp_inline_pool(&r, 120 + nfuncs / 200);

	/* make sure both sides have level-0 functions */
	for (int side = 0; side < 2; side++)
		if (!level_n[side][0])
			die("-f too small: no entry functions for one side");

	/* call edges into program functions */
	{
		uint32_t *indeg = xcalloc(nfns, sizeof *indeg);

		for (uint32_t id = 0; id < nfns; id++) {
			struct func *f = &fns[id];
			const struct module *m;
			uint32_t k;
			int l = f->level;

			if (f->kind != KIND_PROG)
				continue;
			m = &mods[f->module];
			if (l >= LMAX || (l > 4 && rng_chance(&r, P_NO_CALLEES)))
				k = 0;
			else
				k = 1 + (uint32_t)rng_expo(&r, KMEAN);
			if (k > 24)
				k = 24;
			for (uint32_t j = 0; j < k; j++) {
				uint32_t to = UINT32_MAX;

				if (rng_chance(&r, 0.55)) {
					for (int t = 0; t < 12; t++) {
						uint32_t c = m->first_fn + rng_below(&r, m->nfn);

						if (fns[c].level > l && fns[c].level <= l + 3) {
							to = c;
							break;
						}
					}
				}
				if (to == UINT32_MAX) {
					double u = rng_unit(&r);
					int dl = u < 0.75 ? 1 : u < 0.93 ? 2 : 3;

					for (int t = 0; t < 3 && to == UINT32_MAX;
					     t++, dl = dl % 3 + 1) {
						if (l + dl <= LMAX && level_n[f->side][l + dl])
							to = level_fns[f->side][l + dl][rng_below(
								&r, level_n[f->side][l + dl])];
					}
				}
				if (to == UINT32_MAX)
					break;
				{
					int dup = 0;

					for (uint32_t q = 0; q < fns[id].npc; q++)
						if (fns[id].pc[q].callee == to)
							dup = 1;
					if (dup && !rng_chance(&r, 0.1))
						continue;
				}
				add_pc(&r, id, to);
				indeg[to]++;
			}
		}
		/* every program function gets at least one caller */
		for (uint32_t id = 0; id < nfns; id++) {
			struct func *f = &fns[id];
			int l = f->level;

			if (f->kind != KIND_PROG || l == 0 || indeg[id])
				continue;
			for (int dl = 1; dl <= 3 && l - dl >= 0; dl++) {
				uint32_t n = level_n[f->side][l - dl];

				if (n) {
					uint32_t from =
						level_fns[f->side][l - dl][rng_below(&r, n)];

					add_pc(&r, from, id);
					indeg[id]++;
					break;
				}
			}
		}
		free(indeg);
	}

	/* recursion, library calls, self PCs */
	for (uint32_t id = 0; id < nfns; id++) {
		if (fns[id].kind != KIND_PROG)
			continue;
		if (rng_chance(&r, 0.025)) {
			fns[id].rec_pct = (uint8_t)rng_range(&r, 40, 93);
			fns[id].rec_loc = new_loc(&r, id);
		}
		{
			uint8_t side = fns[id].side;
			uint32_t nl = rng_chance(&r, 0.85) ? 1 + rng_below(&r, 3) : 0;

			for (uint32_t j = 0; j < nl; j++)
				link_lc(&r, id,
					leaf_entries[side][rng_zipf(&r, leaf_n[side], &zipf_flat)]);
		}
		add_self(&r, id, 1 + rng_below(&r, 4));
	}
	/* library chains: edges and self PCs of fixed functions */
	for (int side = 0; side < 2; side++) {
		const char *const *chains = side == SIDE_GO ? go_leaf_chains : native_leaf_chains;
		size_t nch = side == SIDE_GO ? ARRAY_SIZE(go_leaf_chains) :
					       ARRAY_SIZE(native_leaf_chains);

		for (size_t i = 0; i < nch; i++) {
			uint32_t n = parse_chain(chains[i], chain, 32);

			for (uint32_t k = 0; k + 1 < n; k++)
				link_lc(&r, chain[k], chain[k + 1]);
		}
	}
	for (size_t i = 0; i < NROOTS; i++) {
		for (uint32_t k = 0; k + 1 < roots[i].n; k++)
			link_lc(&r, roots[i].fn[k], roots[i].fn[k + 1]);
		if (root_defs[i].into_prog >= 0) {
			/* the root's last function calls the entry functions, in its own order */
			uint32_t last = roots[i].fn[roots[i].n - 1],
				 side = (uint32_t)root_defs[i].into_prog;
			uint32_t n = level_n[side][0];
			uint32_t *perm = xmalloc(n * sizeof *perm);

			memcpy(perm, level_fns[side][0], n * sizeof *perm);
			for (uint32_t k = n; k > 1; k--) {
				uint32_t j = rng_below(&r, k), t = perm[k - 1];

				perm[k - 1] = perm[j];
				perm[j] = t;
			}
			if (fns[last].npc == 0)
				for (uint32_t k = 0; k < n; k++)
					add_pc(&r, last, perm[k]);
			free(perm);
		}
	}
	for (uint32_t id = 0; id < nfns; id++)
		if (fns[id].kind == KIND_FIXED && fns[id].nself == 0)
			add_self(&r, id, 1 + rng_below(&r, 3));

	/* address layout: functions packed in their mapping's text */
	{
		uint64_t cursor[NMAPS];

		for (int m = 0; m < NMAPS; m++)
			cursor[m] = map_defs[m].base + 0x1000;
		for (uint32_t id = 0; id < nfns; id++) {
			struct func *f = &fns[id];
			uint32_t nl = f->npc + f->nlc + f->nself + (f->rec_loc != UINT32_MAX),
				 j = 0;
			uint64_t size;

			if (f->kind == KIND_INLINE)
				continue;
			size = 16 * (uint64_t)(nl + 1) +
			       (uint64_t)rng_expo(&r, f->kind == KIND_PROG ? 900 : 400);
			size = (size + 15) & ~(uint64_t)15;
			f->addr = cursor[f->map];
			f->size = size;
			cursor[f->map] += size;
			if (f->map != MAP_MAIN) /* the rest of a library's code lies in between */
				cursor[f->map] += ((uint64_t)rng_expo(&r, 12000) + 15) &
						  ~(uint64_t)15;
#define PLACE(locidx)                                                                   \
	do {                                                                            \
		uint64_t seg = size / (nl + 1);                                         \
		locs[(locidx)].addr = f->addr + seg * (j + 1) +                         \
				      rng_below(&r, (uint32_t)(seg / 2 ? seg / 2 : 1)); \
		j++;                                                                    \
	} while (0)
			for (uint32_t q = 0; q < f->npc; q++)
				PLACE(f->pc[q].loc);
			for (uint32_t q = 0; q < f->nlc; q++)
				PLACE(f->lc[q].loc);
			for (uint32_t q = 0; q < f->nself; q++)
				PLACE(f->self[q]);
			if (f->rec_loc != UINT32_MAX)
				PLACE(f->rec_loc);
#undef PLACE
		}
		for (int m = 0; m < NMAPS; m++)
			map_limit[m] = (cursor[m] + 0xfff) & ~(uint64_t)0xfff;
	}
	free(modnames.keys);
	free(modnames.vals);
}

/* ------------------------------------------------------------------ */
/* stacks                                                              */

#define MAXD	     512  /* maximum stack depth (locations) */
#define HAZARD	     0.06 /* per-frame chance that a walk starts to stop, past depth 8 */
#define P_ENTER_LIB  0.55 /* on stopping, chance to finish inside a library call */
#define P_LIB_DEEPER 0.45 /* inside library code, chance to go one call deeper */

static uint64_t walk_seed;

static uint64_t trunk_seed;
static uint32_t ntrunks;       /* trunks per root */
#define STACKS_PER_TRUNK 40000 /* ntrunks = distinct stacks / this */
#define TRUNK_MIN	 3     /* trunk length (frames) */
#define TRUNK_MAX	 20
#define NSEG		 4 /* segments after the trunk */
#define FANOUT		 3 /* continuations per segment */
#define SEG_MIN		 4 /* segment length (frames) */
#define SEG_MAX		 12
#define P_TAIL		 0.7 /* after deciding to stop, chance of each extra free frame */

/*
 * Regenerates walk number w into stk (root first); returns its depth.
 *
 * Where a walk goes is decided by "path classes": the first frames follow a
 * trunk (one of ntrunks, struct zipf popularity) replayed from the trunk's own
 * random stream, then NSEG segments, each one of FANOUT continuations of
 * the previous (struct zipf again), each replayed from its own stream; past those
 * the walk picks callees from its own stream.  When to stop and which leaf
 * (self PC or a library call) to end in always come from the walk's own
 * stream.  So stacks of one class share the root-side frames and end at
 * different depths and leaves, as samples along a hot path do in a real
 * program: few hot paths near the root, variety near the leaves.
 */
static uint32_t walk(uint64_t w, uint32_t *stk)
{
	struct rng wr = { mix64(walk_seed + w * 0xd1342543de82ef95ULL) };
	double u = rng_unit(&wr) * root_cum[NROOTS - 1];
	uint32_t ri = 0, d = 0, cur, nseg = 0, seg_end;
	uint64_t key;
	struct rng seg, *path = &seg; /* path: the stream for callee choices */
	int tail = -1;		      /* frames left before stopping; -1: not stopping yet */
	const struct root *rt;
	const struct func *f;

	while (ri + 1 < NROOTS && u >= root_cum[ri])
		ri++;
	rt = &roots[ri];
	key = mix64(trunk_seed + ri * 0xc2b2ae3d27d4eb4fULL +
		    rng_zipf(&wr, ntrunks, &zipf_flat) * 0x9e3779b97f4a7c15ULL);
	seg.s = key;
	seg_end = TRUNK_MIN + rng_below(&seg, TRUNK_MAX - TRUNK_MIN + 1);
	cur = rt->fn[0];
	for (uint32_t i = 1; i < rt->n; i++) {
		stk[d++] = find_lc(cur, rt->fn[i]);
		cur = rt->fn[i];
	}
	if (root_defs[ri].into_prog >= 0) {
		const struct call *c;

		f = &fns[cur];
		c = &f->pc[rng_zipf(path, f->npc, &zipf_calls)];
		stk[d++] = c->loc;
		cur = c->callee;
	}
	for (;;) {
		const struct call *c;

		if (d >= seg_end && path == &seg) {
			if (nseg < NSEG) {
				key = mix64(key + 1 + rng_zipf(&wr, FANOUT, &zipf_flat));
				seg.s = key;
				seg_end = d + SEG_MIN + rng_below(&seg, SEG_MAX - SEG_MIN + 1);
				nseg++;
			} else
				path = &wr;
		}
		f = &fns[cur];
		if (d >= MAXD - 1)
			break;
		if (f->kind == KIND_PROG) {
			int deeper;

			if (f->rec_pct && rng_below(path, 100) < f->rec_pct) {
				stk[d++] = f->rec_loc;
				continue;
			}
			if (tail < 0 && rng_chance(&wr, d < 8 ? 0.01 : HAZARD)) {
				/* stop soon: a few more frames of the walk's own choosing */
				tail = 0;
				while (rng_chance(&wr, P_TAIL))
					tail++;
				path = &wr;
			}
			deeper = f->npc && tail != 0;
			if (tail > 0)
				tail--;
			if (deeper) {
				c = &f->pc[rng_zipf(path, f->npc, &zipf_calls)];
			} else if (f->nlc && rng_chance(&wr, P_ENTER_LIB)) {
				c = &f->lc[rng_zipf(&wr, f->nlc, &zipf_flat)];
			} else
				break;
		} else if (f->nlc && rng_chance(&wr, P_LIB_DEEPER)) {
			c = &f->lc[rng_zipf(&wr, f->nlc, &zipf_flat)];
		} else
			break;
		stk[d++] = c->loc;
		cur = c->callee;
	}
	f = &fns[cur];
	stk[d++] = f->self[rng_zipf(&wr, f->nself, &zipf_flat)];
	return d;
}

static uint64_t stack_hash(const uint32_t *stk, uint32_t d)
{
	uint64_t h = 0x9ae16a3b2f90404fULL ^ d;

	for (uint32_t i = 0; i < d; i++)
		h = mix64(h + stk[i] + 1);
	return h | 1; /* 0 marks an empty slot */
}

/* distinct stacks, in discovery order */
static uint32_t *st_walk, *st_count;
static uint32_t st_n;

/* ------------------------------------------------------------------ */
/* output                                                              */

struct gz_out {
	FILE *fp;
	z_stream z;
	unsigned char out[1 << 17];
	uint64_t raw, gz;
	const char *path;
};

static void gz_write(struct gz_out *g, const void *data, size_t len, int flush)
{
	g->z.next_in = (Bytef *)(uintptr_t)data;
	g->z.avail_in = (uInt)len;
	g->raw += len;
	for (;;) {
		int rc;
		size_t have;

		g->z.next_out = g->out;
		g->z.avail_out = sizeof g->out;
		rc = deflate(&g->z, flush);
		if (rc == Z_STREAM_ERROR)
			die("deflate failed");
		have = sizeof g->out - g->z.avail_out;
		if (have && fwrite(g->out, 1, have, g->fp) != have)
			die("%s: write failed: %s", g->path, strerror(errno));
		g->gz += have;
		if (flush == Z_FINISH ? rc == Z_STREAM_END : g->z.avail_out != 0)
			break;
	}
}

static uint8_t *packbuf;
static size_t packcap;

static void emit(struct gz_out *g, const Perftools__Profiles__Profile *p)
{
	size_t n = perftools__profiles__profile__get_packed_size(p);

	if (n > packcap) {
		packcap = n + n / 2 + 4096;
		packbuf = xrealloc(packbuf, packcap);
	}
	if (perftools__profiles__profile__pack(p, packbuf) != n)
		die("internal error: packed size mismatch");
	gz_write(g, packbuf, n, Z_NO_FLUSH);
}

/* output string table */
static struct strmap strs;
static const char **str_tab;
static uint32_t str_n, str_cap;

static int64_t str_id(const char *s)
{
	uint32_t v;

	if (strmap_get(&strs, s, &v))
		return v;
	str_tab = grow(str_tab, &str_cap, str_n + 1, sizeof *str_tab);
	str_tab[str_n] = s;
	strmap_put(&strs, s, str_n);
	return str_n++;
}

static uint64_t label_seed;

/* The labels of distinct stack i: up to two string labels on ~1% of them. */
static uint32_t labels_for(uint32_t i, const char **key, const char **val)
{
	uint64_t h = mix64(label_seed ^ ((uint64_t)i * 0x9e3779b97f4a7c15ULL));
	uint32_t n = 0;

	if (h % 1000 < 8) {
		key[n] = "handler";
		val[n++] = label_handlers[(h >> 32) % ARRAY_SIZE(label_handlers)];
	}
	if ((h >> 12) % 1000 < 5) {
		key[n] = "tenant";
		val[n++] = label_tenants[(h >> 40) % ARRAY_SIZE(label_tenants)];
	}
	return n;
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: %s [-s SEED] [-n DISTINCT_STACKS] [-f FUNCTIONS] [-z GZIP_LEVEL] OUT.pb.gz\n"
		"  -s SEED             random seed (default 1); same arguments give the same bytes\n"
		"  -n DISTINCT_STACKS  number of distinct stacks = Sample messages (default 300000)\n"
		"  -f FUNCTIONS        size of the synthetic program in functions (default 30000)\n"
		"  -z GZIP_LEVEL       zlib compression level 1-9 (default 6)\n",
		prog_name);
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die("bad value for %s: %s (want %llu..%llu)", opt, s, (unsigned long long)min,
		    (unsigned long long)max);
	return v;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	uint32_t nstacks = 300000, nfuncs = 30000, walks = 0, max_walks;
	int level = 6, opt;
	const char *out;
	char *tmp;
	double t0 = now_sec(), t_build, t_walk, t_mark;
	uint32_t *stk;
	uint64_t *st_keys, st_mask, total_count = 0;
	uint64_t depth_sum = 0, frame_sum = 0;
	uint32_t depth_max = 0, *depth_hist;
	uint32_t *loc_of_id, *fn_of_id, nloc_out = 0, nfn_out = 0;
	struct gz_out *g;
	struct rng rr;
	const char *build_ids[NMAPS];
	struct strmap files_used = { 0 };

	while ((opt = getopt(argc, argv, "s:n:f:z:h")) != -1) {
		switch (opt) {
		case 's':
			seed = parse_u64("-s", optarg, 0, UINT64_MAX);
			break;
		case 'n':
			nstacks = (uint32_t)parse_u64("-n", optarg, 1, 50000000);
			break;
		case 'f':
			nfuncs = (uint32_t)parse_u64("-f", optarg, 500, 5000000);
			break;
		case 'z':
			level = (int)parse_u64("-z", optarg, 1, 9);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	out = argv[optind];

	zipf_init(&zipf_flat, 1.0);
	zipf_init(&zipf_calls, ZIPF_S_CALLS);
	build_program(seed, nfuncs);
	t_build = now_sec();

	/* walks until nstacks distinct stacks were seen */
	walk_seed = mix64(seed ^ 0x77616c6b73ULL);
	trunk_seed = mix64(seed ^ 0x7472756e6bULL);
	ntrunks = nstacks / STACKS_PER_TRUNK + 1;
	label_seed = mix64(seed ^ 0x6c6162656cULL);
	st_mask = 1;
	while (st_mask < (uint64_t)nstacks * 2)
		st_mask <<= 1;
	st_keys = xcalloc(st_mask, sizeof *st_keys);
	{
		uint32_t *st_slot = xcalloc(st_mask, sizeof *st_slot);

		st_mask--;
		st_walk = xmalloc((size_t)nstacks * sizeof *st_walk);
		st_count = xmalloc((size_t)nstacks * sizeof *st_count);
		stk = xmalloc(MAXD * sizeof *stk);
		max_walks = nstacks > UINT32_MAX / 64 ? UINT32_MAX : nstacks * 64;
		while (st_n < nstacks && walks < max_walks) {
			uint32_t d = walk(walks, stk);
			uint64_t h = stack_hash(stk, d), i = h & st_mask;

			while (st_keys[i] && st_keys[i] != h)
				i = (i + 1) & st_mask;
			if (st_keys[i]) {
				st_count[st_slot[i]]++;
			} else {
				st_keys[i] = h;
				st_slot[i] = st_n;
				st_walk[st_n] = walks;
				st_count[st_n] = 1;
				st_n++;
			}
			walks++;
		}
		free(st_slot);
		free(st_keys);
	}
	if (st_n < nstacks)
		fprintf(stderr,
			"%s: warning: only %u distinct stacks after %u walks (try a larger -f)\n",
			prog_name, st_n, walks);
	total_count = walks;
	t_walk = now_sec();

	/* mark pass: ids for the locations and functions in use, in first-use order */
	loc_of_id = xmalloc(((size_t)nlocs + 1) * sizeof *loc_of_id);
	fn_of_id = xmalloc(((size_t)nfns + 1) * sizeof *fn_of_id);
	depth_hist = xcalloc(MAXD + 1, sizeof *depth_hist);
	for (uint32_t i = 0; i < st_n; i++) {
		uint32_t d = walk(st_walk[i], stk), frames = 0;

		for (uint32_t j = d; j-- > 0;) {
			struct loc *l = &locs[stk[j]];

			frames += 1u + l->ninl;
			if (l->out_id)
				continue;
			l->out_id = ++nloc_out;
			loc_of_id[nloc_out] = stk[j];
			for (int k = 0; k <= l->ninl; k++) {
				uint32_t fn = k < l->ninl ? l->inl[k] : l->fn;

				if (!fns[fn].out_id) {
					fns[fn].out_id = ++nfn_out;
					fn_of_id[nfn_out] = fn;
				}
			}
		}
		depth_sum += d;
		frame_sum += frames;
		if (d > depth_max)
			depth_max = d;
		depth_hist[d]++;
	}

	/* strings */
	str_id("");
	str_id("samples");
	str_id("count");
	str_id("cpu");
	str_id("nanoseconds");
	str_id("handler");
	str_id("tenant");
	for (size_t i = 0; i < ARRAY_SIZE(label_handlers); i++)
		str_id(label_handlers[i]);
	for (size_t i = 0; i < ARRAY_SIZE(label_tenants); i++)
		str_id(label_tenants[i]);
	rr.s = mix64(seed ^ 0x6275696c64ULL);
	for (int m = 0; m < NMAPS; m++) {
		char *b = xmalloc(41);

		for (int k = 0; k < 40; k++)
			b[k] = "0123456789abcdef"[rng_below(&rr, 16)];
		b[40] = 0;
		build_ids[m] = m == MAP_VDSO ? "" : b;
		str_id(map_defs[m].file);
		str_id(build_ids[m]);
	}
	for (uint32_t id = 1; id <= nfn_out; id++) {
		const struct func *f = &fns[fn_of_id[id]];
		uint32_t v;

		str_id(f->name);
		str_id(f->sysname);
		str_id(f->file);
		if (!strmap_get(&files_used, f->file, &v))
			strmap_put(&files_used, f->file, 1);
	}
	t_mark = now_sec();

	/* write */
	tmp = xfmt("%s.tmp.%ld", out, (long)getpid());
	g = xcalloc(1, sizeof *g);
	g->path = tmp;
	g->fp = fopen(tmp, "wb");
	if (!g->fp)
		die("%s: %s", tmp, strerror(errno));
	if (deflateInit2(&g->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2 failed");
	{
		Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
		Perftools__Profiles__ValueType vt[2] = { PERFTOOLS__PROFILES__VALUE_TYPE__INIT,
							 PERFTOOLS__PROFILES__VALUE_TYPE__INIT };
		Perftools__Profiles__ValueType *vtp[2] = { &vt[0], &vt[1] };

		vt[0].type = str_id("samples");
		vt[0].unit = str_id("count");
		vt[1].type = str_id("cpu");
		vt[1].unit = str_id("nanoseconds");
		p.n_sample_type = 2;
		p.sample_type = vtp;
		emit(g, &p);
	}
	{
		enum {
			B = 256
		};
		Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
		Perftools__Profiles__Sample *smp = xmalloc(B * sizeof *smp),
					    **smpp = xmalloc(B * sizeof *smpp);
		Perftools__Profiles__Label *lab = xmalloc(B * 2 * sizeof *lab),
					   **labp = xmalloc(B * 2 * sizeof *labp);
		uint64_t *ids = xmalloc((size_t)B * MAXD * sizeof *ids);
		int64_t *vals = xmalloc(B * 2 * sizeof *vals);
		uint32_t nb = 0;
		p.sample = smpp;
		for (uint32_t i = 0; i < st_n; i++) {
			Perftools__Profiles__Sample *s = &smp[nb];
			uint32_t d = walk(st_walk[i], stk), nl;
			const char *key[2], *val[2];

			perftools__profiles__sample__init(s);
			s->n_location_id = d;
			s->location_id = ids + (size_t)nb * MAXD;
			for (uint32_t j = 0; j < d; j++)
				s->location_id[j] = locs[stk[d - 1 - j]].out_id; /* leaf first */
			s->n_value = 2;
			s->value = vals + nb * 2;
			s->value[0] = st_count[i];
			s->value[1] = (int64_t)st_count[i] * 10000000;
			nl = labels_for(i, key, val);
			if (nl) {
				s->n_label = nl;
				s->label = labp + nb * 2;
				for (uint32_t k = 0; k < nl; k++) {
					Perftools__Profiles__Label *lb = &lab[nb * 2 + k];

					perftools__profiles__label__init(lb);
					lb->key = str_id(key[k]);
					lb->str = str_id(val[k]);
					s->label[k] = lb;
				}
			}
			smpp[nb++] = s;
			if (nb == B || i + 1 == st_n) {
				p.n_sample = nb;
				emit(g, &p);
				nb = 0;
			}
		}
		free(smp);
		free(smpp);
		free(lab);
		free(labp);
		free(ids);
		free(vals);
	}
	{
		Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
		Perftools__Profiles__Mapping mp[NMAPS], *mpp[NMAPS];

		for (int m = 0; m < NMAPS; m++) {
			perftools__profiles__mapping__init(&mp[m]);
			mp[m].id = (uint64_t)m + 1;
			mp[m].memory_start = map_defs[m].base;
			mp[m].memory_limit = map_limit[m];
			mp[m].file_offset = m == MAP_VDSO ? 0 : 0x1000;
			mp[m].filename = str_id(map_defs[m].file);
			mp[m].build_id = str_id(build_ids[m]);
			mp[m].has_functions = 1;
			mp[m].has_filenames = 1;
			mp[m].has_line_numbers = 1;
			mp[m].has_inline_frames = 1;
			mpp[m] = &mp[m];
		}
		p.n_mapping = NMAPS;
		p.mapping = mpp;
		emit(g, &p);
	}
	{
		enum {
			B = 1024
		};
		Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
		Perftools__Profiles__Location *lo = xmalloc(B * sizeof *lo),
					      **lop = xmalloc(B * sizeof *lop);
		Perftools__Profiles__Line *ln_ = xmalloc(B * 3 * sizeof *ln_),
					  **lnp = xmalloc(B * 3 * sizeof *lnp);
		uint32_t nb = 0;
		p.location = lop;
		for (uint32_t id = 1; id <= nloc_out; id++) {
			const struct loc *l = &locs[loc_of_id[id]];
			Perftools__Profiles__Location *x = &lo[nb];

			perftools__profiles__location__init(x);
			x->id = id;
			x->mapping_id = (uint64_t)fns[l->fn].map + 1;
			x->address = l->addr;
			x->n_line = (size_t)l->ninl + 1;
			x->line = lnp + nb * 3;
			for (int k = 0; k <= l->ninl; k++) {
				Perftools__Profiles__Line *y = &ln_[nb * 3 + k];

				perftools__profiles__line__init(y);
				y->function_id = fns[k < l->ninl ? l->inl[k] : l->fn].out_id;
				y->line = k < l->ninl ? l->inl_line[k] : l->line;
				x->line[k] = y;
			}
			lop[nb++] = x;
			if (nb == B || id == nloc_out) {
				p.n_location = nb;
				emit(g, &p);
				nb = 0;
			}
		}
		free(lo);
		free(lop);
		free(ln_);
		free(lnp);
	}
	{
		enum {
			B = 1024
		};
		Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
		Perftools__Profiles__Function *fo = xmalloc(B * sizeof *fo),
					      **fop = xmalloc(B * sizeof *fop);
		uint32_t nb = 0;
		p.function = fop;
		for (uint32_t id = 1; id <= nfn_out; id++) {
			const struct func *f = &fns[fn_of_id[id]];
			Perftools__Profiles__Function *x = &fo[nb];

			perftools__profiles__function__init(x);
			x->id = id;
			x->name = str_id(f->name);
			x->system_name = str_id(f->sysname);
			x->filename = str_id(f->file);
			x->start_line = f->start_line;
			fop[nb++] = x;
			if (nb == B || id == nfn_out) {
				p.n_function = nb;
				emit(g, &p);
				nb = 0;
			}
		}
		free(fo);
		free(fop);
	}
	{
		enum {
			B = 4096
		};
		Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
		for (uint32_t i = 0; i < str_n; i += B) {
			p.n_string_table = str_n - i < B ? str_n - i : B;
			p.string_table = (char **)(uintptr_t)(str_tab + i);
			emit(g, &p);
		}
	}
	{
		Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
		Perftools__Profiles__ValueType pt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
		uint64_t cpu_ns = total_count * 10000000ULL, dur = cpu_ns / 48;

		if (dur < 10000000000ULL)
			dur = 10000000000ULL;
		pt.type = str_id("cpu");
		pt.unit = str_id("nanoseconds");
		p.time_nanos = (int64_t)(1700000000000000000ULL +
					 (mix64(seed) % 31536000ULL) * 1000000000ULL);
		p.duration_nanos = (int64_t)dur;
		p.period_type = &pt;
		p.period = 10000000;
		emit(g, &p);
	}
	gz_write(g, NULL, 0, Z_FINISH);
	deflateEnd(&g->z);
	if (fclose(g->fp) != 0)
		die("%s: %s", tmp, strerror(errno));
	if (rename(tmp, out) != 0)
		die("rename %s -> %s: %s", tmp, out, strerror(errno));

	{
		double t_end = now_sec();
		uint32_t acc = 0, p50 = 0, p90 = 0, p99 = 0;

		for (uint32_t d = 0; d <= MAXD; d++) {
			acc += depth_hist[d];
			if (!p50 && acc * 2 >= st_n)
				p50 = d;
			if (!p90 && acc * 10 >= st_n * 9ULL)
				p90 = d;
			if (!p99 && acc * 100 >= st_n * 99ULL)
				p99 = d;
		}
		fprintf(stderr,
			"%s: wrote %s: %.2f MB gzipped, %.2f MB decoded (seed %llu)\n"
			"  samples %u (distinct stacks), total sample count %llu\n"
			"  locations %u, functions %u, mappings %d, strings %u, files %u\n"
			"  stack depth (locations): mean %.1f, p50 %u, p90 %u, p99 %u, max %u; frames incl. inlined: mean %.1f\n"
			"  time: build %.2fs, walks %.2fs, mark %.2fs, write %.2fs, total %.2fs\n",
			prog_name, out, (double)g->gz / 1e6, (double)g->raw / 1e6,
			(unsigned long long)seed, st_n, (unsigned long long)total_count, nloc_out,
			nfn_out, NMAPS, str_n, files_used.n, (double)depth_sum / st_n, p50, p90,
			p99, depth_max, (double)frame_sum / st_n, t_build - t0, t_walk - t_build,
			t_mark - t_walk, t_end - t_mark, t_end - t0);
	}
	return 0;
}
