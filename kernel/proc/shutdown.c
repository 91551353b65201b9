// SPDX-License-Identifier: MIT
/*
 * A clean shutdown, when init exits or a process calls reboot(2): kill every process,
 * wait until they are gone (their files closed, so unlinked inodes reach their deferred
 * frees), finish every file system's deferred work and write it back (the sync future of
 * sync(2)), then power off or reset. Before this the kernel powered off from inside init's
 * exit with only the buffer cache written back: the frees of files unlinked since the last
 * sync were never finished and e2fsck found deleted inodes with no dtime and block bitmap
 * differences (issue 16, defect 2).
 *
 * One shutdown runs, as its own task; a second request waits for it.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/arch.h"
#include "kernel/async/timer.h"
#include "kernel/block/bcache.h"
#include "kernel/fs/sync.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pcache.h"
#include "kernel/printk.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

#define SHUTDOWN_NAP_NS 2000000ull		/* between looks at the process table */
#define SHUTDOWN_KILL_NS 10000000000ull		/* give up waiting for processes after 10 s */

/*
 *   SD_KILL --(SIGKILL to all, none left)--> SD_SYNC --(written back)--> power off
 *     ^   \--(some left: nap)--> SD_NAP --(timer)--/ (or 10 s passed: warn, go on)
 *     '----------------------------------'
 */
enum shutdown_state {
	SD_KILL,
	SD_NAP,
	SD_SYNC,
	SD_DONE,
};

struct shutdown_future {
	struct future base;
	enum shutdown_state state;
	enum proc_shutdown_how how;
	int code;			/* QEMU's exit status on power-off */
	uint64_t deadline;		/* when waiting for processes ends */
	struct sleep_future nap;
	struct future *sync;		/* owned, SD_SYNC */
};

static atomic_int shutting_down; /* 1 once a shutdown started */

/* Processes other than init that are still alive. */
static int live_others(void)
{
	int n = 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	for (int pid = 2; pid < PID_MAX; pid++) {
		struct proc *p = proc_lookup_locked(pid);

		n += p && p->state == PROC_ALIVE;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return n;
}

static __attribute__((noreturn)) void finish(struct shutdown_future *s)
{
	/* Anything written outside a file system (a raw device), then the flush;
	 * file pages first (the sync wrote them; this catches stragglers). */
	pcache_flush_all_on_poweroff();
	bcache_flush_all_on_poweroff();
	printk_flush();
	if (s->how == PROC_SHUTDOWN_RESTART)
		arch_reboot();
	if (s->how == PROC_SHUTDOWN_HALT) {
		kprintf("shutdown: system halted\n");
		printk_flush();
		arch_stop_other_harts();
		arch_halt();
	}
	arch_poweroff(s->code);
}

static enum poll shutdown_poll(struct future *fut, struct context *cx)
{
	struct shutdown_future *s = (struct shutdown_future *)fut;
	struct sys_ctx sc = { 0 };

	for (;;) {
		switch (s->state) {
		case SD_KILL:
			/* Again at every look: a fork may have raced the last kill. */
			proc_signal_all(SIGKILL);
			if (live_others() && clock_now_ns() < s->deadline) {
				sleep_for_init(&s->nap, SHUTDOWN_NAP_NS);
				fut->awaiting = &s->nap.base;
				s->state = SD_NAP;
				continue;
			}
			if (live_others())
				kprintf("shutdown: %d processes would not die; syncing anyway\n",
					live_others());
			if (fs_sync_all(&sc) == 0 && sc.pending) {
				s->sync = sc.pending;
				fut->awaiting = s->sync;
			}
			s->state = SD_SYNC;
			continue;
		case SD_NAP:
			if (future_poll(&s->nap.base, cx) == POLL_PENDING)
				return POLL_PENDING;
			future_drop(&s->nap.base);
			fut->awaiting = NULL;
			s->state = SD_KILL;
			continue;
		case SD_SYNC:
			if (s->sync) {
				if (future_poll(s->sync, cx) == POLL_PENDING)
					return POLL_PENDING;
				if (s->sync->result)
					kprintf("shutdown: sync failed (%ld)\n", s->sync->result);
				future_drop(s->sync);
				future_release(s->sync);
				s->sync = NULL;
				fut->awaiting = NULL;
			}
			s->state = SD_DONE;
			finish(s);
		case SD_DONE:
			return POLL_READY;
		}
	}
}

static void shutdown_drop(struct future *fut)
{
	struct shutdown_future *s = (struct shutdown_future *)fut;

	if (s->state == SD_NAP)
		future_drop(&s->nap.base);
	if (s->sync) {
		future_drop(s->sync);
		future_release(s->sync);
		s->sync = NULL;
	}
	fut->awaiting = NULL;
	s->state = SD_DONE;
}

static void shutdown_release(struct future *fut)
{
	kfree(fut);
}

static const char *shutdown_state_name(const struct future *fut)
{
	static const char *const names[] = {
		[SD_KILL] = "SD_KILL",
		[SD_NAP] = "SD_NAP",
		[SD_SYNC] = "SD_SYNC",
		[SD_DONE] = "SD_DONE",
	};

	return names[((const struct shutdown_future *)fut)->state];
}

static const struct future_ops shutdown_ops = {
	.name = "shutdown",
	.type = "shutdown_future",
	.poll = shutdown_poll,
	.drop = shutdown_drop,
	.release = shutdown_release,
	.state_name = shutdown_state_name,
};

void proc_shutdown(enum proc_shutdown_how how, int code, const char *why)
{
	static const char *const what[] = {
		[PROC_SHUTDOWN_POWEROFF] = "powering off",
		[PROC_SHUTDOWN_RESTART] = "restarting",
		[PROC_SHUTDOWN_HALT] = "halting",
	};
	struct shutdown_future *s;
	task_id_t t = TASK_ID_NONE;

	if (atomic_exchange(&shutting_down, 1))
		return;
	kprintf("%s; %s\n", why, what[how]);
	s = kzalloc(sizeof(*s));
	if (s) {
		future_init(&s->base, &shutdown_ops);
		s->how = how;
		s->code = code;
		s->deadline = clock_now_ns() + SHUTDOWN_KILL_NS;
		s->state = SD_KILL;
		t = task_spawn(&s->base, -1, "shutdown");
	}
	if (t == TASK_ID_NONE) {
		/* No memory for a task: the old way, the cache written back at once. */
		struct shutdown_future now = { .how = how, .code = code };

		kprintf("shutdown: out of memory; writing the cache back only\n");
		kfree(s);
		finish(&now);
	}
	task_detach(t); /* never joined: it ends the machine */
}

/* ---- reboot(2) ------------------------------------------------------------ */

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_MAGIC2A 85072278
#define LINUX_REBOOT_MAGIC2B 369367448
#define LINUX_REBOOT_MAGIC2C 537993216

#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_HALT 0xCDEF0123
#define LINUX_REBOOT_CMD_CAD_ON 0x89ABCDEF
#define LINUX_REBOOT_CMD_CAD_OFF 0x00000000
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDC

/* What the caller of a successful reboot waits in: the machine goes down meanwhile. */
static enum poll forever_poll(struct future *f, struct context *cx)
{
	(void)f;
	(void)cx;
	return POLL_PENDING; /* no waker: nothing ever ends it but the power */
}

static void forever_release(struct future *f)
{
	kfree(f);
}

static const struct future_ops forever_ops = {
	.name = "reboot_wait",
	.poll = forever_poll,
	.release = forever_release,
};

/*
 * reboot(magic1, magic2, cmd, arg): the Linux magic numbers and commands. Unlike Linux,
 * which leaves killing and syncing to user space (and loses what it did not sync), every
 * command that stops the machine first runs the clean shutdown above; the caller never
 * returns. CAD_ON/CAD_OFF are accepted and do nothing (there is no Ctrl-Alt-Del). Not yet
 * checked: CAP_SYS_BOOT (there are no credentials yet).
 */
SYSCALL_ASYNC(142, reboot)
{
	unsigned magic1 = (unsigned)sc->arg[0], magic2 = (unsigned)sc->arg[1];
	unsigned cmd = (unsigned)sc->arg[2];
	enum proc_shutdown_how how;

	if (magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (cmd) {
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	case LINUX_REBOOT_CMD_RESTART:
		how = PROC_SHUTDOWN_RESTART;
		break;
	case LINUX_REBOOT_CMD_HALT:
		how = PROC_SHUTDOWN_HALT;
		break;
	case LINUX_REBOOT_CMD_POWER_OFF:
		how = PROC_SHUTDOWN_POWEROFF;
		break;
	default:
		return -EINVAL;
	}
	struct future *wait = kmalloc(sizeof(*wait));

	if (!wait)
		return -ENOMEM;
	future_init(wait, &forever_ops);
	proc_shutdown(how, 0, "reboot(2) called");
	sc->pending = wait;
	return 0;
}
