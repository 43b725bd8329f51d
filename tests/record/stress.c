/*
 * stress.c - workloads that break careless in-process profilers
 * (reliability.md D1), each bounded in time so a deadlock shows as a timeout.
 *
 *   stress WORKLOAD THREADS SECONDS
 *
 * WORKLOAD: malloc (churn), throw (unwinding through libgcc in every
 * thread, via _Unwind_RaiseException-like forced unwinds), dlopen, threads
 * (create/exit churn), fork (fork + exit in the child), exec (fork + exec
 * /bin/sh), block (blocking calls with EINTR retry), signals (the
 * program's own SIGALRM/SIGUSR1 handlers and sigwaitinfo), all (a mix),
 * spawn (posix_spawn and vfork+exec), smallstack (threads with 64 KiB
 * stacks), detach (detached and cancelled threads), locks (mutex, rwlock,
 * condition variable and semaphore churn, and forks), startstop (CPU profiling
 * started and stopped in a loop through the API, when libcprof is
 * preloaded), snapshot (threads profiles taken in a loop while the other
 * threads make blocking calls), exit (exit() while every thread allocates
 * and is being sampled).
 * Output is deterministic (counts that do not depend on timing), so it can
 * be compared with an unprofiled run.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>
#include <semaphore.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>

extern char **environ;

static double seconds = 2;
static atomic_int stop;
static volatile double sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void burn(int n)
{
	for (int i = 0; i < n; i++)
		sink += i * 0.5;
}

static void *w_malloc(void *arg)
{
	void *keep[64] = { 0 };
	unsigned x = (unsigned)(long)arg * 2654435761u + 1;

	while (!atomic_load(&stop)) {
		for (int i = 0; i < 1000; i++) {
			int k;

			x = x * 1103515245 + 12345;
			k = (int)(x >> 16) % 64;
			free(keep[k]);
			keep[k] = (x & 1) ? malloc((x >> 8) % 4096 + 1) : calloc(1, (x >> 12) % 512 + 1);
			if (x % 7 == 0)
				keep[k] = realloc(keep[k], (x >> 4) % 8192 + 1);
		}
	}
	for (int k = 0; k < 64; k++)
		free(keep[k]);
	return NULL;
}

/* Stack walks by the program itself (backtrace takes libgcc's paths too). */
static _Unwind_Reason_Code count_frame(struct _Unwind_Context *c, void *arg)
{
	(*(int *)arg)++;
	return _URC_NO_REASON;
}

__attribute__((noinline)) static int deep(int d)
{
	int n = 0;
	void *bt[64];

	if (d > 0) {
		int r = deep(d - 1);

		__asm__ volatile("" ::: "memory");
		return r;
	}
	_Unwind_Backtrace(count_frame, &n);
	return n + backtrace(bt, 64) * 0;
}

static void *w_throw(void *arg)
{
	while (!atomic_load(&stop))
		for (int i = 0; i < 100; i++)
			deep(20);
	return NULL;
}

static void *w_dlopen(void *arg)
{
	while (!atomic_load(&stop)) {
		void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);

		if (h) {
			void *f = dlsym(h, "zlibVersion");

			if (f)
				((const char *(*)(void))f)();
			dlclose(h);
		}
		burn(1000);
	}
	return NULL;
}

static void *short_thread(void *arg)
{
	burn(2000);
	return NULL;
}

static void *w_threads(void *arg)
{
	while (!atomic_load(&stop)) {
		pthread_t t;

		if (pthread_create(&t, NULL, short_thread, NULL) == 0)
			pthread_join(t, NULL);
	}
	return NULL;
}

static void *w_fork(void *arg)
{
	while (!atomic_load(&stop)) {
		pid_t p = fork();
		int st;

		if (p == 0) {
			void *m = malloc(100);

			free(m);
			exit(0);
		}
		if (p > 0)
			while (waitpid(p, &st, 0) < 0 && errno == EINTR)
				;
		burn(10000);
	}
	return NULL;
}

static void *w_exec(void *arg)
{
	while (!atomic_load(&stop)) {
		pid_t p = fork();
		int st = 0;

		if (p == 0) {
			execl("/bin/sh", "sh", "-c", "i=0; while [ $i -lt 200 ]; do i=$((i+1)); done", (char *)NULL);
			_exit(127);
		}
		if (p > 0) {
			while (waitpid(p, &st, 0) < 0 && errno == EINTR)
				;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "exec child failed: status %d\n", st);
				exit(3);
			}
		}
	}
	return NULL;
}

static void *w_block(void *arg)
{
	int fds[2];

	if (pipe(fds))
		return NULL;
	while (!atomic_load(&stop)) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		struct timespec ts = { 0, 1000000 }, rem;
		char c = 'x';
		ssize_t r;

		while (poll(&pfd, 1, 1) < 0 && errno == EINTR)
			;
		while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
			ts = rem;
		while ((r = write(fds[1], &c, 1)) < 0 && errno == EINTR)
			;
		while ((r = read(fds[0], &c, 1)) < 0 && errno == EINTR)
			;
		burn(5000);
	}
	close(fds[0]);
	close(fds[1]);
	return NULL;
}

static atomic_long alarms;

static void on_signal(int sig)
{
	atomic_fetch_add(&alarms, 1);
}

static void *w_signals(void *arg)
{
	while (!atomic_load(&stop)) {
		kill(getpid(), SIGUSR1);
		burn(20000);
	}
	return NULL;
}

static void *w_spawn(void *arg)
{
	char *const argv[] = { "true", NULL };

	while (!atomic_load(&stop)) {
		pid_t p;
		int st = 0;

		if (posix_spawn(&p, "/bin/true", NULL, NULL, argv, environ) == 0)
			while (waitpid(p, &st, 0) < 0 && errno == EINTR)
				;
		p = vfork();
		if (p == 0) {
			execve("/bin/true", argv, environ);
			_exit(127);
		}
		if (p > 0)
			while (waitpid(p, &st, 0) < 0 && errno == EINTR)
				;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "spawned child failed: status %d\n", st);
			exit(3);
		}
	}
	return NULL;
}

__attribute__((noinline)) static int recurse(int d)
{
	volatile char pad[512];
	void *m;
	int r;

	pad[0] = (char)d;
	if (d == 0)
		return pad[0];
	m = malloc(64);
	r = recurse(d - 1) + pad[0];
	free(m);
	return r;
}

static void *small_body(void *arg)
{
	burn(2000);
	return (void *)(long)recurse(40);
}

static void *w_smallstack(void *arg)
{
	pthread_attr_t a;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	while (!atomic_load(&stop)) {
		pthread_t t;

		if (pthread_create(&t, &a, small_body, NULL) == 0)
			pthread_join(t, NULL);
	}
	pthread_attr_destroy(&a);
	return NULL;
}

static void *sleeper(void *arg)
{
	for (;;) {
		burn(1000);
		usleep(100); /* a cancellation point */
	}
	return NULL;
}

static void *w_detach(void *arg)
{
	pthread_attr_t a;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	while (!atomic_load(&stop)) {
		pthread_t t;

		pthread_create(&t, &a, short_thread, NULL);
		if (pthread_create(&t, NULL, sleeper, NULL) == 0) {
			usleep(200);
			pthread_cancel(t);
			pthread_join(t, NULL);
		}
	}
	pthread_attr_destroy(&a);
	return NULL;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static sem_t sem;
static long shared;

static void *w_locks(void *arg)
{
	long i = (long)arg, round = 0;

	while (!atomic_load(&stop)) {
		struct timespec ts;

		/*
		 * Thread 0 forks now and then, while the others contend.  The
		 * child locks a mutex of its own (mu may have been copied
		 * locked): only libcprof's state must be usable there.
		 */
		if (i == 0 && ++round % 50 == 0) {
			pid_t p = fork();
			int st = 0;

			if (p == 0) {
				pthread_mutex_t own = PTHREAD_MUTEX_INITIALIZER;

				pthread_mutex_lock(&own);
				free(malloc(100));
				pthread_mutex_unlock(&own);
				_exit(0);
			}
			if (p > 0)
				while (waitpid(p, &st, 0) < 0 && errno == EINTR)
					;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "locks: forked child failed: status %d\n", st);
				exit(3);
			}
		}
		pthread_mutex_lock(&mu);
		shared++;
		burn(200);
		pthread_mutex_unlock(&mu);
		if (i % 2) {
			pthread_rwlock_wrlock(&rw);
			burn(100);
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			burn(100);
			pthread_rwlock_unlock(&rw);
		}
		sem_post(&sem);
		while (sem_wait(&sem) < 0 && errno == EINTR)
			;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&cmu);
		pthread_cond_broadcast(&cond);
		pthread_cond_timedwait(&cond, &cmu, &ts);
		pthread_mutex_unlock(&cmu);
	}
	return NULL;
}

/* libcprof's API, when it is preloaded (looked up, so the program runs without it). */
struct api {
	int (*cpu_start)(int fd);
	int (*cpu_stop)(void);
	int (*set_rate)(int hz);
	void *(*lookup)(const char *name);
	int (*write)(void *p, int fd, int debug);
};

static bool api_get(struct api *a)
{
	a->cpu_start = (int (*)(int))dlsym(RTLD_DEFAULT, "cprof_record_cpu_start");
	a->cpu_stop = (int (*)(void))dlsym(RTLD_DEFAULT, "cprof_record_cpu_stop");
	a->set_rate = (int (*)(int))dlsym(RTLD_DEFAULT, "cprof_record_set_cpu_rate");
	a->lookup = (void *(*)(const char *))dlsym(RTLD_DEFAULT, "cprof_record_lookup");
	a->write = (int (*)(void *, int, int))dlsym(RTLD_DEFAULT, "cprof_record_write");
	return a->cpu_start && a->cpu_stop && a->set_rate && a->lookup && a->write;
}

static void *w_startstop(void *arg)
{
	struct api a;
	int fd = open("/dev/null", O_WRONLY), i, started = 0;

	if ((long)arg != 0 || !api_get(&a) || fd < 0)
		return w_malloc(arg);
	a.set_rate(1000);
	for (i = 0; i < 1000 && !atomic_load(&stop); i++) {
		int r = a.cpu_start(fd);

		burn(20000);
		if (r == 0 && a.cpu_stop() != 0) {
			fprintf(stderr, "cpu_stop failed\n");
			exit(3);
		}
		started += r == 0;
	}
	if (getenv("STRESS_VERBOSE"))
		fprintf(stderr, "startstop: %d starts in %d rounds\n", started, i);
	close(fd);
	return NULL;
}

static void *w_snapshot(void *arg)
{
	struct api a;
	int fd = open("/dev/null", O_WRONLY), snaps = 0;

	if ((long)arg != 0 || !api_get(&a) || fd < 0)
		return (long)arg % 2 ? w_block(arg) : w_threads(arg);
	while (!atomic_load(&stop)) {
		struct timespec ts = { 0, 5000000 };

		if (a.write(a.lookup("threads"), fd, 0) != 0) {
			fprintf(stderr, "threads snapshot failed\n");
			exit(3);
		}
		snaps++;
		nanosleep(&ts, NULL);
	}
	if (getenv("STRESS_VERBOSE"))
		fprintf(stderr, "snapshot: %d threads profiles\n", snaps);
	close(fd);
	return NULL;
}

/* More blocking calls, all retried on EINTR as POSIX asks. */
static void *w_block2(void *arg)
{
	int sv[2], ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	struct timeval tv = { 0, 1000 };
	sem_t s;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || ep < 0)
		return NULL;
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ev.data.fd = sv[0];
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
	sem_init(&s, 0, 0);
	while (!atomic_load(&stop)) {
		struct timespec abs;
		struct epoll_event out;
		fd_set rd;
		struct timeval t2 = { 0, 500 };
		char c = 'y';
		int r;

		while ((r = epoll_wait(ep, &out, 1, 1)) < 0 && errno == EINTR)
			;
		FD_ZERO(&rd);
		FD_SET(sv[0], &rd);
		while ((r = select(sv[0] + 1, &rd, NULL, NULL, &t2)) < 0 && errno == EINTR)
			;
		while ((r = (int)send(sv[1], &c, 1, 0)) < 0 && errno == EINTR)
			;
		while ((r = (int)recv(sv[0], &c, 1, 0)) < 0 && errno == EINTR)
			;
		if (r != 1 || c != 'y') {
			fprintf(stderr, "recv: %d\n", r);
			exit(3);
		}
		clock_gettime(CLOCK_REALTIME, &abs);
		abs.tv_nsec += 200000;
		if (abs.tv_nsec >= 1000000000) {
			abs.tv_sec++;
			abs.tv_nsec -= 1000000000;
		}
		while (sem_timedwait(&s, &abs) < 0 && errno == EINTR)
			;
		burn(2000);
	}
	close(sv[0]);
	close(sv[1]);
	close(ep);
	return NULL;
}

static void *w_all(void *arg)
{
	long i = (long)arg;
	void *(*w[])(void *) = { w_malloc, w_throw,  w_threads, w_block,
				 w_dlopen, w_signals, w_locks,	 w_block2 };

	return w[i % (long)(sizeof(w) / sizeof(w[0]))](arg);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "all";
	int n = argc > 2 ? atoi(argv[2]) : 4;
	void *(*fn)(void *);
	pthread_t *t;
	double end;

	if (argc > 3)
		seconds = atof(argv[3]);
	if (!strcmp(name, "malloc"))
		fn = w_malloc;
	else if (!strcmp(name, "throw"))
		fn = w_throw;
	else if (!strcmp(name, "dlopen"))
		fn = w_dlopen;
	else if (!strcmp(name, "threads"))
		fn = w_threads;
	else if (!strcmp(name, "fork"))
		fn = w_fork;
	else if (!strcmp(name, "exec"))
		fn = w_exec;
	else if (!strcmp(name, "block"))
		fn = w_block;
	else if (!strcmp(name, "signals"))
		fn = w_signals;
	else if (!strcmp(name, "all"))
		fn = w_all;
	else if (!strcmp(name, "spawn"))
		fn = w_spawn;
	else if (!strcmp(name, "smallstack"))
		fn = w_smallstack;
	else if (!strcmp(name, "detach"))
		fn = w_detach;
	else if (!strcmp(name, "locks"))
		fn = w_locks;
	else if (!strcmp(name, "startstop"))
		fn = w_startstop;
	else if (!strcmp(name, "snapshot"))
		fn = w_snapshot;
	else if (!strcmp(name, "block2"))
		fn = w_block2;
	else if (!strcmp(name, "exit"))
		fn = w_malloc;
	else
		return 2;
	signal(SIGUSR1, on_signal);
	signal(SIGALRM, on_signal);
	sem_init(&sem, 0, 0);
	t = calloc((size_t)n, sizeof(*t));
	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, fn, (void *)i);
	end = now() + seconds;
	while (now() < end) {
		struct timespec ts = { 0, 10000000 }, rem;

		while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
			ts = rem;
	}
	if (!strcmp(name, "exit")) {
		/* Leave while every thread still allocates and is sampled. */
		printf("%s %d threads: done\n", name, n);
		exit(0);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	printf("%s %d threads: done\n", name, n);
	return 0;
}
