// SPDX-License-Identifier: MIT
/*
 * A fuzzer worker's loop (fuzz.h): pick a call of the table (fuzz_calls.c) by weight, make
 * its arguments (fuzz_gen.c), make it, count it in the shared page; children of fork and
 * clone make a few calls and leave. The worker survives its own faults on the arena (a call
 * unmapped or protected it) by mapping it again.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"

#define PAGE 4096UL

static struct worker W;
static int child_depth;
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t in_loop;

static unsigned total_weight;
static bool off[FZ_MAX_CALLS];

static unsigned weight(unsigned i)
{
	return off[i] ? 0 : fz_calls[i].weight;
}

int fz_select(const char *list, bool only)
{
	char buf[1024], *save, *t;
	unsigned hits = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (unsigned i = 0; i < fz_ncalls; i++)
		off[i] = only;
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		for (unsigned i = 0; i < fz_ncalls; i++)
			if (!strcmp(fz_calls[i].name, t)) {
				off[i] = !only;
				hits++;
			}
	return hits ? 0 : -1;
}

static const struct fz_call *pick(struct worker *w)
{
	unsigned x = (unsigned)rnd_below(&w->r, total_weight);

	for (unsigned i = 0; i < fz_ncalls; i++) {
		if (x < weight(i))
			return &fz_calls[i];
		x -= weight(i);
	}
	return &fz_calls[0];
}

void fz_handler(int sig)
{
	(void)sig;
	syscall(SYS_getppid);
}

static void count(int nr, long r)
{
	struct fz_count *c = &fz_sh->count[nr];

	atomic_fetch_add_explicit(&c->calls, 1, memory_order_relaxed);
	if (r == -1) {
		int e = errno;

		atomic_fetch_add_explicit(&c->errs, 1, memory_order_relaxed);
		if (e > 0 && e < FUZZ_NERRNO &&
		    atomic_load_explicit(&fz_sh->err_by_nr[nr][e], memory_order_relaxed) < 0xffffffffu)
			atomic_fetch_add_explicit(&fz_sh->err_by_nr[nr][e], 1,
						  memory_order_relaxed);
	}
}

static void log_call(struct worker *w, const struct fz_call *c, const uint64_t a[6])
{
	if (fz_sh->verbose)
		dprintf(200, "w%d/%d %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n", w->slot,
			(int)getpid(), c->name, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* One random call; true when it made this process a new child (fork, clone). */
static bool one_call(struct worker *w, struct fz_slot *s)
{
	const struct fz_call *c = pick(w);
	uint64_t a[6];

	for (int i = 0; i < 6; i++)
		a[i] = fz_arg(w, (enum arg)c->args[i]);
	if (c->fix)
		c->fix(w, a);
	if (one_in(&w->r, 4))
		fz_fill_arena(w, 32);
	log_call(w, c, a);
	if (s) {
		atomic_store_explicit(&s->cur_nr, c->nr, memory_order_relaxed);
		for (int i = 0; i < 6; i++)
			atomic_store_explicit(&s->cur_args[i], a[i], memory_order_relaxed);
	}
	pid_t me = w->pid;
	long r = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	int e = errno;

	if ((c->nr == SYS_clone || c->nr == SYS_clone3) && r == 0 && getpid() != me)
		return true;
	errno = e;
	count(c->nr, r);
	if (s)
		atomic_store_explicit(&s->cur_nr, -1, memory_order_relaxed);
	if (r >= 0 && (c->nr == SYS_clone || c->nr == SYS_clone3)) {
		w->kids[rnd_below(&w->r, 8)] = (pid_t)r;
	} else if (r >= 0 && c->ret_fd) {
		fz_pool_add(w, (int)r, c->nr == SYS_openat && fz_is_scratch((const char *)a[1]));
	} else if (r == 0 && (c->nr == SYS_pipe2 || c->nr == SYS_socketpair)) {
		int *p = (int *)(c->nr == SYS_pipe2 ? a[0] : a[3]);

		if (p == (int *)(w->arena + 6 * PAGE)) {
			fz_pool_add(w, p[0], false);
			fz_pool_add(w, p[1], false);
		}
	} else if (r == 0 && c->nr == SYS_close) {
		for (int i = 0; i < FZ_POOL; i++)
			if (w->pool[i] == (int)a[0])
				w->pool[i] = -1;
	}
	return false;
}

static void remap_arena(struct worker *w)
{
	char *a = mmap(w->arena, (FZ_ARENA_PAGES + 2) * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (a == MAP_FAILED)
		_exit(101);
	mprotect(a + FZ_ARENA_PAGES * PAGE, PAGE, PROT_NONE);
	mprotect(a + (FZ_ARENA_PAGES + 1) * PAGE, PAGE, PROT_READ);
	fz_fill_arena(w, FZ_ARENA_PAGES * PAGE / 8);
}

void fz_child(struct worker *w)
{
	child_depth++;
	in_loop = 0;
	w->pid = getpid();
	/* An orphan that blocks for good must not outlive the run by much. */
	signal(SIGALRM, SIG_DFL);
	alarm(3);
	for (int i = 0; i < 16; i++) {
		if (atomic_fetch_add_explicit(&fz_sh->issued, 1, memory_order_relaxed) >=
		    fz_sh->limit)
			break;
		if (one_call(w, NULL)) {
			if (child_depth >= 2)
				_exit(0);
			fz_child(w);
		}
	}
	_exit(0);
}

static void make_elf(struct worker *w)
{
	static char b[4096];
	int in = open("/bin/true", O_RDONLY), out;
	ssize_t n = in < 0 ? 0 : read(in, b, sizeof(b));

	if (in >= 0)
		close(in);
	if (n <= 0)
		return;
	for (int i = 0; i < 8; i++)
		b[rnd_below(&w->r, 128)] ^= (char)(1 << rnd_below(&w->r, 8));
	out = open("x.elf", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (out >= 0) {
		write(out, b, (size_t)n);
		close(out);
	}
}

/*
 * The worker's own accesses to the arena fault when a call unmapped or protected it (munmap,
 * mprotect, mremap on arena addresses): the handler goes back to the loop, which maps the
 * arena again. Faults are counted (deaths[0]); a fault elsewhere still kills the worker.
 */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	uintptr_t a = (uintptr_t)si->si_addr, base = (uintptr_t)W.arena;

	if (in_loop && a >= base && a < base + (FZ_ARENA_PAGES + 2) * PAGE) {
		atomic_fetch_add_explicit(&fz_sh->deaths[0], 1, memory_order_relaxed);
		siglongjmp(fault_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_faults(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

void fz_worker(int slot, unsigned gen)
{
	struct worker *w = &W;
	struct fz_slot *s = &fz_sh->slot[slot];
	unsigned life = 0;

	w->slot = slot;
	w->r.s = fz_mix(fz_sh->seed ^ ((uint64_t)slot << 48) ^ ((uint64_t)gen << 32));
	w->pid = getpid();
	setsid();
	/* stdio to /dev/null: random writes to 0..2 must not reach the console. */
	int null = open("/dev/null", O_RDWR);
	if (fz_sh->verbose)
		dup2(1, 200);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	for (unsigned i = 0; i < fz_ncalls; i++)
		total_weight += weight(i);
	if (!total_weight)
		_exit(102);
	fz_worker_setup(w);
	make_elf(w);
	life = 500 + (unsigned)rnd_below(&w->r, 2000);
	catch_faults();
	static unsigned n;
	if (sigsetjmp(fault_jmp, 1)) {
		remap_arena(w);
		catch_faults();
	}
	in_loop = 1;
	for (; n < life; n++) {
		if (atomic_fetch_add_explicit(&fz_sh->issued, 1, memory_order_relaxed) >=
		    fz_sh->limit)
			break;
		if (one_call(w, s))
			fz_child(w);
		atomic_fetch_add_explicit(&s->calls, 1, memory_order_relaxed);
		if (n % 256 == 255)
			remap_arena(w);
	}
	for (unsigned i = 0; i < 8; i++)
		if (w->kids[i] > fz_sh->super_pid)
			kill(w->kids[i], SIGKILL);
	_exit(0);
}
