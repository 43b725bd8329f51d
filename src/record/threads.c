/*
 * threads.c - the "threads" profile, the C analogue of Go's goroutine
 * profile: every thread's current stack.
 *
 * A snapshot lists /proc/self/task, gives each thread a slot and sends it
 * a real-time signal (SIGRTMIN+7 unless CPROF_THREADS_SIGNAL names
 * another).  The handler unwinds the interrupted thread into its own slot
 * (async-signal-safe: no locks, no allocation) and posts a semaphore.  The
 * collector waits at most one second in all (threads that exit meanwhile
 * are dropped as they go); a thread that has not answered by then (signal blocked, stopped, or one of libcprof's own
 * threads) is counted under the fake function cprof_thread_unavailable.
 * A slot is claimed by its handler with a compare-and-swap, so a late
 * answer never writes into a slot the collector has given up on.
 *
 * The snapshot is not atomic, and a thread interrupted in a blocking call
 * may see it fail with EINTR (as with any signal).
 */
#include "model/compat.h"
#include <dirent.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "record/rec.h"

enum {
	S_FREE,
	S_PENDING, /* signalled, not answered */
	S_BUSY,	   /* the handler is unwinding into it */
	S_DONE,
	S_GONE /* no answer */
};

struct tslot {
	_Atomic pid_t tid;
	atomic_int state;
	int n;
	uintptr_t pcs[REC_MAX_FRAMES];
};

static struct tslot *_Atomic slots;
static atomic_size_t nslots;
static size_t capslots;
static sem_t answered;
static struct rec_lock snap_lock;
static int thr_sig;
static bool installed;

#define MAX_INTERNAL 8
static _Atomic pid_t internal[MAX_INTERNAL];

void rec_internal_thread(pid_t tid, bool add)
{
	for (int i = 0; i < MAX_INTERNAL; i++) {
		pid_t want = add ? 0 : tid;

		if (atomic_compare_exchange_strong(&internal[i], &want, add ? tid : 0))
			return;
	}
}

bool rec_is_internal_thread(pid_t tid)
{
	for (int i = 0; i < MAX_INTERNAL; i++)
		if (atomic_load(&internal[i]) == tid)
			return true;
	return false;
}

static void handler(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	struct tslot *s = atomic_load(&slots);
	size_t n = atomic_load(&nslots);
	pid_t tid;

	if (!s || !n)
		goto out;
	tid = (pid_t)syscall(SYS_gettid);
	for (size_t i = 0; i < n; i++) {
		int want = S_PENDING;

		if (atomic_load(&s[i].tid) != tid)
			continue;
		if (!atomic_compare_exchange_strong(&s[i].state, &want, S_BUSY))
			break;
		s[i].n = rec_unwind_signal(uc, s[i].pcs, REC_MAX_FRAMES);
		/* Every entry a return address, as in the other count profiles. */
		if (s[i].n > 0)
			s[i].pcs[0]++;
		atomic_store(&s[i].state, S_DONE);
		sem_post(&answered);
		break;
	}
out:
	errno = saved;
}

static int install(void)
{
	struct sigaction sa, old;
	const char *env;

	if (installed)
		return 0;
	env = getenv("CPROF_THREADS_SIGNAL");
	thr_sig = env && atoi(env) > 0 && atoi(env) < NSIG ? atoi(env) : SIGRTMIN + 7;
	if (sigaction(thr_sig, NULL, &old))
		return CPROF_RECORD_EINVAL;
	if ((old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != NULL :
					  (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN))
		return CPROF_RECORD_ESIGNAL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (sigaction(thr_sig, &sa, NULL))
		return CPROF_RECORD_EINVAL;
	sem_init(&answered, 0, 0);
	installed = true;
	return 0;
}

/* Room for n slots; old arrays stay mapped, since a late handler may still read them. */
static int reserve(size_t n)
{
	struct tslot *s;
	size_t cap = capslots ? capslots : 64;

	if (n <= capslots)
		return 0;
	while (cap < n)
		cap *= 2;
	s = mmap(NULL, cap * sizeof(*s), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (s == MAP_FAILED)
		return CPROF_RECORD_ENOMEM;
	atomic_store(&slots, s);
	capslots = cap;
	return 0;
}

static int list_threads(pid_t **out, size_t *n)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return CPROF_RECORD_EIO;
	while ((e = readdir(d)) != NULL) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid <= 0)
			continue;
		if (rec_grow((void **)out, &cap, *n + 1, sizeof(**out))) {
			closedir(d);
			return CPROF_RECORD_ENOMEM;
		}
		(*out)[(*n)++] = tid;
	}
	closedir(d);
	return 0;
}

/* Take a snapshot into stks (pointing into a copy the caller frees); *lost unanswered. */
static int snapshot(uintptr_t from, struct rec_stack **stks, size_t *nstk, uintptr_t **store,
		    int64_t *lost)
{
	struct timespec deadline;
	struct tslot *s;
	pid_t *tids = NULL, pid = getpid(), self = rec_gettid();
	size_t n = 0, sent = 0, got = 0;
	int ret;

	*stks = NULL;
	*store = NULL;
	*nstk = 0;
	*lost = 0;
	ret = install();
	if (!ret)
		ret = list_threads(&tids, &n);
	if (!ret)
		ret = reserve(n);
	if (ret)
		goto out;
	s = atomic_load(&slots);
	atomic_store(&nslots, 0);
	for (size_t i = 0; i < n; i++) {
		if (tids[i] == self) {
			/* The caller's own stack, from its call into libcprof. */
			s[i].n = rec_unwind_here(from, s[i].pcs, REC_MAX_FRAMES);
			atomic_store(&s[i].tid, self);
			atomic_store(&s[i].state, S_DONE);
			continue;
		}
		atomic_store(&s[i].tid, tids[i]);
		atomic_store(&s[i].state, rec_is_internal_thread(tids[i]) ? S_FREE : S_PENDING);
	}
	while (sem_trywait(&answered) == 0)
		;
	atomic_store(&nslots, n);
	for (size_t i = 0; i < n; i++) {
		if (atomic_load(&s[i].state) != S_PENDING)
			continue;
		if (syscall(SYS_tgkill, pid, tids[i], thr_sig) == 0) {
			sent++;
		} else {
			int want = S_PENDING;

			atomic_compare_exchange_strong(&s[i].state, &want, S_FREE);
		}
	}
	/*
	 * Wait up to 1 s in 10 ms steps; after each step, threads that exited
	 * meanwhile (they block every signal while exiting) stop being waited for.
	 */
	for (int step = 0; got < sent && step < 100; step++) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_nsec += 10000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
		while (got < sent) {
			if (sem_clockwait(&answered, CLOCK_MONOTONIC, &deadline) == 0)
				got++;
			else if (errno != EINTR)
				break;
		}
		for (size_t i = 0; i < n && got < sent; i++) {
			int want = S_PENDING;

			if (atomic_load(&s[i].state) == S_PENDING &&
			    syscall(SYS_tgkill, pid, tids[i], 0) < 0 && errno == ESRCH &&
			    atomic_compare_exchange_strong(&s[i].state, &want, S_FREE))
				got++;
		}
	}
	*stks = __libc_calloc(n + 1, sizeof(**stks));
	*store = __libc_malloc((n + 1) * sizeof(**store) * REC_MAX_FRAMES);
	for (size_t i = 0; i < n; i++) {
		int want = S_PENDING;

		if (atomic_compare_exchange_strong(&s[i].state, &want, S_GONE)) {
			(*lost)++;
			continue;
		}
		while (atomic_load(&s[i].state) == S_BUSY)
			sched_yield();
		if (atomic_load(&s[i].state) == S_GONE) {
			(*lost)++;
			continue;
		}
		if (atomic_load(&s[i].state) != S_DONE || !*stks || !*store)
			continue;
		memcpy(*store + *nstk * REC_MAX_FRAMES, s[i].pcs,
		       (size_t)s[i].n * sizeof(uintptr_t));
		(*stks)[*nstk] = (struct rec_stack){ *store + *nstk * REC_MAX_FRAMES, s[i].n };
		(*nstk)++;
	}
	atomic_store(&nslots, 0);
	if (!*stks || !*store)
		ret = CPROF_RECORD_ENOMEM;
out:
	__libc_free(tids);
	return ret;
}

int rec_threads_write(uintptr_t from, int fd, int debug)
{
	struct rec_stack *stks = NULL;
	uintptr_t *store = NULL;
	size_t n = 0;
	int64_t lost = 0;
	int ret;

	rec_lock(&snap_lock);
	ret = snapshot(from, &stks, &n, &store, &lost);
	rec_unlock(&snap_lock);
	if (!ret)
		ret = rec_write_counts("threads", stks, n, lost, "cprof_thread_unavailable", fd,
				       debug);
	__libc_free(stks);
	__libc_free(store);
	return ret;
}

int64_t rec_threads_count(void)
{
	pid_t *tids = NULL;
	size_t n = 0;

	if (list_threads(&tids, &n))
		return 0;
	__libc_free(tids);
	return (int64_t)n;
}
