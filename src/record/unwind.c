/*
 * unwind.c - stacks for samples.
 *
 * Default: libgcc's _Unwind_Backtrace, which is async-signal-safe when
 * glibc provides _dl_find_object (2.35+) and libgcc uses it (gcc 12+);
 * Debian 12 qualifies.  It reads .eh_frame, so code built without frame
 * pointers (all of Debian's -O2 libraries) unwinds fully.  Elsewhere, or
 * with CPROF_UNWIND=fp, frame pointers are walked from the ucontext with
 * every frame checked (alignment, direction, distance) and every new page
 * probed for readability with one syscall.
 */
#include "model/compat.h"
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>
#include "record/rec.h"

static bool use_fp;

struct walk {
	uintptr_t *pcs;
	int n, max;
	uintptr_t start; /* keep frames from the one whose IP equals this */
	bool started;
	bool exact; /* signal mode: the start frame's IP is exact */
};

static _Unwind_Reason_Code walk_cb(struct _Unwind_Context *ctx, void *arg)
{
	struct walk *w = arg;
	int before = 0;
	uintptr_t ip = (uintptr_t)_Unwind_GetIPInfo(ctx, &before);

	if (!ip)
		return _URC_END_OF_STACK;
	if (!w->started) {
		if (w->start && ip != w->start)
			return _URC_NO_REASON;
		w->started = true;
	}
	if (w->n >= w->max)
		return _URC_END_OF_STACK;
	w->pcs[w->n++] = ip;
	return _URC_NO_REASON;
}

static void warm_cb_run(void)
{
	uintptr_t pcs[8];
	struct walk w = { pcs, 0, 8, 0, false, false };

	_Unwind_Backtrace(walk_cb, &w);
}

void rec_unwind_init(void)
{
	const char *mode = getenv("CPROF_UNWIND");

	if (mode && !strcmp(mode, "fp"))
		use_fp = true;
	else if (mode && !strcmp(mode, "libgcc"))
		use_fp = false;
	else
		use_fp = dlsym(RTLD_DEFAULT, "_dl_find_object") == NULL;
	/* libgcc initialises tables on first use (pthread_once): do it here. */
	warm_cb_run();
}

/* Is the word at p readable?  rt_sigprocmask reads 'set' before checking 'how'. */
static bool readable(uintptr_t p)
{
	long r = syscall(SYS_rt_sigprocmask, ~0, (void *)p, NULL, 8);

	return !(r < 0 && errno == EFAULT);
}

static int walk_fp(uintptr_t pc, uintptr_t fp, uintptr_t *pcs, int max)
{
	uintptr_t checked_page = 0;
	int n = 0;

	pcs[n++] = pc;
	while (n < max) {
		uintptr_t next, ret;

		if (fp < 16384 || (fp & 7))
			break;
		if ((fp & ~(uintptr_t)4095) != checked_page ||
		    ((fp + 8) & ~(uintptr_t)4095) != checked_page) {
			if (!readable(fp) || !readable(fp + 8))
				break;
			checked_page = fp & ~(uintptr_t)4095;
		}
		next = ((uintptr_t *)fp)[0];
		ret = ((uintptr_t *)fp)[1];
		if (!ret)
			break;
		pcs[n++] = ret;
		if (next <= fp || next - fp > (1u << 20))
			break;
		fp = next;
	}
	return n;
}

int rec_unwind_signal(void *ucontext, uintptr_t *pcs, int max)
{
	ucontext_t *uc = ucontext;
	uintptr_t pc, fp;
	struct walk w;

#if defined(__x86_64__)
	pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
#elif defined(__aarch64__)
	pc = (uintptr_t)uc->uc_mcontext.pc;
	fp = (uintptr_t)uc->uc_mcontext.regs[29];
#else
#error "libcprof: unsupported architecture"
#endif
	if (max < 1)
		return 0;
	if (use_fp)
		return walk_fp(pc, fp, pcs, max);
	w = (struct walk){ pcs, 0, max, pc, false, true };
	_Unwind_Backtrace(walk_cb, &w);
	if (w.n == 0) {
		/* No unwind info where we were interrupted: keep the PC at least. */
		pcs[0] = pc;
		return 1;
	}
	return w.n;
}

REC_NOINLINE int rec_unwind_here(uintptr_t from, uintptr_t *pcs, int max)
{
	struct walk w = { pcs, 0, max, from, false, false };

	_Unwind_Backtrace(walk_cb, &w);
	if (w.n == 0 && from && max > 0) {
		pcs[0] = from;
		return 1;
	}
	return w.n;
}
