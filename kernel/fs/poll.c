// SPDX-License-Identifier: MIT
/* Readiness of a file and the queues that announce its changes; see poll.h. */
#include "kernel/fs/poll.h"

#include "kernel/arch.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/uaccess.h"
#include "lib/errno.h"

unsigned file_poll_ready(struct file *f)
{
	return f->ops && f->ops->ready ? f->ops->ready(f) : POLL_DEFAULT_MASK;
}

unsigned file_poll_queues(struct file *f, unsigned events, struct waitq *q[2])
{
	bool in = events & POLL_INPUT_SIDE, out = events & POLL_OUTPUT_SIDE;
	unsigned n = 0;

	if (!f->ops || !f->ops->ready || !f->ops->waitq)
		return 0;
	if (!in && !out)
		in = out = true;
	if (in)
		q[n++] = f->ops->waitq(f, false);
	if (out) {
		struct waitq *w = f->ops->waitq(f, true);

		if (!n || w != q[0])
			q[n++] = w;
	}
	return n;
}

#define NSEC_PER_SEC 1000000000ll

int poll_timespec_from_user(struct as *as, uintptr_t u, uint64_t *ns)
{
	struct linux_timespec ts;

	if (copy_from_user(as, &ts, u, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec >= UINT64_MAX / NSEC_PER_SEC)
		*ns = UINT64_MAX;
	else
		*ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

struct linux_timespec poll_ns_to_timespec(uint64_t ns)
{
	return (struct linux_timespec){ .tv_sec = (int64_t)(ns / NSEC_PER_SEC),
					.tv_nsec = (int64_t)(ns % NSEC_PER_SEC) };
}

uint64_t poll_deadline(uint64_t ns)
{
	uint64_t now = clock_now_ns();

	return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}
