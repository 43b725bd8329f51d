/*
 * record.c - `cprof record`: run a program with libcprof preloaded, then
 * symbolize the profiles it wrote.
 *
 *   cprof record [-cpu FILE] [-heap FILE] [-allocs FILE] [-threads FILE]
 *                [-threadcreate FILE] [-block FILE] [-mutex FILE] [-hz N]
 *                [-memrate N] [-blockrate NS] [-mutexfraction N] [-flush SECONDS]
 *                [-unwind libgcc|fp] [-follow] -- prog args
 *   cprof record -symbolize FILE...
 *
 * Without a profile flag a CPU profile goes to cpu.pb.gz.  The program's
 * exit status is passed through (128 + N when it died from signal N).
 */
#include "model/compat.h"
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "cli/record.h"
#include "record/symbolize.h"

struct out_flag {
	const char *flag, *env, *what;
	char *path;
};

static const char record_usage[] =
	"usage: cprof record [-cpu FILE] [-heap FILE] [-allocs FILE] [-threads FILE]\n"
	"                    [-threadcreate FILE] [-block FILE] [-mutex FILE] [-hz N]\n"
	"                    [-memrate N] [-blockrate NS] [-mutexfraction N] [-flush SECONDS]\n"
	"                    [-unwind libgcc|fp] [-follow] -- prog [args]\n"
	"       cprof record -symbolize FILE...\n"
	"\n"
	"Runs prog with libcprof preloaded and writes the profiles asked for,\n"
	"symbolized, as gzipped profile.proto (read them with cprof or go tool pprof).\n"
	"Without a profile flag, a CPU profile goes to cpu.pb.gz.\n"
	"\n"
	"  -cpu FILE           CPU profile (per-thread CPU timers)\n"
	"  -heap FILE          heap profile (sampled; inuse_space by default)\n"
	"  -allocs FILE        the heap samples with alloc_space as default\n"
	"  -threads FILE       every thread's stack when the program exits\n"
	"  -threadcreate FILE  stacks that created threads\n"
	"  -block FILE         where threads waited (mutex, rwlock, condition, semaphore)\n"
	"  -mutex FILE         mutex wait time, charged to the stack that unlocked\n"
	"  -hz N               CPU samples per second of CPU time (default 100)\n"
	"  -memrate N          average bytes between heap samples (default 524288; 1 = all)\n"
	"  -blockrate NS       record waits >= NS, sample shorter ones (default 1: all)\n"
	"  -mutexfraction N    record 1 in N mutex contention events (default 1)\n"
	"  -flush SECONDS      rewrite the profiles while the program runs (default 10;\n"
	"                      0: only at exit), so a killed program leaves them\n"
	"  -unwind MODE        libgcc (default) or fp (frame pointers)\n"
	"  -follow             also profile child processes, into FILE.PID\n"
	"  -symbolize          only symbolize the FILEs (written by libcprof) in place\n";

static int usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "cprof record: %s\n", msg);
	fputs(record_usage, msg ? stderr : stdout);
	return msg ? 2 : 0;
}

/* The absolute form of path (the program may change directory). */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX];
	struct buf b = BUF_INIT;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	buf_init(&b);
	buf_addf(&b, "%s/%s", cwd, path);
	return buf_detach(&b, NULL);
}

/* libcprof.so: $CPROF_LIBRARY, beside the cprof binary, or in ../lib/cprof/. */
static char *find_library(void)
{
	const char *env = getenv("CPROF_LIBRARY");
	char exe[PATH_MAX], *slash;
	struct buf b = BUF_INIT;
	ssize_t n;

	if (env && *env)
		return access(env, R_OK) == 0 ? absolute(env) : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	buf_init(&b);
	buf_addf(&b, "%s/libcprof.so", exe);
	if (access(b.buf, R_OK) == 0)
		return buf_detach(&b, NULL);
	buf_reset(&b);
	buf_addf(&b, "%s/../lib/cprof/libcprof.so", exe);
	if (access(b.buf, R_OK) == 0)
		return buf_detach(&b, NULL);
	buf_release(&b);
	return NULL;
}

static bool parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	struct buf b = BUF_INIT;

	buf_init(&b);
	if (old && *old)
		buf_addf(&b, "%s:%s", lib, old);
	else
		buf_addf(&b, "%s", lib);
	setenv("LD_PRELOAD", b.buf, 1);
	buf_release(&b);
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "cprof record: %s\n", strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	return 1;
}

static int symbolize_only(int n, char **files)
{
	int ret = 0;

	if (n > 0 && !strcmp(files[0], "--")) {
		n--;
		files++;
	}
	if (n == 0)
		return usage("-symbolize: no profile given");
	for (int i = 0; i < n; i++) {
		struct cp_err err = { "" };

		if (rec_symbolize_file(files[i], &err)) {
			fprintf(stderr, "cprof record: %s\n", err.msg);
			ret = 1;
		}
	}
	return ret;
}

int record_main(int argc, char **argv)
{
	struct out_flag outs[] = {
		{ "cpu", "CPROF_CPUPROFILE", "CPU profile", NULL },
		{ "heap", "CPROF_MEMPROFILE", "heap profile", NULL },
		{ "allocs", "CPROF_ALLOCSPROFILE", "allocs profile", NULL },
		{ "threads", "CPROF_THREADPROFILE", "threads profile", NULL },
		{ "threadcreate", "CPROF_THREADCREATEPROFILE", "threadcreate profile", NULL },
		{ "block", "CPROF_BLOCKPROFILE", "block profile", NULL },
		{ "mutex", "CPROF_MUTEXPROFILE", "mutex profile", NULL },
	};
	struct num_flag {
		const char *flag, *env, *err;
		long min, max, val;
	} nums[] = {
		{ "hz", "CPROF_CPU_HZ", "-hz: want a number from 1 to 10000", 1, 10000, -1 },
		{ "memrate", "CPROF_MEMPROFILE_RATE",
		  "-memrate: want a number of bytes (0 turns it off)", 0, LONG_MAX, -1 },
		{ "blockrate", "CPROF_BLOCKPROFILE_RATE",
		  "-blockrate: want a number of nanoseconds (1 or more)", 1, LONG_MAX, -1 },
		{ "mutexfraction", "CPROF_MUTEXPROFILE_FRACTION",
		  "-mutexfraction: want a number from 1 to 1000000000", 1, 1000000000, -1 },
		{ "flush", "CPROF_FLUSH_SECONDS",
		  "-flush: want a number of seconds (0 turns it off)", 0, 86400, 10 },
	};
	void (*old_int)(int), (*old_quit)(int);
	const char *unwind = NULL;
	bool follow = false, any = false;
	char *lib = NULL;
	int i, ret = 2;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char name[64];
		size_t k;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		a += a[1] == '-' ? 2 : 1;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(a, "="), a);
		if (a[strlen(name)] == '=')
			val = a + strlen(name) + 1;
		if (!strcmp(name, "help") || !strcmp(name, "h")) {
			ret = usage(NULL);
			goto out;
		}
		if (!strcmp(name, "follow")) {
			follow = true;
			continue;
		}
		if (!strcmp(name, "symbolize")) {
			ret = symbolize_only(argc - i - 1, argv + i + 1);
			goto out;
		}
		if (!val) {
			if (i + 1 >= argc) {
				char msg[96];

				snprintf(msg, sizeof(msg), "flag needs an argument: -%s", name);
				ret = usage(msg);
				goto out;
			}
			val = argv[++i];
		}
		for (k = 0; k < ARRAY_SIZE(outs); k++)
			if (!strcmp(name, outs[k].flag))
				break;
		if (k < ARRAY_SIZE(outs)) {
			free(outs[k].path);
			outs[k].path = absolute(val);
			any = true;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(nums); k++)
			if (!strcmp(name, nums[k].flag))
				break;
		if (k < ARRAY_SIZE(nums)) {
			if (!parse_num(val, nums[k].min, nums[k].max, &nums[k].val)) {
				ret = usage(nums[k].err);
				goto out;
			}
		} else if (!strcmp(name, "unwind")) {
			if (strcmp(val, "libgcc") && strcmp(val, "fp")) {
				ret = usage("-unwind: want libgcc or fp");
				goto out;
			}
			unwind = val;
		} else {
			char msg[96];

			snprintf(msg, sizeof(msg), "unknown flag -%s", name);
			ret = usage(msg);
			goto out;
		}
	}
	if (i >= argc) {
		ret = usage("no program given");
		goto out;
	}
	if (!any)
		outs[0].path = absolute("cpu.pb.gz");
	lib = find_library();
	if (!lib) {
		fprintf(stderr, "cprof record: libcprof.so not found beside cprof; "
				"set CPROF_LIBRARY to its path\n");
		ret = 1;
		goto out;
	}
	for (size_t k = 0; k < ARRAY_SIZE(outs); k++) {
		if (outs[k].path) {
			setenv(outs[k].env, outs[k].path, 1);
			unlink(outs[k].path); /* so a stale file is never mistaken for a new one */
		}
	}
	for (size_t k = 0; k < ARRAY_SIZE(nums); k++) {
		char v[32];

		/* -flush's default yields to CPROF_FLUSH_SECONDS from the environment. */
		if (nums[k].val < 0 ||
		    (!strcmp(nums[k].flag, "flush") && getenv(nums[k].env) && nums[k].val == 10))
			continue;
		snprintf(v, sizeof(v), "%ld", nums[k].val);
		setenv(nums[k].env, v, 1);
	}
	if (unwind)
		setenv("CPROF_UNWIND", unwind, 1);
	if (follow)
		setenv("CPROF_FOLLOW_CHILDREN", "1", 1);
	set_preload(lib);
	fflush(NULL);
	/* The terminal's ^C goes to the program; we stay to symbolize what it wrote. */
	old_int = signal(SIGINT, SIG_IGN);
	old_quit = signal(SIGQUIT, SIG_IGN);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "cprof record: fork: %s\n", strerror(errno));
		ret = 1;
		goto out;
	}
	if (pid == 0) {
		signal(SIGINT, old_int);
		signal(SIGQUIT, old_quit);
		execvp(argv[i], argv + i);
		fprintf(stderr, "cprof record: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	ret = wait_child(pid);
	signal(SIGINT, old_int);
	signal(SIGQUIT, old_quit);
	for (size_t k = 0; k < ARRAY_SIZE(outs); k++) {
		struct cp_err err = { "" };
		struct stat st;

		if (!outs[k].path)
			continue;
		/* A killed program leaves its temporary files behind. */
		for (int t = 0; t < 2; t++) {
			struct buf tmp = BUF_INIT;

			buf_init(&tmp);
			buf_addf(&tmp, "%s.%s-%d", outs[k].path, t ? "flush" : "tmp", (int)pid);
			unlink(tmp.buf);
			buf_release(&tmp);
		}
		if (stat(outs[k].path, &st) || st.st_size == 0) {
			fprintf(stderr, "cprof record: no %s was written to %s\n", outs[k].what,
				outs[k].path);
			continue;
		}
		if (rec_symbolize_file(outs[k].path, &err))
			fprintf(stderr, "cprof record: symbolizing: %s\n", err.msg);
		fprintf(stderr, "cprof record: %s written to %s\n", outs[k].what, outs[k].path);
	}
out:
	for (size_t k = 0; k < ARRAY_SIZE(outs); k++)
		free(outs[k].path);
	free(lib);
	return ret;
}
