/*
 * cpu.c - CPU profiling: per-thread CPU-clock timers, the signal handler,
 * a lock-free sample ring, and a writer thread that aggregates.
 *
 * Each thread gets a POSIX timer on its own CPU-time clock
 * (timer_create with SIGEV_THREAD_ID), so every thread is sampled in
 * proportion to the CPU it uses, and a sample weighs 1 + si_overrun, which
 * keeps rates above the kernel tick honest.  Threads alive at start are
 * found in /proc/self/task; threads created later arm their own timer in
 * the pthread_create wrapper (preload.c).  If timer_create is unavailable,
 * a process-wide setitimer(ITIMER_PROF) is used instead.
 *
 * The handler only unwinds into a local array and copies it into a slot of
 * a preallocated bounded MPMC ring (per-slot sequence numbers); when the
 * ring is full the sample is counted as lost.  The writer thread, with all
 * signals blocked, drains the ring every 100 ms into a hash of stacks.
 * Stopping clears the "accepting" flag, disarms every timer, waits for
 * handlers still running, drains, and writes.  The handler stays installed
 * and the ring stays mapped, so a late signal is harmless.
 */
#include "model/compat.h"
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "record/rec.h"

#define RING_SLOTS 4096

struct slot {
	atomic_size_t seq;
	int n;
	int64_t weight;
	uintptr_t pcs[REC_MAX_FRAMES];
};

struct timer_ent {
	pid_t tid;
	timer_t timer;
};

struct agg_ent {
	uint64_t hash;
	int n;
	uintptr_t *pcs;
	int64_t count;
};

static struct slot *ring;
static atomic_size_t ring_head; /* next slot to claim */
static size_t ring_tail;	/* next slot to read (writer only) */

static atomic_bool accepting;
static atomic_int inflight;
static atomic_llong lost;
static int cpu_hz = 100;
static int cpu_sig = SIGPROF;
static bool handler_installed;
static bool use_itimer;

/* Control state, under ctl_lock. */
static struct rec_lock ctl_lock;
static bool running;
static int out_fd = -1;
static int64_t start_ns, start_mono;
static struct timer_ent *timers;
static size_t ntimers, captimers;
static pthread_t writer;
static atomic_bool writer_stop;
static _Atomic pid_t writer_tid;
static sem_t writer_wake;

/* Aggregated stacks, writer thread (and stop) only. */
static struct agg_ent *agg;
static size_t agg_n, agg_cap;

int rec_timer_signal;

/* Periodic flush (rec_cpu_set_flush): the writer thread rewrites this file. */
static char flush_path[4096];
static int flush_secs;

static void handler(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;
	uintptr_t pcs[REC_MAX_FRAMES];
	int64_t weight = 1;
	size_t pos;
	int n;

	if (!atomic_load_explicit(&accepting, memory_order_acquire))
		goto out;
	atomic_fetch_add(&inflight, 1);
	if (!atomic_load_explicit(&accepting, memory_order_acquire))
		goto done;
	if (si->si_code == SI_TIMER) {
		if (si->si_overrun > 0)
			weight += si->si_overrun;
	} else if (!use_itimer) {
		goto done; /* not ours: a stray or user-sent signal */
	}
	n = rec_unwind_signal(uc, pcs, REC_MAX_FRAMES);
	pos = atomic_load_explicit(&ring_head, memory_order_relaxed);
	for (;;) {
		struct slot *s = &ring[pos & (RING_SLOTS - 1)];
		size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		intptr_t dif = (intptr_t)seq - (intptr_t)pos;

		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(&ring_head, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed)) {
				s->n = n;
				s->weight = weight;
				memcpy(s->pcs, pcs, (size_t)n * sizeof(pcs[0]));
				atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
				break;
			}
		} else if (dif < 0) {
			atomic_fetch_add(&lost, weight);
			break;
		} else {
			pos = atomic_load_explicit(&ring_head, memory_order_relaxed);
		}
	}
done:
	atomic_fetch_sub(&inflight, 1);
out:
	errno = saved_errno;
}

static uint64_t hash_stack(const uintptr_t *pcs, int n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)n;

	for (int i = 0; i < n; i++)
		h = (h ^ pcs[i]) * 1099511628211ull;
	return h ? h : 1;
}

static int agg_rehash(void)
{
	size_t cap = agg_cap ? agg_cap * 2 : 1024;
	struct agg_ent *t = __libc_calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < agg_cap; i++) {
		size_t h;

		if (!agg[i].hash)
			continue;
		h = agg[i].hash & (cap - 1);
		while (t[h].hash)
			h = (h + 1) & (cap - 1);
		t[h] = agg[i];
	}
	__libc_free(agg);
	agg = t;
	agg_cap = cap;
	return 0;
}

static void agg_add(const uintptr_t *pcs, int n, int64_t weight)
{
	uint64_t hash = hash_stack(pcs, n);
	size_t h;

	if ((agg_n + 1) * 2 > agg_cap && agg_rehash()) {
		atomic_fetch_add(&lost, weight);
		return;
	}
	h = hash & (agg_cap - 1);
	while (agg[h].hash) {
		if (agg[h].hash == hash && agg[h].n == n &&
		    !memcmp(agg[h].pcs, pcs, (size_t)n * sizeof(*pcs))) {
			agg[h].count += weight;
			return;
		}
		h = (h + 1) & (agg_cap - 1);
	}
	agg[h].pcs = __libc_malloc((size_t)n * sizeof(*pcs) + 1);
	if (!agg[h].pcs) {
		atomic_fetch_add(&lost, weight);
		return;
	}
	memcpy(agg[h].pcs, pcs, (size_t)n * sizeof(*pcs));
	agg[h].hash = hash;
	agg[h].n = n;
	agg[h].count = weight;
	agg_n++;
}

static void agg_clear(void)
{
	for (size_t i = 0; i < agg_cap; i++)
		__libc_free(agg[i].pcs);
	__libc_free(agg);
	agg = NULL;
	agg_n = agg_cap = 0;
}

static void drain(void)
{
	for (;;) {
		struct slot *s = &ring[ring_tail & (RING_SLOTS - 1)];
		size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);

		if (seq != ring_tail + 1)
			break; /* empty, or a handler is still filling this slot */
		agg_add(s->pcs, s->n, s->weight);
		atomic_store_explicit(&s->seq, ring_tail + RING_SLOTS, memory_order_release);
		ring_tail++;
	}
}

static clockid_t thread_cpu_clock(pid_t tid)
{
	return (clockid_t)((~(unsigned)tid << 3) | 6);
}

static bool have_timer(pid_t tid)
{
	for (size_t i = 0; i < ntimers; i++)
		if (timers[i].tid == tid)
			return true;
	return false;
}

/* Arm a timer on tid's CPU clock; ctl_lock held.  0, or -1 with errno. */
static int arm_thread(pid_t tid)
{
	struct sigevent sev;
	struct itimerspec its;
	timer_t t;
	uint64_t rnd = (uint64_t)rec_mono_ns() ^ ((uint64_t)tid << 32) ^ 0x9e3779b97f4a7c15ull;
	long period_ns = 1000000000L / cpu_hz;
	long first;

	if (have_timer(tid) || tid == writer_tid)
		return 0;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = cpu_sig;
	sev._sigev_un._tid = tid;
	if (timer_create(thread_cpu_clock(tid), &sev, &t))
		return -1;
	/* First expiry uniform in (0, period], as Go does, so short threads are seen fairly. */
	first = 1 + (long)(rec_rand(&rnd) % (uint64_t)period_ns);
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = first;
	its.it_interval.tv_sec = period_ns / 1000000000L;
	its.it_interval.tv_nsec = period_ns % 1000000000L;
	if (timer_settime(t, 0, &its, NULL) ||
	    rec_grow((void **)&timers, &captimers, ntimers + 1, sizeof(*timers))) {
		timer_delete(t);
		return -1;
	}
	timers[ntimers].tid = tid;
	timers[ntimers].timer = t;
	ntimers++;
	return 0;
}

static void disarm_at(size_t i)
{
	timer_delete(timers[i].timer);
	timers[i] = timers[--ntimers];
}

static int arm_all_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int armed = 0;

	if (!d)
		return arm_thread(rec_gettid()) ? -1 : 1;
	while ((e = readdir(d)) != NULL) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid > 0 && arm_thread(tid) == 0)
			armed++;
	}
	closedir(d);
	return armed;
}

/* Delete the timers of threads that exited without going through our hooks. */
static void reap_timers(void)
{
	pid_t pid = getpid();

	rec_lock(&ctl_lock);
	for (size_t i = 0; i < ntimers;) {
		if (syscall(SYS_tgkill, pid, timers[i].tid, 0) < 0 && errno == ESRCH)
			disarm_at(i);
		else
			i++;
	}
	rec_unlock(&ctl_lock);
}

static int write_cpu(int fd, int64_t duration);

void rec_cpu_set_flush(const char *path, int seconds)
{
	snprintf(flush_path, sizeof(flush_path), "%s", path ? path : "");
	flush_secs = seconds;
}

/* Write what has been aggregated so far to flush_path, through a temporary file. */
static void flush_now(void)
{
	char tmp[4096 + 32];
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.flush-%d", flush_path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	r = write_cpu(fd, rec_mono_ns() - start_mono);
	if (close(fd) == 0 && r == 0)
		rename(tmp, flush_path);
	else
		unlink(tmp);
}

static void *writer_main(void *arg)
{
	int64_t next_flush = rec_mono_ns() + (int64_t)flush_secs * 1000000000;
	int tick = 0;

	rec_guard++;
	writer_tid = rec_gettid();
	rec_internal_thread(writer_tid, true);
	while (!atomic_load(&writer_stop)) {
		struct timespec ts;

		/* Every 100 ms, or at once when stopping. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		sem_clockwait(&writer_wake, CLOCK_MONOTONIC, &ts);
		drain();
		if (++tick % 5 == 0)
			reap_timers();
		if (flush_secs > 0 && flush_path[0] && rec_mono_ns() >= next_flush) {
			flush_now();
			next_flush = rec_mono_ns() + (int64_t)flush_secs * 1000000000;
		}
	}
	drain();
	rec_internal_thread(writer_tid, false);
	return NULL;
}

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static int start_writer(void)
{
	pthread_create_fn real = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
	sigset_t all, old;
	int r;

	if (!real)
		real = pthread_create;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	atomic_store(&writer_stop, false);
	writer_tid = 0;
	sem_init(&writer_wake, 0, 0);
	r = real(&writer, NULL, writer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		return -1;
	while (!writer_tid)
		sched_yield();
	return 0;
}

static int install_handler(void)
{
	struct sigaction sa, old;

	if (handler_installed)
		return 0;
	if (sigaction(cpu_sig, NULL, &old))
		return CPROF_RECORD_EINVAL;
	if ((old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != NULL :
					  (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN))
		return CPROF_RECORD_ESIGNAL;
	if (!ring) {
		void *m = mmap(NULL, sizeof(struct slot) * RING_SLOTS, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			return CPROF_RECORD_ENOMEM;
		ring = m;
		for (size_t i = 0; i < RING_SLOTS; i++)
			atomic_store(&ring[i].seq, i);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(cpu_sig, &sa, NULL))
		return CPROF_RECORD_EINVAL;
	handler_installed = true;
	return 0;
}

REC_EXPORT int cprof_record_set_cpu_rate(int hz)
{
	if (hz <= 0 || hz > 10000)
		return CPROF_RECORD_EINVAL;
	rec_lock(&ctl_lock);
	cpu_hz = hz;
	rec_unlock(&ctl_lock);
	return 0;
}

REC_EXPORT int cprof_record_cpu_start(int fd)
{
	int ret = 0;

	if (fd < 0)
		return CPROF_RECORD_EINVAL;
	rec_guard++;
	rec_lock(&ctl_lock);
	if (running) {
		ret = CPROF_RECORD_EBUSY;
		goto out;
	}
	if (rec_timer_signal > 0) {
		if (handler_installed && cpu_sig != rec_timer_signal) {
			ret = CPROF_RECORD_EINVAL;
			goto out;
		}
		cpu_sig = rec_timer_signal;
	}
	ret = install_handler();
	if (ret)
		goto out;
	rec_maps_snapshot();
	agg_clear();
	atomic_store(&lost, 0);
	ring_tail = atomic_load(&ring_head);
	out_fd = fd;
	start_ns = rec_now_ns();
	start_mono = rec_mono_ns();
	if (start_writer()) {
		ret = CPROF_RECORD_ENOMEM;
		goto out;
	}
	atomic_store(&accepting, true);
	use_itimer = false;
	if (arm_all_threads() <= 0) {
		struct itimerval it;

		it.it_interval.tv_sec = 0;
		it.it_interval.tv_usec = 1000000 / cpu_hz;
		it.it_value = it.it_interval;
		use_itimer = cpu_sig == SIGPROF && setitimer(ITIMER_PROF, &it, NULL) == 0;
		if (!use_itimer) {
			atomic_store(&accepting, false);
			atomic_store(&writer_stop, true);
			sem_post(&writer_wake);
			pthread_join(writer, NULL);
			ret = CPROF_RECORD_ETIMER;
			goto out;
		}
	}
	running = true;
out:
	rec_unlock(&ctl_lock);
	rec_guard--;
	return ret;
}

static void disarm_all(void)
{
	while (ntimers)
		disarm_at(ntimers - 1);
	if (use_itimer) {
		struct itimerval zero;

		memset(&zero, 0, sizeof(zero));
		setitimer(ITIMER_PROF, &zero, NULL);
	}
}

static int write_cpu(int fd, int64_t duration)
{
	struct pb *b = pb_new(PB_LEAF_EXACT);
	int64_t period = 1000000000LL / cpu_hz;
	char comment[96];
	long long nlost;
	int ret = 0;

	if (!b)
		return CPROF_RECORD_ENOMEM;
	pb_sample_type(b, "samples", "count");
	pb_sample_type(b, "cpu", "nanoseconds");
	pb_period(b, "cpu", "nanoseconds", period);
	pb_times(b, start_ns, duration);
	snprintf(comment, sizeof(comment), "cprof record: cpu %d Hz, %s timers, %s unwinding",
		 cpu_hz, use_itimer ? "process" : "per-thread",
		 getenv("CPROF_UNWIND") && !strcmp(getenv("CPROF_UNWIND"), "fp") ? "fp" : "libgcc");
	pb_comment(b, comment);
	for (size_t i = 0; i < agg_cap && !ret; i++) {
		int64_t v[2];

		if (!agg[i].hash)
			continue;
		v[0] = agg[i].count;
		v[1] = agg[i].count * period;
		ret = pb_sample(b, agg[i].pcs, agg[i].n, v, NULL, 0, NULL);
	}
	nlost = atomic_load(&lost);
	if (!ret && nlost > 0) {
		int64_t v[2] = { nlost, nlost * period };

		ret = pb_sample_named(b, "cprof_lost_samples", v);
	}
	if (!ret)
		ret = pb_write(b, fd);
	pb_free(b);
	return ret;
}

REC_EXPORT int cprof_record_cpu_stop(void)
{
	int ret;

	rec_guard++;
	rec_lock(&ctl_lock);
	if (!running) {
		rec_unlock(&ctl_lock);
		rec_guard--;
		return CPROF_RECORD_ENOTRUN;
	}
	atomic_store(&accepting, false);
	disarm_all();
	running = false;
	rec_unlock(&ctl_lock);
	while (atomic_load(&inflight) > 0)
		sched_yield();
	atomic_store(&writer_stop, true);
	sem_post(&writer_wake);
	pthread_join(writer, NULL);
	writer_tid = 0;
	drain();
	ret = write_cpu(out_fd, rec_mono_ns() - start_mono);
	agg_clear();
	rec_guard--;
	return ret;
}

bool rec_cpu_running(void)
{
	return running;
}

void rec_cpu_thread_start(void)
{
	if (!running)
		return;
	rec_guard++;
	rec_lock(&ctl_lock);
	if (running && !use_itimer)
		arm_thread(rec_gettid());
	rec_unlock(&ctl_lock);
	rec_guard--;
}

void rec_cpu_thread_exit(void)
{
	pid_t tid;

	if (!running)
		return;
	tid = rec_gettid();
	rec_guard++;
	rec_lock(&ctl_lock);
	for (size_t i = 0; i < ntimers; i++)
		if (timers[i].tid == tid) {
			disarm_at(i);
			break;
		}
	rec_unlock(&ctl_lock);
	rec_guard--;
}

/*
 * fork: block the signal in the forking thread so clone() is not restarted
 * forever, and hold ctl_lock so the child never sees it half-updated.
 */
static sigset_t fork_oldmask;

void rec_cpu_atfork_prepare(void)
{
	sigset_t s;

	if (!handler_installed)
		return;
	sigemptyset(&s);
	sigaddset(&s, cpu_sig);
	pthread_sigmask(SIG_BLOCK, &s, &fork_oldmask);
	rec_lock(&ctl_lock);
}

void rec_cpu_atfork_parent(void)
{
	if (!handler_installed)
		return;
	rec_unlock(&ctl_lock);
	pthread_sigmask(SIG_SETMASK, &fork_oldmask, NULL);
}

void rec_cpu_atfork_child(void)
{
	if (!handler_installed)
		return;
	/* Timers and the writer thread do not survive fork: profiling is off here. */
	atomic_store(&accepting, false);
	if (use_itimer) {
		struct itimerval zero;

		memset(&zero, 0, sizeof(zero));
		setitimer(ITIMER_PROF, &zero, NULL);
	}
	running = false;
	ntimers = 0;
	agg = NULL;
	agg_n = agg_cap = 0;
	atomic_store(&inflight, 0);
	ctl_lock.v = 0;
	pthread_sigmask(SIG_SETMASK, &fork_oldmask, NULL);
}
