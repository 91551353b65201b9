// SPDX-License-Identifier: MIT
/*
 * What the system is: uname, getrandom, sysinfo, syslog (the limits are
 * kernel/proc/sys_res.c's).
 *
 * uname: sysname "Linux", because programs branch on it (glibc itself does
 * not check it or the release any more, but scripts and test suites do);
 * the release says which kernel this really is.
 */
#include "kernel/arch.h"
#include "kernel/block/bcache.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
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

/* ---- sysinfo ------------------------------------------------------------------------ */

/* struct sysinfo of Linux riscv64 (64-bit longs): 112 bytes. */
struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "riscv64 struct sysinfo is 112 bytes");

/* Seconds since boot (rounded up, as Linux), the load averages (16 fraction
 * bits), memory in bytes (mem_unit 1; the buffer cache as bufferram, no
 * swap, no high memory), processes (zombies included). */
SYSCALL(179, sysinfo)
{
	struct linux_sysinfo si;
	struct bcache_stats bs;
	unsigned long loads[3];
	uint64_t now = clock_now_ns();

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(now / 1000000000u + (now % 1000000000u ? 1 : 0));
	proc_loadavg(loads, 16);
	for (int i = 0; i < 3; i++)
		si.loads[i] = loads[i];
	si.totalram = (uint64_t)page_total_count() * PAGE_SIZE;
	si.freeram = (uint64_t)page_free_count() * PAGE_SIZE;
	bcache_stats(&bs);
	si.bufferram = (uint64_t)bs.cached * PAGE_SIZE;
	si.procs = (uint16_t)proc_live_count();
	si.mem_unit = 1;
	return copy_to_user(proc_as(sc->proc), sc->arg[0], &si, sizeof(si));
}
