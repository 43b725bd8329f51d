/*
 * demo.c - a small program worth profiling, for `make demo`.
 *
 * It makes a pseudo-random text, counts its words in a hash table, sorts
 * the counts with qsort and prints the ten most frequent words.  Time goes
 * to generating, hashing and sorting (through libc's qsort, which has no
 * frame pointers: the recorder unwinds through it anyway), and memory to
 * the text, the table and the word copies.
 *
 *   cprof record -cpu cpu.pb.gz -heap heap.pb.gz -- ./demo [MILLION_WORDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *word;
	long count;
	struct entry *next;
};

static const char *const syllables[] = { "ka", "lo", "mi", "ne", "su", "ta", "ri", "po" };

static unsigned long rng = 88172645463325252ul;

static unsigned long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Words of 1-4 syllables, Zipf-like: short ones are far more common. */
static char *make_text(long words, size_t *len)
{
	size_t cap = (size_t)words * 9 + 1, n = 0;
	char *text = malloc(cap);

	for (long w = 0; w < words; w++) {
		unsigned long r = next_rand();
		int syl = 1 + (int)(__builtin_ctzl(r | 8ul) % 4);

		for (int s = 0; s < syl; s++) {
			const char *p = syllables[(r >> (8 + 3 * s)) & 7];

			text[n++] = p[0];
			text[n++] = p[1];
		}
		text[n++] = ' ';
	}
	text[n] = 0;
	*len = n;
	return text;
}

static unsigned long hash(const char *s, size_t n)
{
	unsigned long h = 1469598103934665603ul;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ul;
	return h;
}

static struct entry **count_words(const char *text, size_t len, size_t nbuckets, long *distinct)
{
	struct entry **table = calloc(nbuckets, sizeof(*table));
	size_t i = 0;

	*distinct = 0;
	while (i < len) {
		size_t start = i, n;
		struct entry *e;
		unsigned long h;

		while (i < len && text[i] != ' ')
			i++;
		n = i - start;
		i++;
		h = hash(text + start, n) % nbuckets;
		for (e = table[h]; e; e = e->next)
			if (strlen(e->word) == n && !memcmp(e->word, text + start, n))
				break;
		if (!e) {
			e = malloc(sizeof(*e));
			e->word = strndup(text + start, n);
			e->count = 0;
			e->next = table[h];
			table[h] = e;
			(*distinct)++;
		}
		e->count++;
	}
	return table;
}

static int by_count(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a;
	const struct entry *y = *(const struct entry *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->word, y->word);
}

int main(int argc, char **argv)
{
	long millions = argc > 1 ? atol(argv[1]) : 30, distinct;
	size_t len, nbuckets = 1024, k = 0;
	struct entry **table, **all;
	char *text;

	for (int round = 0; round < 3; round++) {
		text = make_text(millions * 1000000 / 3, &len);
		table = count_words(text, len, nbuckets, &distinct);
		all = malloc((size_t)distinct * sizeof(*all));
		k = 0;
		for (size_t b = 0; b < nbuckets; b++)
			for (struct entry *e = table[b]; e; e = e->next)
				all[k++] = e;
		for (int s = 0; s < 200; s++)
			qsort(all, k, sizeof(*all), by_count);
		if (round == 2)
			for (size_t j = 0; j < 10 && j < k; j++)
				printf("%-10s %ld\n", all[j]->word, all[j]->count);
		for (size_t j = 0; j < k; j++) {
			free(all[j]->word);
			free(all[j]);
		}
		free(all);
		free(table);
		free(text);
	}
	return 0;
}
