/*
 * rec.h - libcprof internals shared between its files.
 *
 * The recorder lives inside other people's processes, so its rules differ
 * from the analyzer's (src/model): it never prints, never aborts, never
 * allocates through the interposed malloc (it calls glibc's __libc_*
 * directly, with the per-thread guard set so nothing is sampled), and the
 * code reachable from the signal handler calls only async-signal-safe
 * functions and touches only preallocated memory and initial-exec TLS.
 */
#ifndef CPROF_RECORD_REC_H
#define CPROF_RECORD_REC_H

#include "model/compat.h"
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "record/cprof_record.h"

#define REC_TLS	     _Thread_local __attribute__((tls_model("initial-exec")))
#define REC_NOINLINE __attribute__((noinline))
#define REC_EXPORT   __attribute__((visibility("default")))
#define REC_UNUSED   __attribute__((unused))

#define REC_MAX_FRAMES 64

/* glibc's allocator, never interposed. */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);

/*
 * Per-thread depth of "inside cprof": while nonzero, allocations are not
 * sampled and CPU samples are counted as lost instead of unwound.
 */
extern REC_TLS int rec_guard;

/* A spin lock that never calls into libc (so lock interposition never sees it). */
struct rec_lock {
	atomic_int v;
};
void rec_lock(struct rec_lock *l);
void rec_unlock(struct rec_lock *l);

pid_t rec_gettid(void);
int64_t rec_now_ns(void);  /* CLOCK_REALTIME */
int64_t rec_mono_ns(void); /* CLOCK_MONOTONIC */
void rec_seed_init(void);  /* read CPROF_SEED before it leaves the environment */
uint64_t rec_seed(void);   /* seeded from CPROF_SEED, or a fresh value */
uint64_t rec_rand(uint64_t *state);

/* Growable arrays and strings on glibc's allocator; 0 or -1 (ENOMEM). */
int rec_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* ---- unwinding ---- */

/* Warm libgcc's unwinder up outside any signal handler. */
void rec_unwind_init(void);
/*
 * Fill pcs (leaf first) from a signal's ucontext: the interrupted PC, then
 * return addresses.  Async-signal-safe.  Returns the depth.
 */
int rec_unwind_signal(void *ucontext, uintptr_t *pcs, int max);
/*
 * The current stack, starting at the frame that returns to 'from' (a return
 * address in the caller to keep; 0 keeps everything).  Not for signal
 * handlers.  pcs[0] is a return address, like every other entry.
 */
int rec_unwind_here(uintptr_t from, uintptr_t *pcs, int max);

/* ---- profile building (pbout.c) ---- */

struct pb;

enum pb_flags {
	PB_LEAF_EXACT = 1 << 0 /* stacks start with an exact PC (CPU samples) */
};

struct pb *pb_new(enum pb_flags flags);
void pb_free(struct pb *b);
/* Add a sample type; call in order. */
void pb_sample_type(struct pb *b, const char *type, const char *unit);
void pb_period(struct pb *b, const char *type, const char *unit, int64_t period);
void pb_default_type(struct pb *b, const char *type);
void pb_times(struct pb *b, int64_t time_ns, int64_t duration_ns);
void pb_comment(struct pb *b, const char *text);
/*
 * One sample: pcs leaf first (return addresses, except pcs[0] with
 * PB_LEAF_EXACT), values as many as sample types; label_key NULL for none.
 */
int pb_sample(struct pb *b, const uintptr_t *pcs, int n, const int64_t *values,
	      const char *label_key, int64_t label_num, const char *label_unit);
/* A sample on a fake function (lost samples). */
int pb_sample_named(struct pb *b, const char *func, const int64_t *values);
/* Encode, gzip and write to fd; 0 or a CPROF_RECORD_E* code. */
int pb_write(struct pb *b, int fd);

/* Snapshot the loaded objects now, so a later dlclose does not lose them. */
void rec_maps_snapshot(void);

/* ---- CPU (cpu.c) ---- */
void rec_cpu_thread_start(void); /* in a new thread, before its start routine */
void rec_cpu_thread_exit(void);	 /* in an exiting thread */
void rec_cpu_atfork_prepare(void);
void rec_cpu_atfork_parent(void);
void rec_cpu_atfork_child(void);
bool rec_cpu_running(void);
/* Every seconds (> 0), the writer thread rewrites path (via a temp file and rename). */
void rec_cpu_set_flush(const char *path, int seconds);

/* ---- heap (heap.c) ---- */
void rec_heap_init(void);
void rec_heap_atfork_prepare(void);
void rec_heap_atfork_parent(void);
void rec_heap_atfork_child(void);
int rec_heap_write(int fd, bool allocs, int debug);
int64_t rec_heap_count(void);

/* ---- threads (profiles.c) ---- */
void rec_threadcreate_note(uintptr_t from);
extern struct rec_lock rec_profiles_lock;

/* Threads of libcprof's own (they block every signal); tids, 0 for none. */
void rec_internal_thread(pid_t tid, bool add);
bool rec_is_internal_thread(pid_t tid);

/* ---- text output and count profiles (text.c) ---- */

struct rec_text {
	char *buf;
	size_t len, cap;
	bool oom;
};

void rec_text_add(struct rec_text *t, const char *s, size_t n);
void rec_text_addf(struct rec_text *t, const char *fmt, ...) PRINTF_LIKE(2, 3);
void rec_text_release(struct rec_text *t);
/* Go's text/tabwriter as runtime/pprof configures it. */
void rec_tabwrite(const char *src, size_t len, struct rec_text *out);
bool rec_sym_lookup(uintptr_t pc, const char **name, uintptr_t *entry);
/* Go's printStackRecord; pcs are return addresses. */
void rec_text_stack(struct rec_text *t, const uintptr_t *pcs, int n, bool all_frames);

struct rec_stack {
	const uintptr_t *pcs; /* return addresses, leaf first */
	int n;
};

/*
 * A count profile from one stack per entry (Go's printCountProfile);
 * lost entries (no stack) go on the fake function lost_func.
 */
int rec_write_counts(const char *name, const struct rec_stack *stks, size_t n, int64_t lost,
		     const char *lost_func, int fd, int debug);

struct rec_cycle {
	const uintptr_t *pcs;
	int n;
	int64_t count, delay; /* delay in nanoseconds */
};

/* A block ("contention") or mutex profile; values are multiplied by fraction in the proto. */
int rec_write_contention(const char *name, struct rec_cycle *r, size_t n, int64_t fraction, int fd,
			 int debug);

struct rec_heaprec {
	const uintptr_t *pcs;
	int n;
	int64_t alloc_objs, alloc_bytes, free_objs, free_bytes; /* sampled, not scaled */
};

/* Go's legacy heap text (debug=1); sorts r. */
int rec_write_heap_text(struct rec_heaprec *r, size_t n, int64_t rate, int fd);

/* ---- block and mutex (lock.c) ---- */
void rec_lock_init(void);
void rec_lock_atfork_prepare(void);
void rec_lock_atfork_parent(void);
void rec_lock_atfork_child(void);
int rec_block_write(int fd, int debug, bool mutex);
int64_t rec_block_count(bool mutex);

/* ---- thread stacks (threads.c) ---- */
/* from: a return address in the caller's frame, where its own stack starts. */
int rec_threads_write(uintptr_t from, int fd, int debug);
int64_t rec_threads_count(void);

/* Settings taken from the environment at load time (preload.c). */
extern int rec_timer_signal;

#endif
