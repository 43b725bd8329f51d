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
 * program's own SIGALRM/SIGUSR1 handlers and sigwaitinfo), all (a mix).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>

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

static void *w_all(void *arg)
{
	long i = (long)arg;
	void *(*w[])(void *) = { w_malloc, w_throw, w_threads, w_block, w_dlopen, w_signals };

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
	else
		return 2;
	signal(SIGUSR1, on_signal);
	signal(SIGALRM, on_signal);
	t = calloc((size_t)n, sizeof(*t));
	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, fn, (void *)i);
	end = now() + seconds;
	while (now() < end) {
		struct timespec ts = { 0, 10000000 }, rem;

		while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
			ts = rem;
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	printf("%s %d threads: done\n", name, n);
	return 0;
}
