/*
 * replay.c - a main() for the fuzz targets without libFuzzer: runs the
 * target once on each file named (directories are walked one level), so
 * the corpora are replayed by gcc and sanitizer builds in `make check`.
 */
#include "model/compat.h"
#include <dirent.h>
#include <sys/stat.h>
#include "model/alloc.h"
#include "model/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	/* an exact-size copy, so reading one byte past the input is caught */
	{
		uint8_t *copy = xmalloc(b.len);

		copy_n(copy, b.buf, b.len);
		LLVMFuzzerTestOneInput(copy, b.len);
		free(copy);
	}
	buf_release(&b);
	return 0;
}

int main(int argc, char **argv)
{
	int nfiles = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]))
				return 1;
			nfiles++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			struct buf path = BUF_INIT;

			if (e->d_name[0] == '.')
				continue;
			buf_init(&path);
			buf_addf(&path, "%s/%s", argv[i], e->d_name);
			if (stat(path.buf, &st) == 0 && S_ISREG(st.st_mode)) {
				if (run_file(path.buf)) {
					buf_release(&path);
					closedir(d);
					return 1;
				}
				nfiles++;
			}
			buf_release(&path);
		}
		closedir(d);
	}
	printf("%d\n", nfiles);
	return 0;
}
