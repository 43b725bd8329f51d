/*
 * cpu_shares.c - three threads burn CPU in the proportions 60/30/10.
 *
 *   cpu_shares [SECONDS]   (total CPU seconds, default 3)
 *
 * Each thread spins until its own CPU clock has advanced by its share, so
 * the proportions hold however loaded the machine is.  Prints the process
 * CPU time (user+sys, from getrusage) in nanoseconds on stdout.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static volatile double sink;

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Distinct constants, so the compiler cannot fold the three into one. */
#define BURN(name, k)                                           \
	__attribute__((noinline)) static void name(double secs) \
	{                                                       \
		double t0 = thread_cpu();                       \
		while (thread_cpu() - t0 < secs)                \
			for (int i = 0; i < 100000; i++)        \
				sink += i * k;                  \
	}

BURN(burn_sixty, 0.5)
BURN(burn_thirty, 0.25)
BURN(burn_ten, 0.125)

static double total = 3.0;

static void *run(void *arg)
{
	int which = (int)(long)arg;

	if (which == 0)
		burn_sixty(total * 0.6);
	else if (which == 1)
		burn_thirty(total * 0.3);
	else
		burn_ten(total * 0.1);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[3];
	struct rusage ru;

	if (argc > 1)
		total = atof(argv[1]);
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, run, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("%lld\n", (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
				 (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL);
	return 0;
}
