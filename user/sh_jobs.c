// SPDX-License-Identifier: MIT
/*
 * Job control for the interactive shell, as POSIX shells do it: every pipeline is a job in a
 * process group of its own; the foreground job gets the terminal (tcsetpgrp) and the shell
 * takes it back when the job ends or stops (^Z). Builtins: jobs, fg, bg, and kill with %n.
 *
 * On only when the shell is interactive on its controlling terminal (init makes the console
 * that). The shell ignores SIGTSTP, SIGTTIN and SIGTTOU itself; its children get them back.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

#define JOBS_MAX 16

enum pstate { P_RUNNING, P_STOPPED, P_DONE };

struct job {
	int id;			/* [n]; 0: a free slot */
	pid_t pgid;
	int n;			/* processes */
	pid_t *pids;
	enum pstate *state;
	int status;		/* the last process's wait status, once done */
	char *cmd;
	bool changed;		/* to be reported before the next prompt */
};

bool sh_jobctl;
static pid_t shell_pgid;
static struct job jobs[JOBS_MAX];
static int current;		/* the id fg and bg default to */

static const char *const stop_names[] = {
	[SIGSTOP] = "Stopped (signal)", [SIGTSTP] = "Stopped",
	[SIGTTIN] = "Stopped (tty input)", [SIGTTOU] = "Stopped (tty output)",
};

void sh_jobs_init(void)
{
	pid_t pg;

	if (!isatty(0))
		return;
	shell_pgid = getpgrp();
	/* Wait until we are in the foreground (a shell started in the
	 * background stops itself until then). */
	for (;;) {
		pg = tcgetpgrp(0);
		if (pg < 0)
			return; /* not our controlling terminal: no job control */
		if (pg == shell_pgid)
			break;
		kill(-shell_pgid, SIGTTIN);
	}
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	/* A group of our own (a session leader already leads one). */
	if (setpgid(0, 0) == 0)
		shell_pgid = getpgrp();
	tcsetpgrp(0, shell_pgid);
	sh_jobctl = true;
}

void sh_jobs_child(pid_t pgid, bool foreground)
{
	if (!sh_jobctl)
		return;
	setpgid(0, pgid);
	if (foreground)
		tcsetpgrp(0, pgid ? pgid : getpid());
	signal(SIGTSTP, SIG_DFL);
	signal(SIGTTIN, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
}

void sh_jobs_started(pid_t pid, pid_t *pgid)
{
	if (!sh_jobctl)
		return;
	if (!*pgid)
		*pgid = pid;
	/* Both sides set it, so neither the child's exec nor the next fork
	 * can race ahead of it. */
	setpgid(pid, *pgid);
}

static struct job *job_by_id(int id)
{
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].id && jobs[i].id == id)
			return &jobs[i];
	return NULL;
}

static struct job *job_of_pid(pid_t pid, int *k)
{
	for (int i = 0; i < JOBS_MAX; i++)
		for (int j = 0; jobs[i].id && j < jobs[i].n; j++)
			if (jobs[i].pids[j] == pid) {
				*k = j;
				return &jobs[i];
			}
	return NULL;
}

static bool job_running(const struct job *j)
{
	for (int k = 0; k < j->n; k++)
		if (j->state[k] == P_RUNNING)
			return true;
	return false;
}

static bool job_done(const struct job *j)
{
	for (int k = 0; k < j->n; k++)
		if (j->state[k] != P_DONE)
			return false;
	return true;
}

static int job_stop_sig(const struct job *j)
{
	return WIFSTOPPED(j->status) ? WSTOPSIG(j->status) : SIGTSTP;
}

static void job_free(struct job *j)
{
	free(j->pids);
	free(j->state);
	free(j->cmd);
	memset(j, 0, sizeof(*j));
}

static void update(struct job *j, int k, int st)
{
	if (WIFSTOPPED(st)) {
		j->state[k] = P_STOPPED;
		j->status = st;
	} else if (WIFCONTINUED(st)) {
		j->state[k] = P_RUNNING;
	} else {
		j->state[k] = P_DONE;
		if (k == j->n - 1)
			j->status = st;
	}
	j->changed = true;
}

static struct job *job_new(pid_t pgid, const pid_t *pids, int n, const char *cmd)
{
	int slot = -1, id = 1;

	for (int i = 0; i < JOBS_MAX; i++) {
		if (!jobs[i].id && slot < 0)
			slot = i;
		if (jobs[i].id >= id)
			id = jobs[i].id + 1;
	}
	if (slot < 0)
		return NULL;
	struct job *j = &jobs[slot];

	j->id = id;
	j->pgid = pgid;
	j->n = n;
	j->pids = calloc((size_t)n, sizeof(pid_t));
	j->state = calloc((size_t)n, sizeof(enum pstate));
	j->cmd = strdup(cmd);
	memcpy(j->pids, pids, (size_t)n * sizeof(pid_t));
	return j;
}

static const char *state_text(const struct job *j, char *buf, size_t n)
{
	if (job_running(j))
		return "Running";
	if (!job_done(j))
		return stop_names[job_stop_sig(j)] ? stop_names[job_stop_sig(j)] : "Stopped";
	if (WIFSIGNALED(j->status)) {
		snprintf(buf, n, "%s", strsignal(WTERMSIG(j->status)));
		return buf;
	}
	if (WEXITSTATUS(j->status)) {
		snprintf(buf, n, "Exit %d", WEXITSTATUS(j->status));
		return buf;
	}
	return "Done";
}

static void report(const struct job *j)
{
	char buf[64];

	dprintf(2, "[%d]%c  %-24s %s\n", j->id, j->id == current ? '+' : ' ',
		state_text(j, buf, sizeof(buf)), j->cmd);
}

/* Wait for the foreground job @j until it ends or stops; its status. */
static int wait_fg(struct job *j)
{
	int st, k, status;

	while (job_running(j)) {
		pid_t pid = waitpid(-j->pgid, &st, WUNTRACED);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct job *o = job_of_pid(pid, &k);

		if (o)
			update(o, k, st);
	}
	tcsetpgrp(0, shell_pgid);
	if (!job_done(j)) {
		current = j->id;
		dprintf(2, "\n");
		report(j);
		j->changed = false;
		return 128 + job_stop_sig(j);
	}
	status = WIFSIGNALED(j->status) ? 128 + WTERMSIG(j->status) : WEXITSTATUS(j->status);
	if (WIFSIGNALED(j->status) && WTERMSIG(j->status) != SIGINT &&
	    WTERMSIG(j->status) != SIGPIPE)
		dprintf(2, "%s\n", strsignal(WTERMSIG(j->status)));
	job_free(j);
	return status;
}

int sh_jobs_run(pid_t pgid, const pid_t *pids, int n, const char *cmd, bool background)
{
	struct job *j = job_new(pgid, pids, n, cmd);

	if (!j) {
		dprintf(2, "sh: too many jobs\n");
		return 1;
	}
	if (background) {
		current = j->id;
		dprintf(2, "[%d] %d\n", j->id, pids[n - 1]);
		return 0;
	}
	return wait_fg(j);
}

void sh_jobs_note(pid_t pid, int st)
{
	int k;
	struct job *j = job_of_pid(pid, &k);

	if (j)
		update(j, k, st);
}

void sh_jobs_reap(void)
{
	int st, k;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
		struct job *j = job_of_pid(pid, &k);

		if (j)
			update(j, k, st);
		else if (WIFSIGNALED(st))
			dprintf(2, "[%d] signal %d\n", pid, WTERMSIG(st));
		else if (WIFEXITED(st))
			dprintf(2, "[%d] Done %d\n", pid, WEXITSTATUS(st));
	}
	for (int i = 0; i < JOBS_MAX; i++) {
		struct job *j = &jobs[i];

		if (!j->id || !j->changed)
			continue;
		j->changed = false;
		if (job_done(j) || !job_running(j))
			report(j);
		if (job_done(j))
			job_free(j);
	}
}

/* "%n", "%%", "%+" or nothing: the job meant; NULL with a message if none. */
static struct job *job_arg(const char *who, const char *a)
{
	struct job *j;

	if (!a || !strcmp(a, "%%") || !strcmp(a, "%+") || !strcmp(a, "%"))
		j = job_by_id(current);
	else
		j = job_by_id(atoi(a + (a[0] == '%')));
	if (!j)
		dprintf(2, "sh: %s: %s: no such job\n", who, a ? a : "current");
	return j;
}

static void resume(struct job *j)
{
	for (int k = 0; k < j->n; k++)
		if (j->state[k] == P_STOPPED)
			j->state[k] = P_RUNNING;
	kill(-j->pgid, SIGCONT);
}

int sh_builtin_jobs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sh_jobs_reap();
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].id)
			report(&jobs[i]);
	return 0;
}

int sh_builtin_fg(int argc, char **argv)
{
	struct job *j;

	if (!sh_jobctl) {
		dprintf(2, "sh: fg: no job control\n");
		return 1;
	}
	j = job_arg("fg", argc > 1 ? argv[1] : NULL);
	if (!j)
		return 1;
	dprintf(2, "%s\n", j->cmd);
	tcsetpgrp(0, j->pgid);
	resume(j);
	return wait_fg(j);
}

int sh_builtin_bg(int argc, char **argv)
{
	struct job *j;

	if (!sh_jobctl) {
		dprintf(2, "sh: bg: no job control\n");
		return 1;
	}
	j = job_arg("bg", argc > 1 ? argv[1] : NULL);
	if (!j)
		return 1;
	current = j->id;
	resume(j);
	dprintf(2, "[%d]+ %s &\n", j->id, j->cmd);
	return 0;
}

static int signal_number(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
		{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
		{ "ALRM", SIGALRM }, { "CHLD", SIGCHLD }, { "WINCH", SIGWINCH },
	};

	if (s[0] >= '0' && s[0] <= '9')
		return atoi(s);
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, s))
			return names[i].sig;
	return -1;
}

bool sh_is_job_kill(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '%')
			return true;
	return false;
}

/* kill [-SIG | -s SIG] %n | pid ...: the builtin, for job specs. */
int sh_builtin_kill(int argc, char **argv)
{
	int sig = SIGTERM, i = 1, status = 0;

	if (i < argc && !strcmp(argv[i], "-s") && i + 1 < argc) {
		sig = signal_number(argv[i + 1]);
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
		sig = signal_number(argv[i] + 1);
		i++;
	}
	if (sig < 0) {
		dprintf(2, "sh: kill: bad signal\n");
		return 1;
	}
	for (; i < argc; i++) {
		pid_t target;

		if (argv[i][0] == '%') {
			struct job *j = job_arg("kill", argv[i]);

			if (!j) {
				status = 1;
				continue;
			}
			target = -j->pgid;
			if (kill(target, sig) < 0) {
				dprintf(2, "sh: kill: %s: %s\n", argv[i], strerror(errno));
				status = 1;
			}
			/* A stopped job is continued to see it (as bash does). */
			if (!job_running(j) && sig != SIGKILL && sig != SIGCONT && sig != SIGSTOP)
				resume(j);
			continue;
		}
		target = atoi(argv[i]);
		if (kill(target, sig) < 0) {
			dprintf(2, "sh: kill: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
