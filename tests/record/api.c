/*
 * api.c - libcprof linked into a program and driven through its API.
 *
 *   api DIR        write DIR/cpu.pb.gz, DIR/custom.pb.gz, DIR/custom.txt (debug=1),
 *                  DIR/heap.pb.gz, DIR/heap.txt, DIR/block.txt, DIR/mutex.txt, DIR/threads.txt
 *   api sigprof    the program owns SIGPROF: starting must fail, not steal it
 *   api sigalt DIR the program owns SIGPROF, CPROF_TIMER_SIGNAL names another:
 *                  profiling works and the program's handler is untouched
 *
 * Prints one line per failed expectation and exits 1 if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "record/cprof_record.h"

static int failed;
static volatile double sink;
static atomic_int go;

#define EXPECT(cond)                                                          \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failed = 1;                                           \
		}                                                             \
	} while (0)

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void burn_pre(double s)
{
	double t0 = thread_cpu();

	while (thread_cpu() - t0 < s)
		for (int i = 0; i < 100000; i++)
			sink += i * 0.5;
}

__attribute__((noinline)) static void burn_main(double s)
{
	double t0 = thread_cpu();

	while (thread_cpu() - t0 < s)
		for (int i = 0; i < 100000; i++)
			sink += i * 0.25;
}

/* Created before profiling starts: its timer comes from /proc/self/task. */
static void *pre_thread(void *arg)
{
	while (!atomic_load(&go))
		usleep(1000);
	burn_pre(0.6);
	return NULL;
}

static int open_out(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

static int keys[4];

/* The empty asm after each call keeps it from becoming a tail call. */
__attribute__((noinline)) static int open_a(struct cprof_record_profile *p, int i)
{
	int r = cprof_record_add(p, &keys[i], 0);

	__asm__ volatile("" ::: "memory");
	return r;
}

__attribute__((noinline)) static int open_b(struct cprof_record_profile *p)
{
	int r = cprof_record_add(p, &keys[3], 0);

	__asm__ volatile("" ::: "memory");
	return r;
}

__attribute__((noinline)) static void *api_alloc(size_t n)
{
	void *p = malloc(n);

	__asm__ volatile("" ::: "memory");
	return p;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void api_lock(void)
{
	pthread_mutex_lock(&mu);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void api_unlock(void)
{
	pthread_mutex_unlock(&mu);
	__asm__ volatile("" ::: "memory");
}

static void *locker(void *arg)
{
	for (int i = 0; i < 10; i++) {
		api_lock();
		usleep(1000);
		api_unlock();
	}
	return NULL;
}

static void contend(void)
{
	pthread_t t[3];

	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, locker, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
}

static void on_prof(int sig)
{
}

int main(int argc, char **argv)
{
	struct cprof_record_profile *p, *heap;
	void *blocks[100];
	pthread_t t;
	int fd;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "sigprof")) {
		signal(SIGPROF, on_prof);
		EXPECT(cprof_record_cpu_start(1) == CPROF_RECORD_ESIGNAL);
		EXPECT(strstr(cprof_record_errmsg(CPROF_RECORD_ESIGNAL), "SIGPROF") ||
		       strstr(cprof_record_errmsg(CPROF_RECORD_ESIGNAL), "signal"));
		return failed;
	}
	if (!strcmp(argv[1], "sigalt") && argc > 2) {
		struct sigaction sa;

		signal(SIGPROF, on_prof);
		fd = open_out(argv[2], "alt.pb.gz");
		EXPECT(cprof_record_cpu_start(fd) == 0);
		burn_main(0.3);
		EXPECT(cprof_record_cpu_stop() == 0);
		sigaction(SIGPROF, NULL, &sa);
		EXPECT(sa.sa_handler == on_prof);
		return failed;
	}

	/* errors */
	EXPECT(cprof_record_set_cpu_rate(0) == CPROF_RECORD_EINVAL);
	EXPECT(cprof_record_cpu_stop() == CPROF_RECORD_ENOTRUN);
	EXPECT(cprof_record_cpu_start(-1) == CPROF_RECORD_EINVAL);
	for (int e = 0; e >= -10; e--)
		EXPECT(cprof_record_errmsg(e) && *cprof_record_errmsg(e));

	/* CPU: one thread from before the start, the main thread after */
	pthread_create(&t, NULL, pre_thread, NULL);
	usleep(20000);
	fd = open_out(argv[1], "cpu.pb.gz");
	EXPECT(fd >= 0);
	EXPECT(cprof_record_set_cpu_rate(200) == 0);
	EXPECT(cprof_record_cpu_start(fd) == 0);
	EXPECT(cprof_record_cpu_start(fd) == CPROF_RECORD_EBUSY);
	atomic_store(&go, 1);
	burn_main(0.6);
	pthread_join(t, NULL);
	EXPECT(cprof_record_cpu_stop() == 0);
	close(fd);

	/* custom profile: Go's NewProfile/Add/Remove semantics */
	EXPECT(cprof_record_new_profile("bad name") == NULL);
	EXPECT(cprof_record_new_profile("") == NULL);
	p = cprof_record_new_profile("example.com/openfiles");
	EXPECT(p != NULL);
	EXPECT(cprof_record_new_profile("example.com/openfiles") == NULL);
	EXPECT(cprof_record_lookup("example.com/openfiles") == p);
	EXPECT(!strcmp(cprof_record_name(p), "example.com/openfiles"));
	EXPECT(open_a(p, 0) == 0);
	EXPECT(open_a(p, 1) == 0);
	EXPECT(open_a(p, 2) == 0);
	EXPECT(open_a(p, 2) == CPROF_RECORD_EEXIST);
	EXPECT(open_b(p) == 0);
	cprof_record_remove(p, &keys[2]);
	cprof_record_remove(p, &keys[2]); /* absent: no-op */
	EXPECT(cprof_record_count(p) == 3);
	fd = open_out(argv[1], "custom.pb.gz");
	EXPECT(cprof_record_write(p, fd, 0) == 0);
	close(fd);
	fd = open_out(argv[1], "custom.txt");
	EXPECT(cprof_record_write(p, fd, 1) == 0);
	close(fd);
	EXPECT(cprof_record_write(p, 1, 2) == CPROF_RECORD_EINVAL);

	/* block and mutex through the API */
	EXPECT(cprof_record_set_mutex_fraction(-1) == 0);
	EXPECT(cprof_record_set_mutex_fraction(1) == 0);
	EXPECT(cprof_record_set_mutex_fraction(-1) == 1);
	cprof_record_set_block_rate(1);
	contend();
	cprof_record_set_block_rate(0);
	cprof_record_set_mutex_fraction(0);
	EXPECT(cprof_record_count(cprof_record_lookup("block")) > 0);
	EXPECT(cprof_record_count(cprof_record_lookup("mutex")) > 0);
	fd = open_out(argv[1], "block.txt");
	EXPECT(cprof_record_write(cprof_record_lookup("block"), fd, 1) == 0);
	close(fd);
	fd = open_out(argv[1], "mutex.txt");
	EXPECT(cprof_record_write(cprof_record_lookup("mutex"), fd, 1) == 0);
	close(fd);
	fd = open_out(argv[1], "mutex.pb.gz");
	EXPECT(cprof_record_write(cprof_record_lookup("mutex"), fd, 0) == 0);
	close(fd);
	fd = open_out(argv[1], "threads.txt");
	EXPECT(cprof_record_count(cprof_record_lookup("threads")) >= 1);
	EXPECT(cprof_record_write(cprof_record_lookup("threads"), fd, 1) == 0);
	close(fd);

	/* heap through the API, every allocation recorded */
	heap = cprof_record_lookup("heap");
	EXPECT(heap != NULL);
	EXPECT(cprof_record_add(heap, &keys[0], 0) == CPROF_RECORD_EBUILTIN);
	cprof_record_set_mem_rate(1);
	for (int i = 0; i < 100; i++)
		blocks[i] = api_alloc(1000);
	for (int i = 0; i < 50; i++)
		free(blocks[i]);
	fd = open_out(argv[1], "heap.pb.gz");
	EXPECT(cprof_record_write(heap, fd, 0) == 0);
	close(fd);
	fd = open_out(argv[1], "heap.txt");
	EXPECT(cprof_record_write(heap, fd, 1) == 0);
	close(fd);
	for (int i = 50; i < 100; i++)
		free(blocks[i]);
	return failed;
}
