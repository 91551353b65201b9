// SPDX-License-Identifier: MIT
/*
 * The user and group id syscalls, as Linux's kernel/sys.c and
 * kernel/groups.c: getuid & co on the fast path, setuid, setgid, setreuid,
 * setregid, setresuid, setresgid, getresuid, getresgid, setfsuid, setfsgid,
 * getgroups, setgroups; and umask.
 *
 * Each change builds a new cred from the old one and commits it (cred.h:
 * a cred is never written once shared). Privilege is cred_capable: the
 * effective uid 0 (CAP_SETUID / CAP_SETGID).
 */
#include <stddef.h>

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ID_KEEP ((uint32_t)-1)	/* "leave this id as it is" (and never a valid id) */

/* ---- reading: the fast path ------------------------------------------------ */

SYSCALL_FAST(174, getuid)
{
	return sc->proc->cred->uid;
}

SYSCALL_FAST(175, geteuid)
{
	return sc->proc->cred->euid;
}

SYSCALL_FAST(176, getgid)
{
	return sc->proc->cred->gid;
}

SYSCALL_FAST(177, getegid)
{
	return sc->proc->cred->egid;
}

static long put_three(struct sys_ctx *sc, uint32_t a, uint32_t b, uint32_t c)
{
	const uint32_t v[3] = { a, b, c };
	struct as *as = proc_as(sc->proc);

	for (int i = 0; i < 3; i++) {
		int err = copy_to_user(as, sc->arg[i], &v[i], sizeof(v[i]));

		if (err)
			return err;
	}
	return 0;
}

SYSCALL(148, getresuid)
{
	const struct cred *c = sc->proc->cred;

	return put_three(sc, c->uid, c->euid, c->suid);
}

SYSCALL(150, getresgid)
{
	const struct cred *c = sc->proc->cred;

	return put_three(sc, c->gid, c->egid, c->sgid);
}

/* ---- changing ids -------------------------------------------------------------- */

/* A copy of the caller's cred to change, or NULL (out of memory). */
static struct cred *prepare(struct sys_ctx *sc)
{
	return cred_copy(sc->proc->cred);
}

static long commit(struct sys_ctx *sc, struct cred *new)
{
	proc_cred_commit(sc->proc, new);
	return 0;
}

static long abort_change(struct cred *new, long err)
{
	cred_put(new);
	return err;
}

/* Which of the three ids an unprivileged caller may take: one it has. */
static bool is_one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == a || id == b || id == c;
}

SYSCALL(146, setuid)
{
	uint32_t uid = (uint32_t)sc->arg[0];
	const struct cred *old = sc->proc->cred;
	struct cred *new;

	if (uid == ID_KEEP)
		return -EINVAL;
	if (!cred_capable(old) && uid != old->uid && uid != old->suid)
		return -EPERM;
	new = prepare(sc);
	if (!new)
		return -ENOMEM;
	if (cred_capable(old))
		new->uid = new->suid = uid;
	new->euid = new->fsuid = uid;
	return commit(sc, new);
}

SYSCALL(144, setgid)
{
	uint32_t gid = (uint32_t)sc->arg[0];
	const struct cred *old = sc->proc->cred;
	struct cred *new;

	if (gid == ID_KEEP)
		return -EINVAL;
	if (!cred_capable(old) && gid != old->gid && gid != old->sgid)
		return -EPERM;
	new = prepare(sc);
	if (!new)
		return -ENOMEM;
	if (cred_capable(old))
		new->gid = new->sgid = gid;
	new->egid = new->fsgid = gid;
	return commit(sc, new);
}

/*
 * setreuid / setregid: the real id may become the real or effective one,
 * the effective id any of the three; the saved id follows the new
 * effective one when the real id is set or the effective one leaves it.
 */
static long set_re(struct sys_ctx *sc, bool group)
{
	uint32_t r = (uint32_t)sc->arg[0], e = (uint32_t)sc->arg[1];
	const struct cred *old = sc->proc->cred;
	bool cap = cred_capable(old);
	uint32_t or = group ? old->gid : old->uid, oe = group ? old->egid : old->euid;
	uint32_t os = group ? old->sgid : old->suid;
	uint32_t nr = r == ID_KEEP ? or : r, ne = e == ID_KEEP ? oe : e, ns = os;
	struct cred *new;

	if (r != ID_KEEP && !cap && r != or && r != oe)
		return -EPERM;
	if (e != ID_KEEP && !cap && !is_one_of(e, or, oe, os))
		return -EPERM;
	if (r != ID_KEEP || (e != ID_KEEP && e != or))
		ns = ne;
	new = prepare(sc);
	if (!new)
		return -ENOMEM;
	if (group) {
		new->gid = nr;
		new->egid = new->fsgid = ne;
		new->sgid = ns;
	} else {
		new->uid = nr;
		new->euid = new->fsuid = ne;
		new->suid = ns;
	}
	return commit(sc, new);
}

SYSCALL(145, setreuid)
{
	return set_re(sc, false);
}

SYSCALL(143, setregid)
{
	return set_re(sc, true);
}

/* setresuid / setresgid: each id that is set must be one of the three old
 * ones unless privileged; the filesystem id follows the effective one. */
static long set_res(struct sys_ctx *sc, bool group)
{
	uint32_t v[3] = { (uint32_t)sc->arg[0], (uint32_t)sc->arg[1], (uint32_t)sc->arg[2] };
	const struct cred *old = sc->proc->cred;
	uint32_t o[3] = { group ? old->gid : old->uid, group ? old->egid : old->euid,
			  group ? old->sgid : old->suid };
	struct cred *new;

	for (int i = 0; i < 3; i++)
		if (v[i] != ID_KEEP && !cred_capable(old) && !is_one_of(v[i], o[0], o[1], o[2]))
			return -EPERM;
	for (int i = 0; i < 3; i++)
		if (v[i] == ID_KEEP)
			v[i] = o[i];
	new = prepare(sc);
	if (!new)
		return -ENOMEM;
	if (group) {
		new->gid = v[0];
		new->egid = new->fsgid = v[1];
		new->sgid = v[2];
	} else {
		new->uid = v[0];
		new->euid = new->fsuid = v[1];
		new->suid = v[2];
	}
	return commit(sc, new);
}

SYSCALL(147, setresuid)
{
	return set_res(sc, false);
}

SYSCALL(149, setresgid)
{
	return set_res(sc, true);
}

/* setfsuid / setfsgid: always return the old id; change it when the new
 * one is one the caller has (or it is privileged). No errors, as Linux. */
static long set_fs(struct sys_ctx *sc, bool group)
{
	uint32_t id = (uint32_t)sc->arg[0];
	const struct cred *old = sc->proc->cred;
	uint32_t ofs = group ? old->fsgid : old->fsuid;
	bool ok = group ? is_one_of(id, old->gid, old->egid, old->sgid)
			: is_one_of(id, old->uid, old->euid, old->suid);
	struct cred *new;

	if (id == ID_KEEP || id == ofs || !(ok || cred_capable(old)))
		return ofs;
	new = prepare(sc);
	if (!new)
		return ofs; /* nothing to report it with: the id stays */
	if (group)
		new->fsgid = id;
	else
		new->fsuid = id;
	commit(sc, new);
	return ofs;
}

SYSCALL(151, setfsuid)
{
	return set_fs(sc, false);
}

SYSCALL(152, setfsgid)
{
	return set_fs(sc, true);
}

/* ---- supplementary groups ---------------------------------------------------------- */

SYSCALL(158, getgroups)
{
	int size = (int)sc->arg[0];
	const struct cred *c = sc->proc->cred;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if ((uint32_t)size < c->ngroups)
		return -EINVAL;
	int err = copy_to_user(proc_as(sc->proc), sc->arg[1], c->groups,
			       (size_t)c->ngroups * sizeof(c->groups[0]));

	return err ? err : (long)c->ngroups;
}

static void sort_ids(uint32_t *v, uint32_t n)
{
	/* Shell sort: lists are short, and this keeps the stack flat. */
	for (uint32_t gap = n / 2; gap; gap /= 2)
		for (uint32_t i = gap; i < n; i++)
			for (uint32_t j = i; j >= gap && v[j - gap] > v[j]; j -= gap) {
				uint32_t t = v[j];

				v[j] = v[j - gap];
				v[j - gap] = t;
			}
}

SYSCALL(159, setgroups)
{
	uint32_t n = (uint32_t)(int)sc->arg[0];
	const struct cred *old = sc->proc->cred;
	struct cred *new;
	int err;

	if (n > CRED_NGROUPS_MAX)
		return -EINVAL;
	if (!cred_capable(old))
		return -EPERM;
	new = cred_alloc(n);
	if (!new)
		return -ENOMEM;
	memcpy(&new->uid, &old->uid, offsetof(struct cred, ngroups) - offsetof(struct cred, uid));
	err = copy_from_user(proc_as(sc->proc), new->groups, sc->arg[1],
			     (size_t)n * sizeof(new->groups[0]));
	if (err)
		return abort_change(new, err);
	sort_ids(new->groups, n);
	return commit(sc, new);
}

/* ---- umask ------------------------------------------------------------------------ */

SYSCALL(166, umask)
{
	uint32_t old = sc->proc->umask;

	sc->proc->umask = (uint16_t)(sc->arg[0] & 0777);
	thread_fs_changed(sc->proc); /* CLONE_FS: the other threads' too */
	return old;
}
