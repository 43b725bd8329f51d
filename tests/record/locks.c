/*
 * locks.c - contention and parked threads at known call sites.
 *
 *   locks contend   4 threads take one mutex in contend_site() (the waiters'
 *                   call site) while each holds it ~1 ms and releases it in
 *                   release_site(); one thread also waits on a condition
 *                   variable in cond_site() and one on a semaphore in
 *                   sem_site(), both released after the first 10 rounds.
 *   locks park      3 threads park in park_sleep() (nanosleep), park_read()
 *                   (read on a pipe) and park_cond() (pthread_cond_wait),
 *                   and the program exits while they are parked.
 *   locks flush S   burn CPU and allocate for S seconds (then wait to be killed)
 *
 * Prints a deterministic line, so output can be compared with an
 * unprofiled run.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t sem;
static long counter;
static int released;
static atomic_int parked;
static volatile double sink;

static void spin_us(long us)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 1000; i++)
			sink += i * 0.5;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

/* The empty asm after each call keeps it from becoming a tail call. */
__attribute__((noinline)) static void contend_site(void)
{
	pthread_mutex_lock(&mu);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void release_site(void)
{
	pthread_mutex_unlock(&mu);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void cond_site(void)
{
	pthread_mutex_lock(&cmu);
	while (!released)
		pthread_cond_wait(&cond, &cmu);
	pthread_mutex_unlock(&cmu);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void sem_site(void)
{
	while (sem_wait(&sem) < 0 && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory");
}

static void *contender(void *arg)
{
	for (int i = 0; i < 25; i++) {
		contend_site();
		if (++counter == 10) {
			pthread_mutex_lock(&cmu);
			released = 1;
			pthread_cond_broadcast(&cond);
			pthread_mutex_unlock(&cmu);
			sem_post(&sem);
		}
		spin_us(1000);
		release_site();
	}
	return NULL;
}

static void *cond_waiter(void *arg)
{
	cond_site();
	return NULL;
}

static void *sem_waiter(void *arg)
{
	sem_site();
	return NULL;
}

static int contend(void)
{
	pthread_t t[4], c, s;

	sem_init(&sem, 0, 0);
	pthread_create(&c, NULL, cond_waiter, NULL);
	pthread_create(&s, NULL, sem_waiter, NULL);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, contender, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	pthread_join(c, NULL);
	pthread_join(s, NULL);
	printf("counter %ld\n", counter);
	return 0;
}

__attribute__((noinline)) static void park_sleep(void)
{
	struct timespec ts = { 100, 0 };

	atomic_fetch_add(&parked, 1);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory");
}

static int fds[2];

__attribute__((noinline)) static void park_read(void)
{
	char c;

	atomic_fetch_add(&parked, 1);
	while (read(fds[0], &c, 1) < 0 && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void park_cond(void)
{
	pthread_mutex_lock(&cmu);
	atomic_fetch_add(&parked, 1);
	while (counter >= 0)
		pthread_cond_wait(&cond, &cmu);
	pthread_mutex_unlock(&cmu);
	__asm__ volatile("" ::: "memory");
}

static void *parker(void *arg)
{
	long which = (long)arg;

	if (which == 0)
		park_sleep();
	else if (which == 1)
		park_read();
	else
		park_cond();
	return NULL;
}

static int park(void)
{
	pthread_t t;

	if (pipe(fds))
		return 1;
	for (long i = 0; i < 3; i++)
		pthread_create(&t, NULL, parker, (void *)i);
	while (atomic_load(&parked) < 3)
		usleep(1000);
	usleep(50000); /* let them reach their blocking calls */
	printf("parked %d\n", atomic_load(&parked));
	fflush(stdout);
	exit(0);
}

__attribute__((noinline)) static void flush_burn(double secs)
{
	struct timespec t0, t;
	void *keep[256] = { 0 };
	unsigned i = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		spin_us(1000);
		free(keep[i % 256]);
		keep[i % 256] = malloc(4096 + i % 1000);
		i++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	printf("burnt\n");
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "contend"))
		return contend();
	if (argc > 1 && !strcmp(argv[1], "park"))
		return park();
	if (argc > 2 && !strcmp(argv[1], "flush"))
		flush_burn(atof(argv[2]));
	return 2;
}
