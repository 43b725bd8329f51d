/*
 * preload.c - start-up from the environment, and the process-level hooks:
 * pthread_create (timers for new threads, threadcreate), fork, exec,
 * dlclose.
 *
 * Nothing happens unless a CPROF_* output variable is set:
 *   CPROF_CPUPROFILE=path       CPU profile, written at exit
 *   CPROF_CPU_HZ=n              sampling rate (default 100)
 *   CPROF_MEMPROFILE=path       heap profile (inuse_space by default)
 *   CPROF_ALLOCSPROFILE=path    the same data with alloc_space as default
 *   CPROF_MEMPROFILE_RATE=n     bytes between heap samples (default 524288; 1 = all)
 *   CPROF_THREADPROFILE=path    every thread's stack, taken at exit
 *   CPROF_THREADCREATEPROFILE=path  stacks that created threads
 *   CPROF_BLOCKPROFILE=path     where threads blocked (mutex, rwlock, cond, sem)
 *   CPROF_BLOCKPROFILE_RATE=ns  record waits >= ns, shorter ones sampled (default 1: all)
 *   CPROF_MUTEXPROFILE=path     mutex wait charged to the unlocking stack
 *   CPROF_MUTEXPROFILE_FRACTION=n  record 1 in n contention events (default 1)
 *   CPROF_FLUSH_SECONDS=n       also rewrite the profiles every n seconds, so a
 *                               process that is killed still leaves them
 *   CPROF_TIMER_SIGNAL=n        signal for CPU timers instead of SIGPROF
 *   CPROF_UNWIND=libgcc|fp      unwinder (default libgcc when it is signal-safe)
 *   CPROF_FOLLOW_CHILDREN=1     children profile themselves into path.PID
 *   CPROF_SEED=n                fixed seed for the heap sampler (tests)
 * Without CPROF_FOLLOW_CHILDREN the library removes itself from LD_PRELOAD
 * and these variables from the environment once it has read them.
 *
 * Profiles are written when the process exits normally (exit or return
 * from main) or just before it execs another program, and every
 * CPROF_FLUSH_SECONDS while it runs.  Each file is written to a temporary
 * name and renamed, so a reader never sees half a profile.  The library never
 * prints; with CPROF_VERBOSE=1 this file reports failures on stderr in one
 * "cprof: " line each, because a preloaded library has no other channel.
 */
#include "model/compat.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>
#include "record/rec.h"

extern char **environ;

enum out_kind {
	OUT_CPU,
	OUT_HEAP,
	OUT_ALLOCS,
	OUT_THREADS,
	OUT_THREADCREATE,
	OUT_BLOCK,
	OUT_MUTEX,
	OUT_N
};

static const char *const out_vars[OUT_N] = {
	"CPROF_CPUPROFILE",    "CPROF_MEMPROFILE",	    "CPROF_ALLOCSPROFILE",
	"CPROF_THREADPROFILE", "CPROF_THREADCREATEPROFILE", "CPROF_BLOCKPROFILE",
	"CPROF_MUTEXPROFILE",
};

static const char *const out_names[OUT_N] = {
	"cpu", "heap", "allocs", "threads", "threadcreate", "block", "mutex",
};

static char out_paths[OUT_N][4096];
static bool active, finished, follow, verbose, disabled;
static int cpu_fd = -1;
static char cpu_tmp[4096 + 32];
static int flush_secs;
static struct rec_lock finish_lock;

static void say(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	if (!verbose)
		return;
	n = snprintf(msg, sizeof(msg), "cprof: ");
	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(msg) - 1)
		n = (int)sizeof(msg) - 2;
	msg[n++] = '\n';
	if (write(2, msg, (size_t)n) < 0)
		return;
}

static int open_out(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

static bool tmp_name(char *out, size_t cap, const char *path, const char *what)
{
	return snprintf(out, cap, "%s.%s-%d", path, what, (int)getpid()) < (int)cap;
}

/* Write profile k to its path, through a temporary file renamed into place. */
static void write_named(enum out_kind k)
{
	char tmp[sizeof(out_paths[0]) + 32];
	int fd, r;

	if (!out_paths[k][0] || !tmp_name(tmp, sizeof(tmp), out_paths[k], "tmp"))
		return;
	fd = open_out(tmp);
	if (fd < 0) {
		say("%s: %s", tmp, strerror(errno));
		return;
	}
	r = cprof_record_write(cprof_record_lookup(out_names[k]), fd, 0);
	if (r)
		say("%s: %s", out_paths[k], cprof_record_errmsg(r));
	if (close(fd) == 0 && r == 0)
		rename(tmp, out_paths[k]);
	else
		unlink(tmp);
}

/* Write every profile asked for in the environment; once. */
static void finish(void)
{
	int saved = errno;

	if (!active)
		return;
	rec_guard++;
	rec_lock(&finish_lock);
	if (finished)
		goto out;
	finished = true;
	if (cpu_fd >= 0) {
		int r = cprof_record_cpu_stop();

		if (r)
			say("%s: %s", out_paths[OUT_CPU], cprof_record_errmsg(r));
		if (close(cpu_fd) == 0 && r == 0)
			rename(cpu_tmp, out_paths[OUT_CPU]);
		else
			unlink(cpu_tmp);
		cpu_fd = -1;
	}
	for (int k = OUT_CPU + 1; k < OUT_N; k++)
		write_named(k);
out:
	rec_unlock(&finish_lock);
	rec_guard--;
	errno = saved;
}

static void start_cpu(void)
{
	int r;

	if (!out_paths[OUT_CPU][0] ||
	    !tmp_name(cpu_tmp, sizeof(cpu_tmp), out_paths[OUT_CPU], "tmp"))
		return;
	cpu_fd = open_out(cpu_tmp);
	if (cpu_fd < 0) {
		say("%s: %s", cpu_tmp, strerror(errno));
		return;
	}
	rec_cpu_set_flush(out_paths[OUT_CPU], flush_secs);
	r = cprof_record_cpu_start(cpu_fd);
	if (r) {
		say("cpu profile: %s", cprof_record_errmsg(r));
		close(cpu_fd);
		unlink(cpu_tmp);
		cpu_fd = -1;
	}
}

static bool is_us(const char *entry, size_t len)
{
	size_t b = len;

	while (b > 0 && entry[b - 1] != '/')
		b--;
	return len - b >= 11 && !strncmp(entry + b, "libcprof.so", 11);
}

/* Remove libcprof from LD_PRELOAD (entries separated by ':' or ' '). */
static void unpreload(void)
{
	const char *lp = getenv("LD_PRELOAD");
	char out[4096];
	size_t n = 0;

	if (!lp)
		return;
	while (*lp) {
		size_t len = strcspn(lp, ": ");

		if (len && !is_us(lp, len) && n + len + 2 < sizeof(out)) {
			if (n)
				out[n++] = ':';
			memcpy(out + n, lp, len);
			n += len;
		}
		lp += len;
		while (*lp == ':' || *lp == ' ')
			lp++;
	}
	out[n] = 0;
	if (n)
		setenv("LD_PRELOAD", out, 1);
	else
		unsetenv("LD_PRELOAD");
}

static void unset_vars(void)
{
	static const char *const more[] = { "CPROF_CPU_HZ",
					    "CPROF_MEMPROFILE_RATE",
					    "CPROF_BLOCKPROFILE_RATE",
					    "CPROF_MUTEXPROFILE_FRACTION",
					    "CPROF_FLUSH_SECONDS",
					    "CPROF_TIMER_SIGNAL",
					    "CPROF_THREADS_SIGNAL",
					    "CPROF_UNWIND",
					    "CPROF_SEED",
					    "CPROF_USE_PID" };

	for (int k = 0; k < OUT_N; k++)
		unsetenv(out_vars[k]);
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		unsetenv(more[i]);
}

/*
 * finish_lock first (finish and the flusher take it before the others):
 * a fork during a periodic flush waits for it, so the child never
 * inherits the lock held by a thread it does not have.
 */
static void atfork_prepare(void)
{
	rec_guard++;
	rec_lock(&finish_lock);
	rec_cpu_atfork_prepare();
	rec_heap_atfork_prepare();
	rec_lock_atfork_prepare();
}

static void atfork_parent(void)
{
	rec_lock_atfork_parent();
	rec_heap_atfork_parent();
	rec_cpu_atfork_parent();
	rec_unlock(&finish_lock);
	rec_guard--;
}

static void atfork_child(void)
{
	rec_lock_atfork_child();
	rec_heap_atfork_child();
	rec_cpu_atfork_child();
	rec_unlock(&finish_lock);
	rec_guard--;
	/* The child does not write the parent's files. */
	if (active && !finished) {
		bool cpu = cpu_fd >= 0;

		if (cpu_fd >= 0)
			close(cpu_fd);
		cpu_fd = -1;
		flush_secs = 0;
		if (!follow) {
			finished = true;
			return;
		}
		for (int k = 0; k < OUT_N; k++) {
			size_t n = strlen(out_paths[k]);

			if (n)
				snprintf(out_paths[k] + n, sizeof(out_paths[k]) - n, ".%d",
					 (int)getpid());
		}
		if (cpu)
			start_cpu();
	}
}

/*
 * The periodic flush of everything but the CPU profile (the CPU writer
 * thread flushes that one) and the threads profile (which interrupts
 * every thread).  It blocks every signal, as libcprof's threads do.
 */
static void *flusher_main(void *arg)
{
	rec_guard++;
	rec_internal_thread(rec_gettid(), true);
	for (;;) {
		struct timespec ts = { flush_secs, 0 };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		rec_lock(&finish_lock);
		if (finished || flush_secs <= 0) {
			rec_unlock(&finish_lock);
			break;
		}
		for (int k = OUT_CPU + 1; k < OUT_N; k++)
			if (k != OUT_THREADS)
				write_named(k);
		rec_unlock(&finish_lock);
	}
	rec_internal_thread(rec_gettid(), false);
	return NULL;
}

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static void start_flusher(void)
{
	pthread_create_fn real = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
	bool any = false;
	sigset_t all, old;
	pthread_t t;

	for (int k = OUT_CPU + 1; k < OUT_N; k++)
		any = any || (out_paths[k][0] && k != OUT_THREADS);
	if (flush_secs <= 0 || !any || !real)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (real(&t, NULL, flusher_main, NULL) == 0)
		pthread_detach(t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtol(v, &end, 0);
	if (errno || *end) {
		say("%s=%s: not a number; using %ld", name, v, def);
		return def;
	}
	return n;
}

__attribute__((constructor)) static void cprof_preload_init(void)
{
	bool heap = false, use_pid;
	long hz, sig;

	verbose = getenv("CPROF_VERBOSE") && !strcmp(getenv("CPROF_VERBOSE"), "1");
	rec_guard++;
	rec_seed_init();
	rec_unwind_init();
	rec_lock_init();
	sig = env_long("CPROF_TIMER_SIGNAL", 0);
	if (sig > 0 && sig < NSIG)
		rec_timer_signal = (int)sig;
	for (int k = 0; k < OUT_N; k++) {
		const char *v = getenv(out_vars[k]);

		if (v && *v) {
			snprintf(out_paths[k], sizeof(out_paths[k]), "%s", v);
			active = true;
		}
	}
	if (!active)
		goto out;
	if (getauxval(AT_SECURE)) {
		disabled = true;
		active = false;
		say("disabled in a setuid/setgid process");
		goto out;
	}
	follow = getenv("CPROF_FOLLOW_CHILDREN") && !strcmp(getenv("CPROF_FOLLOW_CHILDREN"), "1");
	use_pid = getenv("CPROF_USE_PID") != NULL;
	if (use_pid) {
		for (int k = 0; k < OUT_N; k++) {
			size_t n = strlen(out_paths[k]);

			if (n)
				snprintf(out_paths[k] + n, sizeof(out_paths[k]) - n, ".%d",
					 (int)getpid());
		}
	}
	heap = out_paths[OUT_HEAP][0] || out_paths[OUT_ALLOCS][0];
	cprof_record_set_mem_rate(heap ? (size_t)env_long("CPROF_MEMPROFILE_RATE", 512 * 1024) : 0);
	if (out_paths[OUT_BLOCK][0])
		cprof_record_set_block_rate(env_long("CPROF_BLOCKPROFILE_RATE", 1));
	if (out_paths[OUT_MUTEX][0])
		cprof_record_set_mutex_fraction((int)env_long("CPROF_MUTEXPROFILE_FRACTION", 1));
	flush_secs = (int)env_long("CPROF_FLUSH_SECONDS", 0);
	hz = env_long("CPROF_CPU_HZ", 100);
	if (cprof_record_set_cpu_rate((int)hz))
		say("CPROF_CPU_HZ=%ld: out of range; using 100", hz);
	if (follow) {
		setenv("CPROF_USE_PID", "1", 1);
	} else {
		unpreload();
		unset_vars();
	}
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	atexit(finish);
	start_cpu();
	start_flusher();
out:
	if (disabled)
		cprof_record_set_mem_rate(0);
	rec_guard--;
}

/* ---- pthread_create ---- */

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void thread_exit_hook(void *unused)
{
	rec_cpu_thread_exit();
}

static void *thread_start(void *arg)
{
	struct start s = *(struct start *)arg;
	void *ret;

	__libc_free(arg);
	rec_cpu_thread_start();
	pthread_cleanup_push(thread_exit_hook, NULL);
	ret = s.fn(s.arg);
	pthread_cleanup_pop(1);
	return ret;
}

REC_EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			      void *arg)
{
	static pthread_create_fn real;
	struct start *s;
	int r;

	if (!real) {
		rec_guard++;
		real = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
		rec_guard--;
		if (!real)
			return EAGAIN;
	}
	if (rec_guard)
		return real(t, attr, fn, arg);
	rec_guard++;
	rec_threadcreate_note((uintptr_t)__builtin_return_address(0));
	s = __libc_malloc(sizeof(*s));
	rec_guard--;
	if (!s)
		return real(t, attr, fn, arg);
	s->fn = fn;
	s->arg = arg;
	r = real(t, attr, thread_start, s);
	if (r)
		__libc_free(s);
	return r;
}

/* ---- exec: the image is about to go, so write the profiles first ---- */

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execvpe_fn)(const char *, char *const[], char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);

static void *next_sym(const char *name)
{
	void *f;

	rec_guard++;
	f = dlsym(RTLD_NEXT, name);
	rec_guard--;
	return f;
}

REC_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	execve_fn real = (execve_fn)next_sym("execve");

	finish();
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(path, argv, envp);
}

REC_EXPORT int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

REC_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	execvpe_fn real = (execvpe_fn)next_sym("execvpe");

	finish();
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(file, argv, envp);
}

REC_EXPORT int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

REC_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	fexecve_fn real = (fexecve_fn)next_sym("fexecve");

	finish();
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(fd, argv, envp);
}

/* execl, execlp, execle: collect the variadic arguments. */
static char **collect_args(const char *arg0, va_list ap, char ***envp)
{
	size_t n = 1, cap = 16;
	char **v = __libc_malloc(cap * sizeof(*v));
	char *a;

	if (!v)
		return NULL;
	v[0] = (char *)arg0;
	do {
		a = va_arg(ap, char *);
		if (n + 1 >= cap) {
			char **nv = __libc_realloc(v, 2 * cap * sizeof(*v));

			if (!nv) {
				__libc_free(v);
				return NULL;
			}
			v = nv;
			cap *= 2;
		}
		v[n++] = a;
	} while (a);
	if (envp)
		*envp = va_arg(ap, char **);
	return v;
}

REC_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	char **v;
	int r;

	va_start(ap, arg);
	v = collect_args(arg, ap, NULL);
	va_end(ap);
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	r = execve(path, v, environ);
	__libc_free(v);
	return r;
}

REC_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	char **v;
	int r;

	va_start(ap, arg);
	v = collect_args(arg, ap, NULL);
	va_end(ap);
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	r = execvpe(file, v, environ);
	__libc_free(v);
	return r;
}

REC_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char **v, **envp = NULL;
	int r;

	va_start(ap, arg);
	v = collect_args(arg, ap, &envp);
	va_end(ap);
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	r = execve(path, v, envp);
	__libc_free(v);
	return r;
}

/*
 * ---- dlclose ----
 * dlopen is not interposed: glibc resolves the caller's RUNPATH and
 * namespace from the return address, which a wrapper would change.
 */

typedef int (*dlclose_fn)(void *);

REC_EXPORT int dlclose(void *h)
{
	static dlclose_fn real;

	if (!real)
		real = (dlclose_fn)dlvsym(RTLD_NEXT, "dlclose", "GLIBC_2.34");
	if (!real)
		real = (dlclose_fn)dlvsym(RTLD_NEXT, "dlclose", "GLIBC_2.2.5");
	if (!real)
		return -1;
	/* Keep the mappings of what is about to be unloaded, for the profile. */
	if (rec_cpu_running())
		rec_maps_snapshot();
	return real(h);
}
