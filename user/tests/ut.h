/* SPDX-License-Identifier: MIT */
/*
 * usertests framework. A case is declared with UT_CASE(name, flags, timeout_s) { body } and
 * lands in the "ut_cases" linker section. The runner forks a child per case, so a case that
 * crashes or hangs (killed at its timeout) fails alone. EXPECT records a failure and goes on;
 * ASSERT ends the case at once. Children of a case must leave with _exit(), never exit(), and
 * a case must kill and reap every child it made before it returns.
 */
#ifndef USER_UT_H
#define USER_UT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum ut_flags {
	UT_SLOW = 1 << 0, /* takes seconds; still run by default */
};

struct ut_case {
	const char *name;
	void (*fn)(void);
	unsigned flags;
	int timeout_s;
};

#define UT_CASE(n, fl, timeout)                                                               \
	static void ut_fn_##n(void);                                                          \
	static const struct ut_case ut_case_##n                                               \
		__attribute__((used, section("ut_cases"), aligned(8))) = { #n, ut_fn_##n, fl, \
									   timeout };         \
	static void ut_fn_##n(void)

extern int ut_failures;
extern const char *ut_self; /* path to this program, for exec */
/* Set by USERTESTS_QEMU_USER: skip checks where qemu-user (not Linux) misbehaves. */
extern bool ut_qemu_user;

void ut_fail(const char *file, int line, const char *what);
void ut_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define EXPECT(cond) ((cond) ? true : (ut_fail(__FILE__, __LINE__, #cond), false))
#define ASSERT(cond)                                                   \
	do {                                                           \
		if (!(cond)) {                                         \
			ut_fail(__FILE__, __LINE__, #cond);            \
			return;                                        \
		}                                                      \
	} while (0)

/* Wait for @pid (retrying EINTR); returns the raw wait status or -1. */
int ut_wait(pid_t pid);
/* Run fn(arg) in a child that then _exit(0)s; returns the child's raw wait status or -1. */
int ut_in_child(void (*fn)(void *), void *arg);
bool ut_exited_with(int status, int code);
bool ut_killed_by(int status, int sig);
/* `usertests --fp-exec-helper`: 0 if the FP registers are clean at the top of main. */
int ut_fp_exec_helper(void);
/* `usertests --sig-exec-helper`: 0 if exec reset caught signals and kept ignored ones. */
int ut_sig_exec_helper(void);
/* `usertests --procfs-helper`: the process procfs_other_process looks at. */
int ut_procfs_helper(int argc, char **argv);
/* `usertests --cred-helper`: 0 if run set-user-ID as t_cred.c's case expects. */
int ut_cred_exec_helper(void);
/* `usertests --stack-helper`: 0 never (it should die of SIGSEGV: t_limits.c). */
int ut_limits_stack_helper(void);
/* `usertests --tty-helper MODE`: a terminal mode, a read, what it got (t_tty.c). */
int ut_tty_helper(int argc, char **argv);
/* With UT_ARGV_FD=n in the environment: argv to fd n (t_exec.c's exec target). */
int ut_exec_argv_dump(int argc, char **argv);
int64_t ut_now_ns(void);
void ut_sleep_ms(long ms);

#endif
