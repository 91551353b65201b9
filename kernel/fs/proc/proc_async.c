// SPDX-License-Identifier: MIT
/*
 * The async view: /proc/<pid>/future (a process's outermost future, its
 * whole await chain, its task's state and counters) and /proc/async (every
 * task as GDB's `info tasks` shows it, and each hart's executor figures).
 *
 * A chain is read with task_inspect: an idle task is held as its poller
 * would hold it, so no future of the chain can be freed under the reader;
 * a task that is queued or running elsewhere has a moving chain, and shows
 * its counters only ("chain: (running)").
 */
#include "kernel/fs/proc/procfs_int.h"

#include "kernel/arch.h"
#include "kernel/async/executor.h"
#include "kernel/async/future.h"
#include "kernel/async/task.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CHAIN_MAX 16

/* One future's line parts, copied while the task is held. */
struct chain {
	unsigned n;
	bool more;
	const char *name[CHAIN_MAX];
	const char *state[CHAIN_MAX];
};

static void chain_fn(struct future *f, void *arg)
{
	struct chain *ch = arg;

	for (ch->n = 0; f && ch->n < CHAIN_MAX; f = f->awaiting, ch->n++) {
		ch->name[ch->n] = future_name(f);
		ch->state[ch->n] = f->ops->state_name ? f->ops->state_name(f) : NULL;
	}
	ch->more = f != NULL;
}

static void put_future(struct seqbuf *s, const struct chain *ch, unsigned i)
{
	seq_printf(s, "%s%s%s%s", ch->name[i], ch->state[i] ? "[" : "",
		   ch->state[i] ? ch->state[i] : "", ch->state[i] ? "]" : "");
}

/* The chain of task id, or why there is none: 0, -EBUSY (moving), else gone. */
static int get_chain(task_id_t id, struct chain *ch)
{
	int r = task_inspect(id, chain_fn, ch);

	if (!r && ch->n == 0)
		r = -ESRCH;
	return r;
}

static void show_chain(struct seqbuf *s, task_id_t id, const char *indent)
{
	struct chain ch;
	int r = get_chain(id, &ch);

	if (r) {
		seq_printf(s, "%s%s\n", indent, r == -EBUSY ? "(running)" : "(finished)");
		return;
	}
	for (unsigned i = 0; i < ch.n; i++) {
		seq_printf(s, "%s", i ? " -> " : indent);
		put_future(s, &ch, i);
	}
	seq_printf(s, "%s\n", ch.more ? " -> ..." : "");
}

int procfs_show_future(struct seqbuf *s, const struct gen_ctx *c)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	struct proc_info pi;
	struct task_stats st;

	if (!p)
		return -ESRCH;
	proc_view_info(p, &pi);
	proc_view_put(p);
	if (pi.state != 'Z' && pi.task == 0) {
		seq_printf(s, "task:\t(starting)\n");
		return 0;
	}
	if (pi.state == 'Z' || task_get_stats(pi.task, &st)) {
		seq_printf(s, "task:\t(none: exited)\n");
		return 0;
	}
	seq_printf(s, "task:\t%u:%u\nname:\t%s\nstate:\t%s\nhart:\t%u\npolls:\t%u\nwakes:\t%u\n"
		      "self_wakes:\t%u\ntimed_polls:\t%u\nwake_to_poll_ns:\t%llu\npoll_ns:\t%llu\n",
		   task_id_gen(pi.task), task_id_slot(pi.task), st.name ? st.name : "?",
		   task_state_name(st.state), st.home, st.polls, st.wakes, st.self_wakes,
		   st.timed_polls, (unsigned long long)st.wake_to_poll_ns,
		   (unsigned long long)st.poll_ns);
	/* The outermost future, the innermost one it awaits (the one a wake
	 * must come to: "-" when it awaits nothing), then the whole chain. */
	struct chain ch;
	int r = get_chain(pi.task, &ch);

	seq_printf(s, "outermost:\t");
	if (r) {
		seq_printf(s, "%s\n", r == -EBUSY ? "(running)" : "(finished)");
	} else {
		put_future(s, &ch, 0);
		seq_putc(s, '\n');
	}
	seq_printf(s, "blocked_on:\t");
	if (r) {
		seq_printf(s, "%s\n", r == -EBUSY ? "(running)" : "-");
	} else if (ch.more) {
		seq_printf(s, "...\n"); /* deeper than CHAIN_MAX */
	} else if (ch.n < 2) {
		seq_printf(s, "-\n");
	} else {
		put_future(s, &ch, ch.n - 1);
		seq_putc(s, '\n');
	}
	show_chain(s, pi.task, "chain:\t");
	return 0;
}

int procfs_show_async(struct seqbuf *s, const struct gen_ctx *c)
{
	unsigned n = exec_hart_count();
	uint32_t cursor = 0, hist[EXEC_LAT_BUCKETS];
	struct task_stats st;
	task_id_t id;

	(void)c;
	seq_printf(s, "hart  queue  tasks        polls   steals      wfi   idle_ms\n");
	for (unsigned h = 0; h < n; h++)
		seq_printf(s, "%4u %6u %6u %12llu %8llu %8llu %9llu\n", h, exec_queue_len(h),
			   exec_task_count(h), (unsigned long long)exec_poll_count(h),
			   (unsigned long long)exec_steal_count(h),
			   (unsigned long long)exec_wfi_count(h),
			   (unsigned long long)(exec_idle_ns(h) / 1000000));
	seq_printf(s, "\nwake->poll latency of sampled polls (ns, by powers of two)\n");
	for (unsigned h = 0; h < n; h++) {
		exec_lat_hist(h, hist);
		seq_printf(s, "hart %u:", h);
		for (unsigned b = 0; b < EXEC_LAT_BUCKETS; b++)
			if (hist[b])
				seq_printf(s, " %s%llu:%u", b == EXEC_LAT_BUCKETS - 1 ? ">=" : "",
					   1ull << b, hist[b]);
		seq_putc(s, '\n');
	}
	seq_printf(s, "\ntasks\n");
	while (task_next(&cursor, &id, &st)) {
		/* GDB's info tasks fields; the times are sums over the sampled polls. */
		seq_printf(s, "  task %u:%u %s hart %u %s polls %u wakes %u self %u "
			      "wake_to_poll_ns %llu poll_ns %llu: ",
			   task_id_gen(id), task_id_slot(id), st.name ? st.name : "?", st.home,
			   task_state_name(st.state), st.polls, st.wakes, st.self_wakes,
			   (unsigned long long)st.wake_to_poll_ns, (unsigned long long)st.poll_ns);
		show_chain(s, id, "");
	}
	return 0;
}
