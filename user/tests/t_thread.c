// SPDX-License-Identifier: MIT
/*
 * Threads through glibc's pthreads: create and join (the
 * CLONE_CHILD_CLEARTID wake pthread_join waits for), __thread TLS,
 * mutexes, condition variables, rwlocks, barriers, semaphores, detached
 * threads, pthread_cancel, robust mutexes (the robust list walked at
 * exit). The raw futex calls are t_futex.c's, thread groups t_tgroup.c's.
 * Each case also passes under qemu-riscv64 (Linux's answers).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

static pid_t tid_self(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ---- create, join, ids ----------------------------------------------------- */

struct ids {
	pid_t pid, tid, ppid;
};

static void *ids_thread(void *arg)
{
	struct ids *i = arg;

	i->pid = getpid();
	i->tid = tid_self();
	i->ppid = getppid();
	return (void *)0x1234;
}

UT_CASE(thread_create_join_ids, 0, 20)
{
	struct ids i = { 0 };
	pthread_t t;
	void *ret = NULL;

	ASSERT(pthread_create(&t, NULL, ids_thread, &i) == 0);
	ASSERT(pthread_join(t, &ret) == 0);
	EXPECT(ret == (void *)0x1234);
	EXPECT(i.pid == getpid());
	EXPECT(i.tid != getpid() && i.tid > 0);
	EXPECT(i.ppid == getppid());
	EXPECT(tid_self() == getpid());
}

static _Thread_local int tls_var = 7;

static void *tls_thread(void *arg)
{
	int *out = arg;

	*out = tls_var;
	tls_var = 99;
	return NULL;
}

UT_CASE(thread_tls_is_per_thread, 0, 20)
{
	pthread_t t;
	int seen = 0;

	tls_var = 11;
	ASSERT(pthread_create(&t, NULL, tls_thread, &seen) == 0);
	ASSERT(pthread_join(t, NULL) == 0);
	EXPECT(seen == 7);       /* the initial image, not the creator's value */
	EXPECT(tls_var == 11);   /* the thread's store went to its own copy */
}

/* ---- mutexes, condition variables, many threads ---------------------------- */

#define NTHREADS 16
#define NITER 2000

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < NITER; i++) {
		pthread_mutex_lock(&mtx);
		long v = counter;

		if ((i & 63) == 0)
			sched_yield(); /* contend: hold the lock across a switch */
		counter = v + 1;
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

UT_CASE(thread_mutex_many_threads, 0, 60)
{
	pthread_t t[NTHREADS];

	counter = 0;
	for (int i = 0; i < NTHREADS; i++)
		ASSERT(pthread_create(&t[i], NULL, count_thread, NULL) == 0);
	for (int i = 0; i < NTHREADS; i++)
		ASSERT(pthread_join(t[i], NULL) == 0);
	EXPECT(counter == (long)NTHREADS * NITER);
}

static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;

static void *pingpong_thread(void *arg)
{
	int me = (int)(intptr_t)arg;

	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&mtx);
		while (turn != me)
			pthread_cond_wait(&cv, &mtx);
		turn = 1 - me;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

UT_CASE(thread_condvar_pingpong, 0, 60)
{
	pthread_t a, b;

	turn = 0;
	ASSERT(pthread_create(&a, NULL, pingpong_thread, (void *)0) == 0);
	ASSERT(pthread_create(&b, NULL, pingpong_thread, (void *)1) == 0);
	EXPECT(pthread_join(a, NULL) == 0);
	EXPECT(pthread_join(b, NULL) == 0);
	EXPECT(turn == 0);
}

/* ---- rwlocks, barriers, semaphores, detach, cancel -------------------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static atomic_int readers_in, max_readers, writer_seen_readers;

static void *rw_reader(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&bar);
	for (int i = 0; i < 50; i++) {
		pthread_rwlock_rdlock(&rw);
		int n = atomic_fetch_add(&readers_in, 1) + 1;

		if (n > atomic_load(&max_readers))
			atomic_store(&max_readers, n);
		sched_yield();
		atomic_fetch_sub(&readers_in, 1);
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static void *rw_writer(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&bar);
	for (int i = 0; i < 50; i++) {
		pthread_rwlock_wrlock(&rw);
		if (atomic_load(&readers_in))
			atomic_fetch_add(&writer_seen_readers, 1);
		sched_yield();
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

UT_CASE(thread_rwlock_barrier, 0, 60)
{
	pthread_t t[5];

	atomic_store(&readers_in, 0);
	atomic_store(&writer_seen_readers, 0);
	ASSERT(pthread_barrier_init(&bar, NULL, 5) == 0);
	for (int i = 0; i < 4; i++)
		ASSERT(pthread_create(&t[i], NULL, rw_reader, NULL) == 0);
	ASSERT(pthread_create(&t[4], NULL, rw_writer, NULL) == 0);
	for (int i = 0; i < 5; i++)
		EXPECT(pthread_join(t[i], NULL) == 0);
	EXPECT(atomic_load(&writer_seen_readers) == 0); /* a writer is alone */
	EXPECT(atomic_load(&max_readers) >= 1);
	pthread_barrier_destroy(&bar);
}

static sem_t sem_items, sem_done;
static int produced[64];

static void *sem_consumer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 64; i++) {
		sem_wait(&sem_items);
		produced[i] = 1;
	}
	sem_post(&sem_done);
	return NULL;
}

UT_CASE(thread_semaphore_detached, 0, 30)
{
	pthread_attr_t a;
	pthread_t t;
	struct timespec ts;

	memset(produced, 0, sizeof(produced));
	ASSERT(sem_init(&sem_items, 0, 0) == 0 && sem_init(&sem_done, 0, 0) == 0);
	ASSERT(pthread_attr_init(&a) == 0);
	ASSERT(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0);
	ASSERT(pthread_create(&t, &a, sem_consumer, NULL) == 0);
	for (int i = 0; i < 64; i++)
		sem_post(&sem_items);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	EXPECT(sem_timedwait(&sem_done, &ts) == 0);
	for (int i = 0; i < 64; i++)
		EXPECT(produced[i] == 1);
	/* A timed wait that times out (FUTEX_WAIT_BITSET, absolute realtime). */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	errno = 0;
	EXPECT(sem_timedwait(&sem_done, &ts) == -1 && errno == ETIMEDOUT);
}

static void *cancel_victim(void *arg)
{
	(void)arg;
	for (;;)
		pause(); /* a cancellation point */
	return NULL;
}

static atomic_int cleanup_ran;

static void cleanup_fn(void *arg)
{
	(void)arg;
	atomic_store(&cleanup_ran, 1);
}

static void *cancel_victim_cond(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup_fn, NULL);
	pthread_mutex_lock(&mtx);
	for (;;)
		pthread_cond_wait(&cv, &mtx);
	pthread_cleanup_pop(1);
	return NULL;
}

UT_CASE(thread_cancel, 0, 30)
{
	pthread_t t;
	void *ret = NULL;

	ASSERT(pthread_create(&t, NULL, cancel_victim, NULL) == 0);
	ut_sleep_ms(20);
	ASSERT(pthread_cancel(t) == 0);
	ASSERT(pthread_join(t, &ret) == 0);
	EXPECT(ret == PTHREAD_CANCELED);

	atomic_store(&cleanup_ran, 0);
	ASSERT(pthread_create(&t, NULL, cancel_victim_cond, NULL) == 0);
	ut_sleep_ms(20);
	ASSERT(pthread_cancel(t) == 0);
	ASSERT(pthread_join(t, &ret) == 0);
	EXPECT(ret == PTHREAD_CANCELED);
	EXPECT(atomic_load(&cleanup_ran) == 1);
	/* The cancelled waiter re-took the mutex before its cleanup ran. */
	EXPECT(pthread_mutex_trylock(&mtx) == EBUSY);
}

/* ---- robust mutexes: the list walked at exit --------------------------------- */

static pthread_mutex_t robust;

static void *robust_owner(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust);
	return NULL; /* exits holding it */
}

UT_CASE(thread_robust_mutex_owner_died, 0, 20)
{
	pthread_mutexattr_t ma;
	pthread_t t;

	ASSERT(pthread_mutexattr_init(&ma) == 0);
	ASSERT(pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST) == 0);
	ASSERT(pthread_mutex_init(&robust, &ma) == 0);
	ASSERT(pthread_create(&t, NULL, robust_owner, NULL) == 0);
	ASSERT(pthread_join(t, NULL) == 0);
	EXPECT(pthread_mutex_lock(&robust) == EOWNERDEAD);
	EXPECT(pthread_mutex_consistent(&robust) == 0);
	EXPECT(pthread_mutex_unlock(&robust) == 0);
	EXPECT(pthread_mutex_lock(&robust) == 0);
	EXPECT(pthread_mutex_unlock(&robust) == 0);
}

