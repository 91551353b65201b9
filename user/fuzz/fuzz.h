/* SPDX-License-Identifier: MIT */
/*
 * The syscall fuzzer (/bin/fuzz): what the supervisor (fuzz.c), the argument generators
 * (fuzz_gen.c), the call table (fuzz_calls.c), the worker loop (fuzz_worker.c) and the leak check
 * (leakcheck.c) share.
 *
 * Every worker draws from its own PRNG (splitmix64), seeded from the run's seed, its slot and
 * its generation (how many workers held that slot before it), so the sequence of calls and
 * arguments of each worker is a function of the seed; the interleaving of the workers on the
 * harts and the moments signals land are not.
 */
#ifndef USER_FUZZ_FUZZ_H
#define USER_FUZZ_FUZZ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FUZZ_MAX_NR 512      /* syscall numbers counted (riscv64's are below 512) */
#define FUZZ_MAX_SLOTS 16    /* workers at a time */
#define FUZZ_NERRNO 134      /* errno values counted per call (Linux's go to 133) */
#define FZ_MAX_CALLS 256     /* entries of the call table at most */

/* ---- the PRNG --------------------------------------------------------------------- */

static inline uint64_t fz_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return fz_mix(r->s);
}

/* 0..n-1 (n > 0). */
static inline uint64_t rnd_below(struct rng *r, uint64_t n)
{
	return rnd(r) % n;
}

/* True once in n. */
static inline bool one_in(struct rng *r, unsigned n)
{
	return rnd_below(r, n) == 0;
}

/* ---- shared state (a MAP_SHARED page set up by the supervisor) -------------------- */

struct fz_count {
	atomic_ulong calls;
	atomic_ulong errs;
};

struct fz_slot {
	atomic_int pid;              /* the worker's pid, 0 when free */
	atomic_ulong calls;          /* calls it has made (the watchdog's progress mark) */
	atomic_long cur_nr;          /* the call it is in, -1 between calls */
	atomic_ulong cur_args[6];
	unsigned gen;                /* workers that held the slot so far (the supervisor's) */
};

struct fz_shared {
	atomic_ulong issued;         /* tickets handed out: a worker stops at limit */
	uint64_t limit;
	uint64_t seed;
	pid_t super_pid;             /* never a target: pids <= this one are the run's ancestors */
	int verbose;
	atomic_ulong deaths[65];     /* [n]: ended by signal n; [0]: arena faults survived */
	struct fz_slot slot[FUZZ_MAX_SLOTS];
	struct fz_count count[FUZZ_MAX_NR];
	atomic_uint err_by_nr[FUZZ_MAX_NR][FUZZ_NERRNO];
};

extern struct fz_shared *fz_sh;

/* ---- one worker's environment (fuzz_gen.c) ---------------------------------------- */

#define FZ_POOL 24           /* fds a worker keeps */
#define FZ_ARENA_PAGES 8     /* read-write scratch memory every valid pointer points into */

struct worker {
	struct rng r;
	int slot;
	pid_t pid;
	char *arena;                 /* FZ_ARENA_PAGES rw, then a PROT_NONE page, then a ro page */
	int pool[FZ_POOL];           /* -1: empty */
	bool pool_scratch[FZ_POOL];  /* opened in the scratch dir (metadata may be changed) */
	pid_t kids[8];               /* its forked children (signal and wait targets) */
	uintptr_t brk0;              /* the heap's start: brk() never goes below */
	char dir[32];                /* its scratch dir, /var/tmp/fz/<slot> */
};

/* Argument kinds of the call table. */
enum arg {
	A_NONE,
	A_FD,        /* an fd of the pool, closed, random, -1 */
	A_MFD,       /* an fd whose file's metadata may change: scratch fds or bad numbers */
	A_DIRFD,     /* A_FD or AT_FDCWD */
	A_PATH,      /* a path anywhere (the call does not change what it names) */
	A_WPATH,     /* a path in the scratch dirs (the call may change or remove it) */
	A_TARGET,    /* a symlink target: scratch, /dev, /proc/self/exe, loops */
	A_BUF,       /* a pointer: the arena, its guard pages, bad and kernel-half ones */
	A_LEN,       /* a size: small, a page, huge, negative */
	A_OFF,       /* a file offset */
	A_FLAGS,     /* random bits (mostly low) */
	A_OFLAGS,    /* open(2) flags (write access only in the scratch dirs: see fz_open) */
	A_MODE,      /* a mode with type bits sometimes */
	A_PID,       /* self, own children, own group, 0, nonexistent; never an ancestor */
	A_SIG,       /* 0..65 */
	A_ID,        /* a uid/gid: 0, 1000, -1, random */
	A_ADDR,      /* a memory-call address: the arena or bad ones */
	A_HINT,      /* an mmap hint: anything (MAP_FIXED stays only on arena addresses) */
	A_MLEN,      /* a memory-call length: within the arena, or too big for user space */
	A_TIME,      /* a pointer to a short timespec / itimerspec, or a bad pointer */
	A_INT,       /* a small int, boundary ints */
	A_CMD,       /* an ioctl/fcntl/prctl-like command number */
	A_CLOCK,     /* a clock id */
};

/* One entry of the call table. */
struct fz_call {
	const char *name;
	int nr;
	uint8_t weight;              /* relative frequency; 0 leaves the call out */
	uint8_t ret_fd;              /* the result is an fd to keep */
	uint8_t args[6];             /* enum arg */
	/* Fix up arguments the table cannot say (NULL: none). */
	void (*fix)(struct worker *w, uint64_t a[6]);
};

extern const struct fz_call fz_calls[];
extern const unsigned fz_ncalls;

/* Make only (only) or all but (!only) the calls named in the comma-separated list; -1 if it
 * names none. Before the workers start. */
int fz_select(const char *list, bool only);
uint64_t fz_arg(struct worker *w, enum arg k);
void fz_fill_arena(struct worker *w, unsigned words);
void fz_pool_add(struct worker *w, int fd, bool scratch);
void fz_worker_setup(struct worker *w);
const char *fz_wpath(struct worker *w);
const char *fz_rpath(struct worker *w);
uint64_t fz_bad_ptr(struct worker *w);

/* A path in the scratch dirs (relative ones count: the cwd is one, mostly). */
bool fz_is_scratch(const char *p);
/* The workers' signal handler (a syscall inside). */
void fz_handler(int sig);

/* Run worker slot's generation gen until the run's calls are issued; never returns. */
void fz_worker(int slot, unsigned gen) __attribute__((noreturn));
/* A fuzzing child of a worker (after fork or clone): a few calls, then _exit. */
void fz_child(struct worker *w) __attribute__((noreturn));

/* leakcheck.c: `fuzz leak CMD... [-- CMD...]` */
int fz_leak_main(int argc, char **argv);

#endif
