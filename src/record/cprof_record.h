/*
 * cprof_record.h - libcprof, the recorder: the runtime/pprof of C.
 *
 * Samples a running C or C++ program and writes pprof profiles
 * (gzipped profile.proto, or Go's legacy text with debug=1).  Link it
 * (-lcprof) and call the functions below, or preload it
 * (LD_PRELOAD=libcprof.so) and drive it with the CPROF_* environment
 * variables documented in the README ("Recording").
 *
 * Contract:
 * - Every function is thread-safe.  None may be called from a signal
 *   handler.
 * - Functions that can fail return 0 on success or a negative error code;
 *   cprof_record_errmsg() turns a code into a message.  The library never
 *   prints.
 * - Profiles are written with addresses and the loaded objects (with build
 *   IDs) but without function names: `cprof record` symbolizes after the
 *   run, and cprof/pprof symbolize any file they open.
 * - File descriptors passed in stay owned by the caller; the library
 *   writes to them and does not close them.
 */
#ifndef CPROF_RECORD_CPROF_RECORD_H
#define CPROF_RECORD_CPROF_RECORD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes (negative return values). */
enum cprof_record_error {
	CPROF_RECORD_OK = 0,
	CPROF_RECORD_EINVAL = -1,    /* bad argument */
	CPROF_RECORD_EBUSY = -2,     /* CPU profiling already running */
	CPROF_RECORD_ENOTRUN = -3,   /* CPU profiling not running */
	CPROF_RECORD_ESIGNAL = -4,   /* the profiling signal already has a handler */
	CPROF_RECORD_ETIMER = -5,    /* no timer could be created */
	CPROF_RECORD_ENOMEM = -6,    /* out of memory */
	CPROF_RECORD_EIO = -7,	     /* writing the profile failed (errno is set) */
	CPROF_RECORD_EEXIST = -8,    /* duplicate profile name or key */
	CPROF_RECORD_EBUILTIN = -9,  /* custom-profile call on a built-in profile */
	CPROF_RECORD_EDISABLED = -10 /* the recorder is disabled (setuid process) */
};

/* A message for an error code; never NULL, static storage. */
const char *cprof_record_errmsg(int err);

/* ---- CPU ---- */

/* Sampling rate for the next cprof_record_cpu_start (default 100 Hz). */
int cprof_record_set_cpu_rate(int hz);

/*
 * Start CPU profiling of every thread (those running now and those created
 * later with pthread_create), each on its own CPU-time clock.  The profile
 * is written to fd by cprof_record_cpu_stop.
 */
int cprof_record_cpu_start(int fd);

/* Stop sampling, then write the gzipped profile.proto; returns when done. */
int cprof_record_cpu_stop(void);

/* ---- heap, block, mutex rates (Go's runtime.MemProfileRate, SetBlockProfileRate, SetMutexProfileFraction) ---- */

/*
 * Average bytes between heap samples: default 512 KiB, 1 records every
 * allocation, 0 turns heap sampling off.  Only allocations made through an
 * interposed malloc (libcprof linked or preloaded) are seen.
 */
void cprof_record_set_mem_rate(size_t bytes);

/*
 * Block profile: waits in pthread_mutex_lock, pthread_rwlock_rdlock/wrlock,
 * pthread_cond_wait/timedwait and sem_wait.  A wait of at least ns
 * nanoseconds is always recorded, a shorter one with probability wait/ns
 * (and weighted to keep totals unbiased).  1 records every wait; <= 0
 * turns block profiling off (the default).
 */
void cprof_record_set_block_rate(int64_t ns);

/*
 * Mutex profile: the time threads waited for a pthread mutex, charged to
 * the stack that unlocked it.  On average 1 in fraction contention events
 * is recorded; 0 turns it off (the default).  A negative fraction only
 * reads.  Returns the previous fraction.
 */
int cprof_record_set_mutex_fraction(int fraction);

/* ---- named profiles ---- */

/*
 * A profile: "heap", "allocs", "threads" (every thread's current stack,
 * taken by signalling each thread; the goroutine profile of C),
 * "threadcreate", "block", "mutex", or a custom one.
 */
struct cprof_record_profile;

/* The profile of that name, or NULL. */
struct cprof_record_profile *cprof_record_lookup(const char *name);
const char *cprof_record_name(const struct cprof_record_profile *p);
/* Entries now in the profile (live sampled objects for heap). */
int64_t cprof_record_count(struct cprof_record_profile *p);
/*
 * debug 0: gzipped profile.proto; 1: Go's legacy text, laid out exactly as
 * runtime/pprof writes it, with function names from the objects' symbol
 * tables and "?:0" for the line (heap and allocs: the same text, without
 * Go's runtime.MemStats comment).
 */
int cprof_record_write(struct cprof_record_profile *p, int fd, int debug);

/* ---- custom profiles (Go's pprof.NewProfile/Add/Remove) ---- */

/*
 * A new custom profile; NULL when the name is empty, contains white space,
 * or is already taken.  Profiles live until the process exits.
 */
struct cprof_record_profile *cprof_record_new_profile(const char *name);
/*
 * Record the caller's stack under key.  skip 0 starts at the caller of
 * cprof_record_add; each increment drops one more frame.
 */
int cprof_record_add(struct cprof_record_profile *p, const void *key, int skip);
/* Forget key; nothing happens if it is absent. */
void cprof_record_remove(struct cprof_record_profile *p, const void *key);

#ifdef __cplusplus
}
#endif

#endif
