// SPDX-License-Identifier: MIT
/*
 * What the system is and allows: uname, getrandom, prlimit64.
 *
 * uname: sysname "Linux", because programs branch on it (glibc itself does
 * not check it or the release any more, but scripts and test suites do);
 * the release says which kernel this really is.
 * Limits: fixed values (RLIMIT_STACK 8 MiB soft, RLIMIT_NOFILE 1024, the rest
 * unlimited). Setting a limit is validated and then ignored.
 */
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/random.h"
#include "kernel/spinlock.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uts.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- uname ------------------------------------------------------------------------ */

#define UTS_LEN 65

struct new_utsname {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};
_Static_assert(sizeof(struct new_utsname) == 390, "Linux struct new_utsname");

/* L:uts_lock */
static char hostname[UTS_HOSTNAME_MAX + 1] = "asyncrv";
static struct spinlock uts_lock = SPINLOCK_INIT("uts");

void uts_hostname(char *buf)
{
	irqflags_t fl = spin_lock_irqsave(&uts_lock);

	memcpy(buf, hostname, sizeof(hostname));
	spin_unlock_irqrestore(&uts_lock, fl);
}

int uts_set_hostname(const char *name, size_t len)
{
	if (len > UTS_HOSTNAME_MAX)
		return -EINVAL;
	irqflags_t fl = spin_lock_irqsave(&uts_lock);

	memset(hostname, 0, sizeof(hostname));
	memcpy(hostname, name, len);
	spin_unlock_irqrestore(&uts_lock, fl);
	return 0;
}

/* LAB(syscall) BEGIN */
SYSCALL(160, uname)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, UTS_SYSNAME, UTS_LEN);
	uts_hostname(u.nodename);
	strlcpy(u.release, UTS_RELEASE, UTS_LEN);
	strlcpy(u.version, UTS_VERSION, UTS_LEN);
	strlcpy(u.machine, UTS_MACHINE, UTS_LEN);
	strlcpy(u.domainname, "(none)", UTS_LEN);
	return copy_to_user(proc_as(sc->proc), sc->arg[0], &u, sizeof(u));
}
/* LAB(syscall) END */

/* ---- getrandom -------------------------------------------------------------------- */

/* LAB(syscall) BEGIN */
#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2
#define GRND_INSECURE 0x4
/*
 * Most bytes one call returns. getrandom may return fewer bytes than asked
 * above 256 (callers loop); the bound keeps one call from holding the hart
 * for long (a syscall runs inside a poll).
 */
#define GETRANDOM_MAX (1UL << 20)

SYSCALL(278, getrandom)
{
	struct as *as = proc_as(sc->proc);
	uintptr_t ubuf = sc->arg[0];
	size_t count = sc->arg[1], done = 0;
	unsigned flags = (unsigned)sc->arg[2];
	uint8_t chunk[256];

	/* The pool is always ready, so NONBLOCK and RANDOM change nothing. */
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (count > GETRANDOM_MAX)
		count = GETRANDOM_MAX;
	while (done < count) {
		size_t n = count - done < sizeof(chunk) ? count - done : sizeof(chunk);
		int err;

		random_bytes(chunk, n);
		err = copy_to_user(as, ubuf + done, chunk, n);
		if (err) {
			/* Part copied: report that much, as Linux does. */
			if (done)
				break;
			memset(chunk, 0, sizeof(chunk));
			return err;
		}
		done += n;
	}
	memset(chunk, 0, sizeof(chunk));
	return (long)done;
}
/* LAB(syscall) END */

/* ---- prlimit64 ---------------------------------------------------------------------- */

#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ULL)

struct krlimit64 {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};

static struct krlimit64 rlimit_of(unsigned resource)
{
	switch (resource) {
	case RLIMIT_STACK:
		return (struct krlimit64){ 8UL << 20, RLIM_INFINITY };
	case RLIMIT_NOFILE:
		return (struct krlimit64){ 1024, 1024 };
	default:
		return (struct krlimit64){ RLIM_INFINITY, RLIM_INFINITY };
	}
}

/* prlimit64(pid, resource, const new *, old *) */
SYSCALL(261, prlimit64)
{
	struct as *as = proc_as(sc->proc);
	int pid = (int)sc->arg[0];
	unsigned resource = (unsigned)sc->arg[1];
	struct krlimit64 cur, nl;
	int err;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (pid != 0 && pid != proc_pid(sc->proc))
		return -ESRCH;
	cur = rlimit_of(resource);
	if (sc->arg[2]) {
		err = copy_from_user(as, &nl, sc->arg[2], sizeof(nl));
		if (err)
			return err;
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
		/* Accepted and ignored: the limits are fixed (see the top). */
	}
	if (sc->arg[3])
		return copy_to_user(as, sc->arg[3], &cur, sizeof(cur));
	return 0;
}
