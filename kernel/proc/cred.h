/* SPDX-License-Identifier: MIT */
/*
 * Credentials: the user and group ids a process acts as.
 *
 * One struct cred per process (per thread group, once there are threads),
 * reference-counted and shared until changed: fork takes a reference to the
 * parent's, and every change (setuid and the rest of the family, exec of a
 * set-user-ID file) builds a new cred and swaps it in. A cred that anyone
 * else may hold is never written.
 *
 * Privilege is Linux's for a root without file capabilities, where every
 * capability follows the ids: the effective uid 0 holds the process
 * capabilities (CAP_SETUID, CAP_SETGID, CAP_KILL, CAP_SYS_RESOURCE,
 * CAP_SYS_NICE, CAP_SYS_ADMIN, CAP_SYSLOG: cred_capable), the filesystem uid
 * 0 the file ones (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
 * CAP_FSETID, CAP_CHOWN, CAP_MKNOD: cred_fs_capable), which Linux drops and
 * raises exactly when fsuid leaves or returns to 0.
 */
#ifndef KERNEL_PROC_CRED_H
#define KERNEL_PROC_CRED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct proc;

/* Linux's NGROUPS_MAX: setgroups refuses longer lists (-EINVAL). */
#define CRED_NGROUPS_MAX 65536

/* Legend: A atomic; everything else is I (set before the cred is shared). */
struct cred {
	atomic_uint refs;		/* A */
	uint32_t uid, euid, suid, fsuid;	/* real, effective, saved, filesystem */
	uint32_t gid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t groups[];		/* supplementary groups, ascending */
};

/* uid 0 everywhere, no supplementary groups: the kernel's own and init's. */
extern struct cred cred_root;

/* A new cred with room for ngroups groups (ngroups set, the rest zero,
 * one reference), or NULL. */
struct cred *cred_alloc(uint32_t ngroups);
/* A copy of c's ids and groups, one reference; NULL when out of memory. */
struct cred *cred_copy(const struct cred *c);
struct cred *cred_get(struct cred *c);
void cred_put(struct cred *c);

/*
 * Who the running code acts as: an override in force on this hart
 * (cred_override: faccessat's real ids), else the current process's cred,
 * else (kernel context, boot) cred_root. Valid until the caller returns to
 * the executor (no one can swap a process's cred but its own userloop).
 */
const struct cred *cred_current(void);
/* Act as c on this hart until cred_revert(returned value); for the span of
 * one synchronous call (no poll in between). */
const struct cred *cred_override(const struct cred *c);
void cred_revert(const struct cred *old);

/* Linux's in_group_p: gid is c's fsgid or one of its groups. */
bool cred_in_group(const struct cred *c, uint32_t gid);
/* in_egroup_p: the effective gid or a supplementary group. */
bool cred_in_egroup(const struct cred *c, uint32_t gid);

static inline bool cred_capable(const struct cred *c)
{
	return c->euid == 0;
}

static inline bool cred_fs_capable(const struct cred *c)
{
	return c->fsuid == 0;
}

/*
 * p's cred, counted, for a reader that is not p's own userloop (another
 * process checking a kill, /proc). p's own code reads proc_cred(p).
 */
struct cred *proc_cred_get(struct proc *p);
const struct cred *proc_cred(struct proc *p);
/* Install new (the caller's reference moves in) as p's cred; p's own
 * userloop only. The old one is put. */
void proc_cred_commit(struct proc *p, struct cred *new);

/* Linux's kill_ok_by_cred: may a sender acting as c signal a process with
 * credentials t? (Real or effective uid of the sender is the target's real
 * or saved uid, or the sender has CAP_KILL.) */
bool cred_may_signal(const struct cred *c, const struct cred *t);
/* set_one_prio_perm / check_same_owner (setpriority, sched_setaffinity):
 * the caller's euid is the target's real or effective uid, or CAP_SYS_NICE. */
bool cred_same_owner(const struct cred *c, const struct cred *t);
/* check_prlimit_permission: every id of the target is the caller's real one
 * (uids and gids), or CAP_SYS_RESOURCE. */
bool cred_may_prlimit(const struct cred *c, const struct cred *t);

#endif
