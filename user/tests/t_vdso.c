// SPDX-License-Identifier: MIT
/*
 * usertests: the vDSO (AT_SYSINFO_EHDR; __vdso_clock_gettime, __vdso_gettimeofday and
 * __vdso_clock_getres agree with the syscalls, follow clock_settime, fall back to the kernel
 * for the clocks they do not know) and address-space randomisation (the stack, the mmap
 * area, the vDSO and the heap move at every exec while /proc/sys/kernel/randomize_va_space
 * is 2, and stay put at 0; that file takes 0..2 only).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

typedef int (*clock_fn)(clockid_t, struct timespec *);
typedef int (*tod_fn)(struct timeval *, void *);

/*
 * A function the vDSO exports, by a walk of its dynamic symbol table (its size from
 * DT_HASH's chain count), or NULL. The image is linked at 0: its addresses are offsets
 * from AT_SYSINFO_EHDR.
 */
static void *vdso_sym(const char *name)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const void *)base;
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const uint32_t *hash = NULL;

	if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(base + eh->e_phoff + i * eh->e_phentsize);

		if (ph->p_type == PT_DYNAMIC)
			dyn = (const void *)(base + ph->p_vaddr);
	}
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const void *)(base + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			str = (const void *)(base + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const void *)(base + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (uint32_t i = 0; i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF && strcmp(str + sym[i].st_name, name) == 0)
			return (void *)(base + sym[i].st_value);
	return NULL;
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t sys_clock_ns(clockid_t c)
{
	struct timespec t;

	if (syscall(SYS_clock_gettime, c, &t) != 0)
		return -1;
	return ts_ns(&t);
}

UT_CASE(vdso_is_mapped_and_exports_the_clocks, 0, 30)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);

	ASSERT(base != 0);
	EXPECT(base % 4096 == 0);
	EXPECT(memcmp((const void *)base, ELFMAG, SELFMAG) == 0);
	EXPECT(vdso_sym("__vdso_clock_gettime") != NULL);
	EXPECT(vdso_sym("__vdso_gettimeofday") != NULL);
	EXPECT(vdso_sym("__vdso_clock_getres") != NULL);
	EXPECT(vdso_sym("__vdso_no_such_function") == NULL);
	/* Read and execute only: a store into it is SIGSEGV. */
	EXPECT(mprotect((void *)base, 4096, PROT_READ | PROT_EXEC) == 0);
	/* AT_MINSIGSTKSZ: a signal frame's size (siginfo 128 + ucontext 960). */
	EXPECT(getauxval(AT_MINSIGSTKSZ) == 1088);
	EXPECT(strcmp((const char *)getauxval(AT_PLATFORM), "riscv64") == 0);
}

UT_CASE(vdso_clocks_agree_with_the_syscalls, 0, 30)
{
	clock_fn cg = (clock_fn)vdso_sym("__vdso_clock_gettime");
	tod_fn tod = (tod_fn)vdso_sym("__vdso_gettimeofday");
	clock_fn gr = (clock_fn)vdso_sym("__vdso_clock_getres");
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME,
					    CLOCK_MONOTONIC_RAW, CLOCK_TAI };
	struct timespec t, r1, r2;
	struct timeval tv;

	ASSERT(cg && tod && gr);
	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		int64_t a = sys_clock_ns(clocks[i]), b, c;

		EXPECT(cg(clocks[i], &t) == 0);
		b = ts_ns(&t);
		c = sys_clock_ns(clocks[i]);
		/* Between two syscall readings: the same clock, not just a close one. */
		if (!EXPECT(a <= b && b <= c))
			ut_diag("clock %d: syscall %lld, vdso %lld, syscall %lld", (int)clocks[i],
				(long long)a, (long long)b, (long long)c);
		EXPECT(t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
		EXPECT(gr(clocks[i], &r1) == 0);
		EXPECT(syscall(SYS_clock_getres, clocks[i], &r2) == 0);
		EXPECT(r1.tv_sec == r2.tv_sec && r1.tv_nsec == r2.tv_nsec);
	}
	/* gettimeofday: microseconds of CLOCK_REALTIME. */
	int64_t a = sys_clock_ns(CLOCK_REALTIME) / 1000, b, c;

	EXPECT(tod(&tv, NULL) == 0);
	b = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	c = sys_clock_ns(CLOCK_REALTIME) / 1000;
	EXPECT(a <= b && b <= c);
	EXPECT(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	/* Clocks it does not know go to the kernel: same answers, errors included. */
	EXPECT(cg(CLOCK_PROCESS_CPUTIME_ID, &t) == 0);
	EXPECT(cg(CLOCK_MONOTONIC_COARSE, &t) == 0);
	EXPECT(gr(CLOCK_MONOTONIC_COARSE, &r1) == 0);
	EXPECT(syscall(SYS_clock_getres, CLOCK_MONOTONIC_COARSE, &r2) == 0);
	EXPECT(r1.tv_sec == r2.tv_sec && r1.tv_nsec == r2.tv_nsec);
	EXPECT(cg(12345, &t) == -EINVAL);
	EXPECT(gr(12345, &r1) == -EINVAL);
	EXPECT(cg(CLOCK_MONOTONIC, NULL) == -EFAULT);
	/* glibc's own calls go through it too. */
	int64_t x = sys_clock_ns(CLOCK_MONOTONIC);

	EXPECT(clock_gettime(CLOCK_MONOTONIC, &t) == 0 && ts_ns(&t) >= x);
}

UT_CASE(vdso_realtime_follows_clock_settime, 0, 30)
{
	clock_fn cg = (clock_fn)vdso_sym("__vdso_clock_gettime");
	struct timespec now, t;

	ASSERT(cg);
	if (geteuid() != 0)
		return; /* setting the clock is root's */
	ASSERT(syscall(SYS_clock_gettime, CLOCK_REALTIME, &now) == 0);
	t = now;
	t.tv_sec += 100000;
	ASSERT(clock_settime(CLOCK_REALTIME, &t) == 0);
	EXPECT(cg(CLOCK_REALTIME, &t) == 0);
	EXPECT(t.tv_sec >= now.tv_sec + 100000 && t.tv_sec <= now.tv_sec + 100010);
	now.tv_sec += 1;
	EXPECT(clock_settime(CLOCK_REALTIME, &now) == 0);
	EXPECT(cg(CLOCK_REALTIME, &t) == 0);
	EXPECT(t.tv_sec >= now.tv_sec - 1 && t.tv_sec <= now.tv_sec + 10);
}

/* ---- address-space randomisation ----------------------------------------------------- */

#define RVS "/proc/sys/kernel/randomize_va_space"

/* `usertests --aslr-helper`: where this exec put things, one line on stdout. */
int ut_aslr_helper(void)
{
	int local;
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	printf("%lx %lx %lx %lx\n", (unsigned long)&local, (unsigned long)m,
	       (unsigned long)getauxval(AT_SYSINFO_EHDR), (unsigned long)sbrk(0));
	return 0;
}

struct layout {
	unsigned long stack, mmap, vdso, brk;
};

/* Run the helper; false if it did not report. */
static bool run_helper(struct layout *l)
{
	int p[2];
	char buf[160];
	ssize_t n, got = 0;

	if (pipe(p) != 0)
		return false;
	pid_t pid = fork();

	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl(ut_self, ut_self, "--aslr-helper", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(p[0]);
	buf[got] = 0;
	return ut_exited_with(ut_wait(pid), 0) &&
	       sscanf(buf, "%lx %lx %lx %lx", &l->stack, &l->mmap, &l->vdso, &l->brk) == 4;
}

static int read_level(void)
{
	char b[8] = { 0 };
	int fd = open(RVS, O_RDONLY);

	if (fd < 0)
		return -1;
	ssize_t n = read(fd, b, sizeof(b) - 1);

	close(fd);
	return n == 2 && b[1] == '\n' ? b[0] - '0' : -1;
}

/* Write s to the file: 0 or the errno. */
static int write_level(const char *s)
{
	int fd = open(RVS, O_WRONLY), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		e = errno;
	close(fd);
	return e;
}

UT_CASE(aslr_moves_stack_mmap_vdso_heap_per_exec, 0, 60)
{
	int saved = read_level();
	struct layout a, b, c, d;
	char lvl[3] = { 0 };

	ASSERT(saved >= 0 && saved <= 2);
	if (geteuid() != 0)
		return;
	ASSERT(write_level("2\n") == 0);
	EXPECT(read_level() == 2);
	EXPECT(run_helper(&a) && run_helper(&b));
	/* 2^18 places each: equal by chance once in 262,144 runs. */
	EXPECT(a.stack != b.stack);
	EXPECT(a.mmap != b.mmap);
	EXPECT(a.vdso != b.vdso);
	EXPECT(a.brk != b.brk);
	/* Still in order: the stack at the top, the vDSO and mmap below it, the heap low. */
	EXPECT(a.vdso < a.stack && a.mmap < a.stack && a.brk < a.mmap);
	EXPECT(write_level("0") == 0);
	EXPECT(read_level() == 0);
	EXPECT(run_helper(&c) && run_helper(&d));
	EXPECT(c.stack == d.stack && c.mmap == d.mmap && c.vdso == d.vdso && c.brk == d.brk);
	/* Level 1: everything but the heap. */
	EXPECT(write_level("1") == 0);
	EXPECT(run_helper(&a) && run_helper(&b));
	EXPECT(a.stack != b.stack && a.brk == b.brk);
	/* Only 0, 1, 2. */
	EXPECT(write_level("3") == EINVAL);
	EXPECT(write_level("x") == EINVAL);
	EXPECT(read_level() == 1);
	lvl[0] = (char)('0' + saved);
	EXPECT(write_level(lvl) == 0);
	EXPECT(read_level() == saved);
}
