/*
 * bench_work.c - fixed amounts of work for the overhead benchmark
 * (bench/record.sh).  Prints the process CPU time (user+sys) in ns.
 *
 *   bench_work cpu N      N units of CPU-bound work in 2 threads
 *   bench_work malloc N   N units of malloc/free churn (sizes 16..256) in 2 threads
 *   bench_work bigmalloc N  the same with sizes 16..4096 (8x the bytes per call)
 *   bench_work tree N     N rounds of: build a search tree of 1000 string keys
 *                         (node + key allocated), look each up, free it all
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static long units;
static volatile unsigned long sink;

__attribute__((noinline)) static unsigned long mix(unsigned long x)
{
	for (int i = 0; i < 1000; i++)
		x = (x ^ (x >> 13)) * 0x9e3779b97f4a7c15ul + (unsigned long)i;
	return x;
}

static void *cpu(void *arg)
{
	unsigned long x = (unsigned long)(long)arg;

	for (long u = 0; u < units; u++)
		for (int k = 0; k < 100; k++)
			x = mix(x);
	sink += x;
	return NULL;
}

static unsigned size_mod = 241;

static void *churn(void *arg)
{
	void *slots[256] = { 0 };
	unsigned x = (unsigned)(long)arg + 1;

	for (long u = 0; u < units; u++)
		for (int k = 0; k < 1000; k++) {
			int s;

			x = x * 1103515245u + 12345u;
			s = (int)((x >> 16) & 255);
			free(slots[s]);
			slots[s] = malloc(16 + (x >> 8) % size_mod);
			if (slots[s])
				((char *)slots[s])[0] = 1;
		}
	for (int s = 0; s < 256; s++)
		free(slots[s]);
	return NULL;
}

struct node {
	struct node *l, *r;
	char *key;
	long val;
};

static struct node *insert(struct node *t, char *key, long val)
{
	struct node **p = &t, *n;

	while (*p) {
		int c = strcmp(key, (*p)->key);

		if (c == 0) {
			free(key);
			return t;
		}
		p = c < 0 ? &(*p)->l : &(*p)->r;
	}
	n = malloc(sizeof(*n));
	n->l = n->r = NULL;
	n->key = key;
	n->val = val;
	*p = n;
	return t;
}

static long find(struct node *t, const char *key)
{
	while (t) {
		int c = strcmp(key, t->key);

		if (c == 0)
			return t->val;
		t = c < 0 ? t->l : t->r;
	}
	return -1;
}

static void destroy(struct node *t)
{
	if (!t)
		return;
	destroy(t->l);
	destroy(t->r);
	free(t->key);
	free(t);
}

static void *tree(void *arg)
{
	unsigned x = (unsigned)(long)arg + 7;
	char buf[64];

	for (long u = 0; u < units; u++) {
		struct node *t = NULL;
		long sum = 0;

		for (int i = 0; i < 1000; i++) {
			x = x * 1103515245u + 12345u;
			snprintf(buf, sizeof(buf), "key-%u-%d", x >> 8, i);
			t = insert(t, strdup(buf), i);
		}
		for (int i = 0; i < 1000; i += 3) {
			snprintf(buf, sizeof(buf), "key-%d", i);
			sum += find(t, buf);
		}
		sink += (unsigned long)sum;
		destroy(t);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	void *(*fn)(void *) = argc > 1 && strstr(argv[1], "malloc") ? churn : cpu;
	pthread_t t[2];
	struct rusage ru;

	units = argc > 2 ? atol(argv[2]) : 1000;
	if (argc > 1 && !strcmp(argv[1], "tree"))
		fn = tree;
	if (argc > 1 && !strcmp(argv[1], "bigmalloc"))
		size_mod = 4081;
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, fn, (void *)(i + 1));
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("%lld\n", (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
				 (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL);
	return 0;
}
