// SPDX-License-Identifier: MIT
/* usertests: memory — brk, mmap/munmap/mprotect, copy-on-write, stack, faults. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ut.h"

#define PAGE 4096UL
#define KERNEL_ADDR 0xffffffc080200000UL

static uintptr_t sys_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i += 61)
		if (p[i] != v)
			return false;
	return p[n - 1] == v;
}

UT_CASE(brk, 0, 30)
{
	const size_t grow = 4 << 20;
	uintptr_t b0 = sys_brk(0);

	EXPECT(b0 != 0);
	for (int round = 0; round < 4; round++) {
		uintptr_t b1 = sys_brk(b0 + grow);
		if (!EXPECT(b1 == b0 + grow))
			break;
		unsigned char *p = (unsigned char *)b0;
		/* New brk memory reads as zero, even after a shrink and a regrow. */
		EXPECT(all_bytes(p, grow, 0));
		memset(p, 0x5a, grow);
		EXPECT(all_bytes(p, grow, 0x5a));
		EXPECT(sys_brk(b0) == b0);
	}
	/* A brk below the start of the heap fails: the break stays where it is. */
	EXPECT(sys_brk(PAGE) == b0);
	/* So does one that would reach the kernel half. */
	EXPECT(sys_brk(KERNEL_ADDR) == b0);
	EXPECT(sbrk(0) == (void *)b0);
}

static void touch(void *arg)
{
	*(volatile char *)arg = 1;
}

static void peek(void *arg)
{
	(void)*(volatile char *)arg;
}

UT_CASE(mmap, UT_SLOW, 120)
{
	const size_t big = 32 << 20;

	/* 8 x 32 MiB, each touched in full: more than a 128 MiB machine has unless munmap
	 * really gives the pages back. */
	for (int round = 0; round < 8; round++) {
		unsigned char *p = mmap(NULL, big, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!EXPECT(p != MAP_FAILED))
			return;
		EXPECT(((uintptr_t)p & (PAGE - 1)) == 0);
		bool zero = true;
		for (size_t i = 0; i < big; i += PAGE) {
			zero &= p[i] == 0;
			p[i] = (unsigned char)(round + i / PAGE);
		}
		EXPECT(zero);
		bool same = true;
		for (size_t i = 0; i < big; i += PAGE)
			same &= p[i] == (unsigned char)(round + i / PAGE);
		EXPECT(same);
		EXPECT(munmap(p, big) == 0);
	}

	/* An unmapped hole in the middle of a mapping faults; its neighbours do not. */
	unsigned char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(p != MAP_FAILED);
	EXPECT(munmap(p + PAGE, PAGE) == 0);
	p[0] = 1;
	p[2 * PAGE] = 2;
	EXPECT(ut_killed_by(ut_in_child(peek, p + PAGE), SIGSEGV));
	EXPECT(ut_killed_by(ut_in_child(touch, p + PAGE), SIGSEGV));
	EXPECT(munmap(p, 3 * PAGE) == 0);
	EXPECT(ut_killed_by(ut_in_child(peek, p), SIGSEGV));

	/* mprotect: read-only faults on write, then becomes writable. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(p != MAP_FAILED);
	EXPECT(p[0] == 0);
	EXPECT(ut_killed_by(ut_in_child(touch, p), SIGSEGV));
	EXPECT(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
	p[0] = 3;
	EXPECT(p[0] == 3);
	EXPECT(mprotect(p, PAGE, PROT_NONE) == 0);
	EXPECT(ut_killed_by(ut_in_child(peek, p), SIGSEGV));
	EXPECT(munmap(p, PAGE) == 0);

	/* malloc of big blocks (mmap underneath) and free. */
	for (int i = 0; i < 16; i++) {
		char *m = malloc(8 << 20);
		if (!EXPECT(m != NULL))
			break;
		memset(m, i, 8 << 20);
		free(m);
	}
}

static int cow_global = 1;

UT_CASE(cow, 0, 30)
{
	const size_t n = 1 << 20;
	unsigned char *heap = malloc(n);
	volatile int local = 2;
	int to_child[2], to_parent[2];
	char c;

	ASSERT(heap);
	memset(heap, 'P', n);
	ASSERT(pipe(to_child) == 0 && pipe(to_parent) == 0);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		memset(heap, 'C', n);
		cow_global = 10;
		local = 20;
		write(to_parent[1], "1", 1);
		read(to_child[0], &c, 1); /* the parent has written its copy */
		bool ok = all_bytes(heap, n, 'C') && cow_global == 10 && local == 20;
		_exit(ok ? 0 : 1);
	}
	EXPECT(read(to_parent[0], &c, 1) == 1);
	EXPECT(all_bytes(heap, n, 'P'));
	EXPECT(cow_global == 1);
	EXPECT(local == 2);
	memset(heap, 'Q', n);
	cow_global = 100;
	local = 200;
	write(to_child[1], "2", 1);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	EXPECT(all_bytes(heap, n, 'Q') && cow_global == 100 && local == 200);
	free(heap);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static int deep(int level)
{
	volatile char frame[16384];

	frame[0] = (char)level;
	frame[sizeof(frame) - 1] = (char)level;
	if (level == 0)
		return frame[0];
	return deep(level - 1) + frame[sizeof(frame) - 1] - level;
}

UT_CASE(stack, 0, 30)
{
	/* 32 frames of 16 KiB: half a megabyte of stack. */
	EXPECT(deep(32) == 0);
}

static void read_kernel(void *arg)
{
	(void)arg;
	(void)*(volatile long *)KERNEL_ADDR;
}

static void write_kernel(void *arg)
{
	(void)arg;
	*(volatile long *)KERNEL_ADDR = 1;
}

static void jump_kernel(void *arg)
{
	(void)arg;
	((void (*)(void))KERNEL_ADDR)();
}

static void jump_data(void *arg)
{
	static uint32_t code[] = { 0x00008067 }; /* ret, in a non-executable data page */

	(void)arg;
	((void (*)(void))(uintptr_t)code)();
}

static void write_text(void *arg)
{
	(void)arg;
	*(volatile uint32_t *)(uintptr_t)&write_text = 0;
}

static void csr_sstatus(void *arg)
{
	unsigned long v;

	(void)arg;
	__asm__ volatile("csrr %0, sstatus" : "=r"(v));
}

static void unimp(void *arg)
{
	(void)arg;
	__asm__ volatile("unimp");
}

UT_CASE(faults, 0, 30)
{
	EXPECT(ut_killed_by(ut_in_child(read_kernel, NULL), SIGSEGV));
	EXPECT(ut_killed_by(ut_in_child(write_kernel, NULL), SIGSEGV));
	EXPECT(ut_killed_by(ut_in_child(jump_kernel, NULL), SIGSEGV));
	EXPECT(ut_killed_by(ut_in_child(peek, NULL), SIGSEGV));
	EXPECT(ut_killed_by(ut_in_child(touch, NULL), SIGSEGV));
	EXPECT(ut_killed_by(ut_in_child(jump_data, NULL), SIGSEGV));
	EXPECT(ut_killed_by(ut_in_child(write_text, NULL), SIGSEGV));
	EXPECT(ut_killed_by(ut_in_child(csr_sstatus, NULL), SIGILL));
	EXPECT(ut_killed_by(ut_in_child(unimp, NULL), SIGILL));
}
