// SPDX-License-Identifier: MIT
/*
 * Thread groups: exit versus exit_group, wait4 of a group whose leader
 * left first, fatal signals, a thread that exits while another waits in
 * futex, tgkill and tkill, process-directed signals and per-thread masks,
 * execve from one of many threads, munmap while another thread faults,
 * vfork, clone and clone3's checks, many threads on every hart,
 * /proc/<pid>/task. Each case also passes under qemu-riscv64 unless it
 * says why not.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

static pid_t tid_self(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts,
		  uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

#define FP(op) ((op) | FUTEX_PRIVATE_FLAG)

/* ---- exit versus exit_group, wait4 of a thread group --------------------------- */

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *exit_group_5(void *arg)
{
	(void)arg;
	ut_sleep_ms(10);
	syscall(SYS_exit_group, 5);
	return NULL;
}

static void group_exit_child(void *arg)
{
	pthread_t t;

	(void)arg;
	for (int i = 0; i < 4; i++)
		pthread_create(&t, NULL, sleeper, NULL);
	pthread_create(&t, NULL, exit_group_5, NULL);
	for (;;)
		pause();
}

UT_CASE(thread_exit_group_ends_all, 0, 20)
{
	EXPECT(ut_exited_with(ut_in_child(group_exit_child, NULL), 5));
}

static void *late_exit_7(void *arg)
{
	(void)arg;
	ut_sleep_ms(60);
	_exit(7); /* exit_group */
	return NULL;
}

static void main_exits_first(void *arg)
{
	pthread_t t;

	(void)arg;
	pthread_create(&t, NULL, late_exit_7, NULL);
	syscall(SYS_exit, 3); /* the leader alone: the process lives on */
}

UT_CASE(thread_leader_exit_then_group, 0, 20)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		main_exits_first(NULL);
		_exit(99);
	}
	ASSERT(pid > 0);
	ut_sleep_ms(20);
	/* The leader is gone but a thread runs: not a zombie yet. */
	EXPECT(waitpid(pid, &st, WNOHANG) == 0);
	EXPECT(waitpid(pid, &st, 0) == pid);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

static void *quiet_exit(void *arg)
{
	(void)arg;
	ut_sleep_ms(30);
	syscall(SYS_exit, 9); /* the last thread, by exit(2) */
	return NULL;
}

UT_CASE(thread_last_exit_reports_leader_status, 0, 20)
{
	int st;
	pid_t pid;

	if (ut_qemu_user)
		return; /* qemu-user reports the last thread's code; Linux the leader's */
	pid = fork();

	if (pid == 0) {
		pthread_t t;

		pthread_create(&t, NULL, quiet_exit, NULL);
		syscall(SYS_exit, 4);
		_exit(99);
	}
	ASSERT(pid > 0);
	EXPECT(waitpid(pid, &st, 0) == pid);
	/* Linux reports the leader's own exit code when no exit_group ran. */
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 4);
}

static void fatal_signal_child(void *arg)
{
	pthread_t t;

	(void)arg;
	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, sleeper, NULL);
	for (;;)
		pause();
}

UT_CASE(thread_fatal_signal_ends_all, 0, 20)
{
	pid_t pid = fork();

	if (pid == 0) {
		fatal_signal_child(NULL);
		_exit(99);
	}
	ASSERT(pid > 0);
	ut_sleep_ms(30);
	EXPECT(kill(pid, SIGTERM) == 0);
	EXPECT(ut_killed_by(ut_wait(pid), SIGTERM));
}

/* A thread that exits while another waits in futex: the waiter stays
 * asleep (no stray wake), then the process ends with exit_group. */
static uint32_t park_word;

static void *parked(void *arg)
{
	(void)arg;
	futex(&park_word, FP(FUTEX_WAIT), 0, NULL, NULL, 0);
	_exit(50); /* woken by mistake */
	return NULL;
}

static void *brief(void *arg)
{
	(void)arg;
	return NULL;
}

static void exit_while_waiting_child(void *arg)
{
	pthread_t t, u;

	(void)arg;
	pthread_create(&t, NULL, parked, NULL);
	for (int i = 0; i < 8; i++) {
		pthread_create(&u, NULL, brief, NULL);
		pthread_join(u, NULL);
	}
	ut_sleep_ms(20);
	_exit(6); /* ends the waiter in its futex */
}

UT_CASE(thread_exit_while_other_in_futex_wait, 0, 20)
{
	EXPECT(ut_exited_with(ut_in_child(exit_while_waiting_child, NULL), 6));
}

/* ---- signals: thread-directed and process-directed ------------------------- */

static atomic_int handled_by;

static void record_tid(int sig)
{
	(void)sig;
	atomic_store(&handled_by, tid_self());
}

static atomic_int worker_tid;

static void *unblocked_worker(void *arg)
{
	(void)arg;
	atomic_store(&worker_tid, tid_self());
	while (!atomic_load(&handled_by))
		ut_sleep_ms(1);
	return NULL;
}

UT_CASE(thread_tgkill_and_process_signal, 0, 20)
{
	struct sigaction sa = { .sa_handler = record_tid };
	pthread_t t;

	sigemptyset(&sa.sa_mask);
	ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0);
	/* tgkill to ourselves: the calling thread takes it. */
	atomic_store(&handled_by, 0);
	ASSERT(syscall(SYS_tgkill, getpid(), tid_self(), SIGUSR1) == 0);
	EXPECT(atomic_load(&handled_by) == tid_self());

	/* pthread_kill (tgkill) to the worker: it runs the handler. */
	atomic_store(&handled_by, 0);
	atomic_store(&worker_tid, 0);
	ASSERT(pthread_create(&t, NULL, unblocked_worker, NULL) == 0);
	while (!atomic_load(&worker_tid))
		ut_sleep_ms(1);
	ASSERT(pthread_kill(t, SIGUSR1) == 0);
	ASSERT(pthread_join(t, NULL) == 0);
	EXPECT(atomic_load(&handled_by) == atomic_load(&worker_tid));
	signal(SIGUSR1, SIG_DFL);
}

static void *unblock_and_wait(void *arg)
{
	sigset_t none;

	(void)arg;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	atomic_store(&worker_tid, tid_self());
	while (!atomic_load(&handled_by))
		ut_sleep_ms(1);
	return NULL;
}

UT_CASE(thread_process_signal_to_unblocked_thread, 0, 20)
{
	struct sigaction sa = { .sa_handler = record_tid };
	sigset_t s, old;
	pthread_t t;

	sigemptyset(&sa.sa_mask);
	ASSERT(sigaction(SIGUSR2, &sa, NULL) == 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	ASSERT(pthread_sigmask(SIG_BLOCK, &s, &old) == 0);
	atomic_store(&handled_by, 0);
	atomic_store(&worker_tid, 0);
	ASSERT(pthread_create(&t, NULL, unblock_and_wait, NULL) == 0);
	while (!atomic_load(&worker_tid))
		ut_sleep_ms(1);
	ASSERT(kill(getpid(), SIGUSR2) == 0);
	ASSERT(pthread_join(t, NULL) == 0);
	EXPECT(atomic_load(&handled_by) == atomic_load(&worker_tid));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR2, SIG_DFL);
}

UT_CASE(thread_tgkill_errors, 0, 20)
{
	pthread_t t;
	pid_t tid;

	errno = 0;
	EXPECT(syscall(SYS_tgkill, 0, tid_self(), 0) == -1 && errno == EINVAL);
	errno = 0;
	EXPECT(syscall(SYS_tkill, -1, 0) == -1 && errno == EINVAL);
	errno = 0;
	EXPECT(syscall(SYS_tgkill, getpid(), tid_self(), 1000) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_tgkill, getpid(), tid_self(), 0) == 0);
	atomic_store(&worker_tid, 0);
	atomic_store(&handled_by, 1);
	ASSERT(pthread_create(&t, NULL, unblocked_worker, NULL) == 0);
	while (!atomic_load(&worker_tid))
		ut_sleep_ms(1);
	tid = atomic_load(&worker_tid);
	ASSERT(pthread_join(t, NULL) == 0);
	/* Gone once joined (its tid is free again). */
	errno = 0;
	EXPECT(syscall(SYS_tkill, tid, 0) == -1 && errno == ESRCH);
	/* A tid of another group. */
	errno = 0;
	EXPECT(syscall(SYS_tgkill, getppid(), tid_self(), 0) == -1 && errno == ESRCH);
}

/* ---- execve from one of many threads --------------------------------------------- */

static void *exec_from_thread(void *arg)
{
	char *argv[] = { (char *)ut_self, "--procfs-exit-helper", NULL };

	(void)arg;
	ut_sleep_ms(10);
	execv(ut_self, argv);
	_exit(98);
	return NULL;
}

static void exec_child(void *arg)
{
	pthread_t t;

	(void)arg;
	for (int i = 0; i < 6; i++)
		pthread_create(&t, NULL, sleeper, NULL);
	pthread_create(&t, NULL, exec_from_thread, NULL);
	for (;;)
		pause();
}

UT_CASE(thread_execve_from_thread, 0, 30)
{
	if (ut_qemu_user)
		return; /* its /proc/self/exe is qemu's */
	EXPECT(ut_exited_with(ut_in_child(exec_child, NULL), 42));
}

/* ---- munmap while another thread faults on the range ------------------------------ */

static volatile char *toucher_mem;
static atomic_int toucher_started;

static void *toucher(void *arg)
{
	(void)arg;
	for (unsigned i = 0;; i++) {
		toucher_mem[(i * 4096) % (64 * 4096)] = (char)i;
		atomic_store(&toucher_started, 1);
	}
	return NULL;
}

static void munmap_child(void *arg)
{
	pthread_t t;

	(void)arg;
	toucher_mem = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (toucher_mem == MAP_FAILED)
		_exit(20);
	pthread_create(&t, NULL, toucher, NULL);
	while (!atomic_load(&toucher_started))
		sched_yield();
	munmap((void *)toucher_mem, 64 * 4096);
	for (;;)
		pause(); /* the toucher's SIGSEGV ends the process */
}

UT_CASE(thread_munmap_under_faulting_thread, 0, 30)
{
	EXPECT(ut_killed_by(ut_in_child(munmap_child, NULL), SIGSEGV));
}

/* ---- vfork, clone3, raw clone checks --------------------------------------------- */

UT_CASE(thread_vfork_shares_memory, 0, 20)
{
	static volatile int shared_var;
	int st;
	pid_t pid;

	if (ut_qemu_user)
		return; /* qemu-user's vfork is a fork */
	shared_var = 1;
	pid = vfork();
	if (pid == 0) {
		shared_var = 2; /* the parent's memory: it is suspended meanwhile */
		_exit(8);
	}
	ASSERT(pid > 0);
	EXPECT(shared_var == 2);
	EXPECT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 8);

	pid = vfork();
	if (pid == 0) {
		char *argv[] = { (char *)ut_self, "--procfs-exit-helper", NULL };

		execv(ut_self, argv);
		_exit(97);
	}
	ASSERT(pid > 0);
	EXPECT(ut_exited_with(ut_wait(pid), 42));
}

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

UT_CASE(thread_clone_checks, 0, 20)
{
	struct clone_args_v0 a = { 0 };

	if (ut_qemu_user)
		return; /* qemu-user 7.2 has no clone3 */
	errno = 0;
	EXPECT(syscall(SYS_clone, CLONE_THREAD | SIGCHLD, NULL, NULL, NULL, NULL) == -1 &&
	       errno == EINVAL);
	errno = 0;
	EXPECT(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, NULL, NULL, NULL, NULL) == -1 &&
	       errno == EINVAL);
	errno = 0;
	EXPECT(syscall(SYS_clone3, &a, 32) == -1 && errno == EINVAL);
	a.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
	a.exit_signal = SIGCHLD;
	errno = 0;
	EXPECT(syscall(SYS_clone3, &a, sizeof(a)) == -1 && errno == EINVAL);
	a.flags = 0;
	a.exit_signal = 0;
	a.stack_size = 4096; /* without a stack */
	errno = 0;
	EXPECT(syscall(SYS_clone3, &a, sizeof(a)) == -1 && errno == EINVAL);

	/* clone3 as fork. */
	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	long pid = syscall(SYS_clone3, &a, sizeof(a));

	if (pid == 0)
		_exit(12);
	ASSERT(pid > 0);
	EXPECT(ut_exited_with(ut_wait((pid_t)pid), 12));
	EXPECT(syscall(SYS_set_tid_address, NULL) == tid_self());
}

/* ---- many threads on every hart -------------------------------------------------- */

#define STRESS_THREADS 64

static pthread_mutex_t stress_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stress_cv = PTHREAD_COND_INITIALIZER;
static long stress_sum;
static int stress_ready;

static void *stress_thread(void *arg)
{
	long me = (long)(intptr_t)arg;

	pthread_mutex_lock(&stress_mtx);
	stress_ready++;
	pthread_cond_broadcast(&stress_cv);
	while (stress_ready < STRESS_THREADS)
		pthread_cond_wait(&stress_cv, &stress_mtx);
	pthread_mutex_unlock(&stress_mtx);
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&stress_mtx);
		stress_sum += me;
		pthread_mutex_unlock(&stress_mtx);
		if (i % 10 == 0)
			sched_yield();
	}
	return NULL;
}

static void stress_child(void *arg)
{
	pthread_t t[STRESS_THREADS];

	(void)arg;
	for (long i = 0; i < STRESS_THREADS; i++)
		if (pthread_create(&t[i], NULL, stress_thread, (void *)(intptr_t)i))
			_exit(30);
	for (int i = 0; i < STRESS_THREADS; i++)
		if (pthread_join(t[i], NULL))
			_exit(31);
	_exit(stress_sum == 100L * (STRESS_THREADS - 1) * STRESS_THREADS / 2 ? 0 : 32);
}

UT_CASE(thread_stress_many, UT_SLOW, 120)
{
	/* Four processes at once, so every hart has threads to run. */
	pid_t pid[4];

	for (int i = 0; i < 4; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			stress_child(NULL);
		ASSERT(pid[i] > 0);
	}
	for (int i = 0; i < 4; i++)
		EXPECT(ut_exited_with(ut_wait(pid[i]), 0));
}

/* ---- /proc/<pid>/task ------------------------------------------------------------- */

#include <dirent.h>

static int count_tasks(pid_t pid, pid_t want)
{
	char path[64];
	struct dirent *d;
	int n = 0, seen = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		n++;
		if (atoi(d->d_name) == want)
			seen = 1;
	}
	closedir(dir);
	return seen ? n : -2;
}

static atomic_int task_release;

static void *task_waiter(void *arg)
{
	atomic_int *tid = arg;

	atomic_store(tid, tid_self());
	while (!atomic_load(&task_release))
		ut_sleep_ms(1);
	return NULL;
}

UT_CASE(thread_proc_task_lists_threads, 0, 20)
{
	atomic_int tids[3];
	pthread_t t[3];
	char path[64];
	struct stat st;

	if (ut_qemu_user)
		return; /* qemu-user's own host threads show in its task/ */
	atomic_store(&task_release, 0);
	for (int i = 0; i < 3; i++) {
		atomic_store(&tids[i], 0);
		ASSERT(pthread_create(&t[i], NULL, task_waiter, &tids[i]) == 0);
	}
	for (int i = 0; i < 3; i++)
		while (!atomic_load(&tids[i]))
			ut_sleep_ms(1);
	EXPECT(count_tasks(getpid(), getpid()) == 4);
	EXPECT(count_tasks(getpid(), atomic_load(&tids[2])) == 4);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)getpid(), atomic_load(&tids[1]));
	EXPECT(stat(path, &st) == 0);
	atomic_store(&task_release, 1);
	for (int i = 0; i < 3; i++)
		ASSERT(pthread_join(t[i], NULL) == 0);
	EXPECT(count_tasks(getpid(), getpid()) == 1);
}
