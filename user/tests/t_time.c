// SPDX-License-Identifier: MIT
/*
 * Time: the clocks (the wall clock starts from the RTC), clock_settime and
 * settimeofday (root only), clock_nanosleep with TIMER_ABSTIME, the
 * interval timers (setitimer, alarm) and POSIX timers, with Linux's errors.
 * Each case also passes under qemu-riscv64; there, nothing sets the host's
 * clock (only the error paths of clock_settime run).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return -1;
	return ts_ns(&ts);
}

static void block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

/* Wait for @sig (blocked) at most @ms: its siginfo, or si_signo 0. */
static siginfo_t wait_sig(int sig, long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
	sigset_t s;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	sigemptyset(&s);
	sigaddset(&s, sig);
	if (sigtimedwait(&s, &si, &t) < 0)
		si.si_signo = 0;
	return si;
}

static void spin_ms(long ms)
{
	int64_t end = clock_ns(CLOCK_PROCESS_CPUTIME_ID) + ms * 1000000;

	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		;
}

/* `date` shows today: the wall clock starts from QEMU's RTC. */
UT_CASE(time_realtime_is_today, 0, 30)
{
	struct timeval tv;
	time_t now = time(NULL);

	EXPECT(now > 1704067200); /* after 2024-01-01 */
	EXPECT(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= now && tv.tv_sec - now < 5);
	EXPECT(clock_ns(CLOCK_REALTIME) / 1000000000 - now < 5);
	EXPECT(clock_ns(CLOCK_REALTIME_COARSE) / 1000000000 - now < 5);
}

UT_CASE(time_clocks, 0, 30)
{
	static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
					 CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
					 CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
					 CLOCK_BOOTTIME, CLOCK_TAI };
	struct timespec res;
	clockid_t cpu;
	int64_t a, b;

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (!EXPECT(clock_ns(ids[i]) >= 0))
			ut_diag("clock %d", ids[i]);
		EXPECT(clock_getres(ids[i], &res) == 0 && ts_ns(&res) > 0);
	}
	/* High-resolution clocks tick in ns; the coarse ones by the tick. */
	EXPECT(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ts_ns(&res) == 1);
	EXPECT(clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 && ts_ns(&res) >= 1000000);
	EXPECT(clock_ns(CLOCK_MONOTONIC_COARSE) <= clock_ns(CLOCK_MONOTONIC));
	/* BOOTTIME counts suspend too, so it is never behind MONOTONIC. */
	a = clock_ns(CLOCK_MONOTONIC);
	b = clock_ns(CLOCK_BOOTTIME);
	EXPECT(b >= a);
	EXPECT(clock_ns(CLOCK_TAI) >= clock_ns(CLOCK_REALTIME) - 1000000000);
	EXPECT(clock_gettime(42, &res) == -1 && errno == EINVAL);
	EXPECT(clock_getres(42, &res) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8) == -1 && errno == EFAULT);
	/* CPU time: ours grows while we run, not while we sleep. */
	a = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	spin_ms(20);
	b = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	EXPECT(b - a >= 20000000);
	a = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	ut_sleep_ms(100);
	EXPECT(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - a < 50000000);
	/* Another process's CPU clock (clock_getcpuclockid). */
	EXPECT(clock_getcpuclockid(getpid(), &cpu) == 0 && clock_ns(cpu) > 0);
	pid_t kid = fork();

	if (kid == 0) {
		spin_ms(30);
		for (;;)
			ut_sleep_ms(1000);
	}
	ut_sleep_ms(300);
	/* qemu-user does not emulate other processes' CPU clocks. */
	EXPECT((clock_getcpuclockid(kid, &cpu) == 0 && clock_ns(cpu) >= 30000000) || ut_qemu_user);
	kill(kid, SIGKILL);
	ut_wait(kid);
	EXPECT((clock_gettime(cpu, &res) == -1 && errno == EINVAL) || ut_qemu_user); /* gone */
}

UT_CASE(time_settime, 0, 30)
{
	struct timespec ts = { 0, 0 };
	struct timeval tv = { 0, 0 };
	struct timezone tz;
	int st;

	/* Errors before any permission check, so safe under qemu-user. */
	EXPECT(clock_settime(CLOCK_MONOTONIC, &ts) == -1 && errno == EINVAL);
	EXPECT(clock_settime(42, &ts) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)8) == -1 && errno == EFAULT);
	EXPECT(clock_settime(CLOCK_PROCESS_CPUTIME_ID, &ts) == -1 && errno == EINVAL);
	ts.tv_nsec = 1000000000;
	EXPECT(clock_settime(CLOCK_REALTIME, &ts) == -1 && errno == EINVAL);
	tv.tv_usec = 1000000;
	EXPECT(settimeofday(&tv, NULL) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_settimeofday, (void *)8, NULL) == -1 && errno == EFAULT);
	/* Not root: EPERM (a child that can drop to nobody). */
	pid_t kid = fork();

	if (kid == 0) {
		struct timespec now;

		if (setuid(65534) != 0)
			_exit(77);
		clock_gettime(CLOCK_REALTIME, &now);
		if (clock_settime(CLOCK_REALTIME, &now) != -1 || errno != EPERM)
			_exit(1);
		if (settimeofday(NULL, &(struct timezone){ 0, 0 }) != -1 || errno != EPERM)
			_exit(2);
		_exit(0);
	}
	st = ut_wait(kid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		ut_diag("skip: cannot become another user");
	else
		EXPECT(ut_exited_with(st, 0));
	if (ut_qemu_user)
		return; /* the rest would set the host's clock */
	/* Forward an hour and back. */
	int64_t before = clock_ns(CLOCK_REALTIME), mono = clock_ns(CLOCK_MONOTONIC);

	ts.tv_sec = before / 1000000000 + 3600;
	ts.tv_nsec = before % 1000000000;
	EXPECT(clock_settime(CLOCK_REALTIME, &ts) == 0);
	EXPECT(clock_ns(CLOCK_REALTIME) - before >= 3600LL * 1000000000);
	EXPECT(time(NULL) >= ts.tv_sec);
	EXPECT(clock_ns(CLOCK_MONOTONIC) - mono < 1000000000); /* unmoved */
	tv.tv_sec = before / 1000000000;
	tv.tv_usec = before % 1000000000 / 1000;
	EXPECT(settimeofday(&tv, NULL) == 0);
	EXPECT(clock_ns(CLOCK_REALTIME) - before < 2000000000);
	/* glibc refuses both at once (EINVAL); the kernel takes either. */
	tz.tz_minuteswest = -60;
	tz.tz_dsttime = 0;
	EXPECT(settimeofday(&tv, &tz) == -1 && errno == EINVAL);
	EXPECT(settimeofday(NULL, &tz) == 0);
	/* glibc's gettimeofday zeroes tz; the kernel's gives it back. */
	memset(&tz, 0x55, sizeof(tz));
	EXPECT(syscall(SYS_gettimeofday, &tv, &tz) == 0 && tz.tz_minuteswest == -60);
	tz.tz_minuteswest = 0;
	EXPECT(settimeofday(NULL, &tz) == 0);
	tz.tz_minuteswest = 16 * 60;
	EXPECT(settimeofday(NULL, &tz) == -1 && errno == EINVAL);
	/* A time before the machine booted (1970 plus less than the uptime). */
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	EXPECT(clock_settime(CLOCK_REALTIME, &ts) == -1 && errno == EINVAL);
}

UT_CASE(time_clock_nanosleep_abstime, 0, 30)
{
	struct timespec ts;
	int64_t t0, deadline;

	t0 = clock_ns(CLOCK_MONOTONIC);
	deadline = clock_ns(CLOCK_REALTIME) + 60000000;
	ts.tv_sec = deadline / 1000000000;
	ts.tv_nsec = deadline % 1000000000;
	EXPECT(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == 0);
	EXPECT(clock_ns(CLOCK_REALTIME) >= deadline);
	EXPECT(clock_ns(CLOCK_MONOTONIC) - t0 < 2000000000);
	/* In the past: at once. */
	t0 = clock_ns(CLOCK_MONOTONIC);
	ts.tv_sec -= 10;
	EXPECT(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == 0);
	deadline = clock_ns(CLOCK_MONOTONIC) + 30000000;
	ts.tv_sec = deadline / 1000000000;
	ts.tv_nsec = deadline % 1000000000;
	EXPECT(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
	EXPECT(clock_ns(CLOCK_MONOTONIC) >= deadline);
	EXPECT(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL) == EINVAL);
	ts.tv_nsec = -1;
	EXPECT(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) == EINVAL);
}

UT_CASE(time_itimer_real, 0, 30)
{
	struct itimerval it, old;
	siginfo_t si;
	int64_t t0;

	block(SIGALRM);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 50000;
	t0 = clock_ns(CLOCK_MONOTONIC);
	ASSERT(setitimer(ITIMER_REAL, &it, NULL) == 0);
	EXPECT(getitimer(ITIMER_REAL, &old) == 0);
	EXPECT(old.it_value.tv_sec == 0 && old.it_value.tv_usec > 0 &&
	       old.it_value.tv_usec <= 50000);
	si = wait_sig(SIGALRM, 5000);
	EXPECT(si.si_signo == SIGALRM);
	EXPECT(si.si_code == SI_KERNEL);
	EXPECT(clock_ns(CLOCK_MONOTONIC) - t0 >= 50000000);
	EXPECT(getitimer(ITIMER_REAL, &old) == 0 && old.it_value.tv_usec == 0 &&
	       old.it_value.tv_sec == 0);
	/* Periodic: 20 ms, three times, then disarmed with the old value back. */
	it.it_value.tv_usec = 20000;
	it.it_interval.tv_usec = 20000;
	ASSERT(setitimer(ITIMER_REAL, &it, NULL) == 0);
	for (int i = 0; i < 3; i++)
		EXPECT(wait_sig(SIGALRM, 5000).si_signo == SIGALRM);
	memset(&it, 0, sizeof(it));
	EXPECT(setitimer(ITIMER_REAL, &it, &old) == 0);
	EXPECT(old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 20000);
	/* alarm() is setitimer: the seconds left, rounded. */
	EXPECT(alarm(5) == 0);
	EXPECT(alarm(0) == 5);
	/* Errors. */
	it.it_value.tv_usec = 1000000;
	EXPECT(setitimer(ITIMER_REAL, &it, NULL) == -1 && errno == EINVAL);
	it.it_value.tv_usec = 0;
	EXPECT(setitimer(3, &it, NULL) == -1 && errno == EINVAL);
	EXPECT(getitimer(3, &old) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_setitimer, ITIMER_REAL, (void *)8, NULL) == -1 && errno == EFAULT);
	EXPECT(syscall(SYS_getitimer, ITIMER_REAL, (void *)8) == -1 && errno == EFAULT);
}

/* An alarm with the default action ends the process; fork does not
 * inherit it. */
UT_CASE(time_alarm_kills_and_fork_does_not_inherit, 0, 30)
{
	struct itimerval it;
	pid_t kid = fork();

	if (kid == 0) {
		alarm(1);
		for (;;)
			ut_sleep_ms(1000);
	}
	EXPECT(ut_killed_by(ut_wait(kid), SIGALRM));
	alarm(10);
	kid = fork();
	if (kid == 0) {
		getitimer(ITIMER_REAL, &it);
		_exit(it.it_value.tv_sec || it.it_value.tv_usec ? 1 : 0);
	}
	EXPECT(ut_exited_with(ut_wait(kid), 0));
	alarm(0);
}

UT_CASE(time_itimer_cpu, 0, 60)
{
	struct itimerval it;

	block(SIGVTALRM);
	block(SIGPROF);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 50000;
	/* Sleeping uses no CPU time: VIRTUAL does not expire. */
	ASSERT(setitimer(ITIMER_VIRTUAL, &it, NULL) == 0);
	ut_sleep_ms(200);
	EXPECT(wait_sig(SIGVTALRM, 0).si_signo == 0);
	/* Running does. */
	spin_ms(150);
	EXPECT(wait_sig(SIGVTALRM, 1000).si_signo == SIGVTALRM);
	ASSERT(setitimer(ITIMER_PROF, &it, NULL) == 0);
	spin_ms(150);
	EXPECT(wait_sig(SIGPROF, 1000).si_signo == SIGPROF);
	EXPECT(getitimer(ITIMER_PROF, &it) == 0 && !it.it_value.tv_sec && !it.it_value.tv_usec);
}

UT_CASE(time_posix_timer, 0, 30)
{
	struct sigevent ev;
	struct itimerspec its, cur;
	timer_t t;
	siginfo_t si;
	int rt = SIGRTMIN + 1;

	block(rt);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = rt;
	ev.sigev_value.sival_int = 77;
	ASSERT(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 40000000;
	ASSERT(timer_settime(t, 0, &its, NULL) == 0);
	EXPECT(timer_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	       cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 40000000);
	si = wait_sig(rt, 5000);
	EXPECT(si.si_signo == rt && si.si_code == SI_TIMER);
	EXPECT(si.si_value.sival_int == 77);
	EXPECT(si.si_overrun == 0);
	EXPECT(timer_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	/* Absolute, in the timer's own clock's time. */
	int64_t at = clock_ns(CLOCK_MONOTONIC) + 30000000;

	its.it_value.tv_sec = at / 1000000000;
	its.it_value.tv_nsec = at % 1000000000;
	ASSERT(timer_settime(t, TIMER_ABSTIME, &its, NULL) == 0);
	EXPECT(wait_sig(rt, 5000).si_signo == rt);
	EXPECT(clock_ns(CLOCK_MONOTONIC) >= at);
	EXPECT(timer_delete(t) == 0);
	EXPECT(timer_delete(t) == -1 && errno == EINVAL);
	EXPECT(timer_gettime(t, &cur) == -1 && errno == EINVAL);
	/* And on the wall clock. */
	ASSERT(timer_create(CLOCK_REALTIME, &ev, &t) == 0);
	at = clock_ns(CLOCK_REALTIME) + 30000000;
	its.it_value.tv_sec = at / 1000000000;
	its.it_value.tv_nsec = at % 1000000000;
	ASSERT(timer_settime(t, TIMER_ABSTIME, &its, NULL) == 0);
	si = wait_sig(rt, 5000);
	EXPECT(si.si_signo == rt);
	EXPECT(clock_ns(CLOCK_REALTIME) >= at);
	EXPECT(timer_delete(t) == 0);
}

/* Expiring while its signal is still pending counts an overrun. */
UT_CASE(time_posix_timer_overrun, 0, 30)
{
	struct sigevent ev;
	struct itimerspec its;
	timer_t t;
	siginfo_t si;

	block(SIGUSR1);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ASSERT(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 5000000;
	its.it_interval.tv_nsec = 5000000;
	ASSERT(timer_settime(t, 0, &its, NULL) == 0);
	ut_sleep_ms(200);
	si = wait_sig(SIGUSR1, 1000);
	EXPECT(si.si_signo == SIGUSR1 && si.si_code == SI_TIMER);
	if (!EXPECT(si.si_overrun >= 10))
		ut_diag("overrun %d", si.si_overrun);
	EXPECT(timer_getoverrun(t) == si.si_overrun);
	/* One signal for all of them. */
	memset(&its, 0, sizeof(its));
	timer_settime(t, 0, &its, NULL);
	EXPECT(wait_sig(SIGUSR1, 0).si_signo == 0);
	EXPECT(timer_delete(t) == 0);
}

/* SIGEV_NONE: no signal, but the timer runs (gettime shows it). */
UT_CASE(time_posix_timer_sigev_none, 0, 30)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its = { { 0, 20000000 }, { 0, 30000000 } }, cur;
	timer_t t;

	ASSERT(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	ASSERT(timer_settime(t, 0, &its, NULL) == 0);
	ut_sleep_ms(45);
	EXPECT(timer_gettime(t, &cur) == 0 && cur.it_interval.tv_nsec == 20000000);
	EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
	       cur.it_value.tv_nsec <= 20000000);
	EXPECT(timer_delete(t) == 0);
}

/* No sigevent: SIGALRM, with the timer's id as its value. */
UT_CASE(time_posix_timer_defaults, 0, 30)
{
	struct itimerspec its = { { 0, 0 }, { 0, 20000000 } };
	timer_t t;
	siginfo_t si;

	block(SIGALRM);
	ASSERT(timer_create(CLOCK_MONOTONIC, NULL, &t) == 0);
	ASSERT(timer_settime(t, 0, &its, NULL) == 0);
	si = wait_sig(SIGALRM, 5000);
	EXPECT(si.si_signo == SIGALRM && si.si_code == SI_TIMER);
	EXPECT(si.si_value.sival_int == si.si_timerid);
	EXPECT(timer_delete(t) == 0);
}

UT_CASE(time_posix_cpu_timer, 0, 60)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	struct itimerspec its = { { 0, 0 }, { 0, 50000000 } };
	timer_t t;

	block(SIGUSR2);
	ASSERT(timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t) == 0);
	ASSERT(timer_settime(t, 0, &its, NULL) == 0);
	ut_sleep_ms(150);
	EXPECT(wait_sig(SIGUSR2, 0).si_signo == 0); /* asleep: no CPU time */
	spin_ms(150);
	EXPECT(wait_sig(SIGUSR2, 1000).si_signo == SIGUSR2);
	EXPECT(timer_delete(t) == 0);
}

UT_CASE(time_posix_timer_errors, 0, 30)
{
	struct sigevent ev;
	struct itimerspec its = { { 0, 0 }, { 0, 1000 } };
	timer_t t;
	int kt;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	EXPECT(syscall(SYS_timer_create, 42, &ev, &kt) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, &ev, &kt) == -1 &&
	       errno == EOPNOTSUPP);
	EXPECT(syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &kt) == -1 && errno == EFAULT);
	ev.sigev_signo = 65;
	EXPECT(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &kt) == -1 && errno == EINVAL);
	ev.sigev_signo = SIGUSR1;
	ev.sigev_notify = 9;
	EXPECT(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &kt) == -1 && errno == EINVAL);
	ev.sigev_notify = SIGEV_SIGNAL | 4 /* SIGEV_THREAD_ID */;
	ev._sigev_un._tid = 30000;
	EXPECT(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &kt) == -1 && errno == EINVAL);
	ev._sigev_un._tid = (int)syscall(SYS_gettid);
	EXPECT(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &kt) == 0);
	EXPECT(syscall(SYS_timer_delete, kt) == 0);
	ev.sigev_notify = SIGEV_SIGNAL;
	ASSERT(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	its.it_value.tv_nsec = 1000000000;
	EXPECT(timer_settime(t, 0, &its, NULL) == -1 && errno == EINVAL);
	its.it_value.tv_nsec = 0;
	its.it_interval.tv_sec = -1;
	EXPECT(timer_settime(t, 0, &its, NULL) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_timer_settime, 12345, 0, &its, NULL) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_timer_gettime, 12345, &its) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_timer_getoverrun, 12345) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_timer_delete, 12345) == -1 && errno == EINVAL);
	EXPECT(timer_delete(t) == 0);
}
