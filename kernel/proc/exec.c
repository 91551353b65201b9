// SPDX-License-Identifier: MIT
/*
 * execve and the start of init. The new image is built completely in a
 * fresh address space before the old one is touched, so a failed execve
 * returns its error to an intact caller.
 *
 * As Linux: the file needs search permission along its path and execute
 * permission on itself (root too needs an x bit); a file open for writing
 * cannot be run, and a running program cannot be opened for writing
 * (ETXTBSY: the process keeps its image's inode in p->exe, denying writes,
 * until it execs again or exits); a "#!" script runs its interpreter with
 * the script's path as an argument (lib/shebang.h), up to EXEC_MAX_DEPTH
 * interpreters deep (-ELOOP); set-user-ID and set-group-ID bits on the
 * final binary change the effective ids.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/uring/uring.h"

#include "kernel/async/executor.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/aslr.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/uaccess.h"
#include "kernel/printk.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/elf_load.h"
#include "kernel/proc/exec_stack.h"
#include "kernel/proc/limits.h"
#include "kernel/syscall/syscall.h"
#include "lib/elf.h"
#include "lib/errno.h"
#include "lib/shebang.h"
#include "lib/string.h"

#define EXEC_MAX_IMAGE (8u << 20)
#define PATH_MAX 4096
/* Interpreters a chain of scripts may go through before the binary: Linux's
 * exec_binprm allows depths 0..5 (five scripts, then the binary). */
#define EXEC_MAX_DEPTH 5

/* ---- the running image ---------------------------------------------------------- */

void proc_exe_share(struct proc *child, struct proc *parent)
{
	child->exe = parent->exe;
	if (child->exe) {
		inode_get(child->exe);
		/* Cannot fail: the parent's own denial keeps the count <= 0. */
		(void)inode_deny_write_access(child->exe);
	}
}

void proc_exe_release(struct proc *p)
{
	struct inode *ino = p->exe;

	p->exe = NULL;
	if (ino) {
		inode_allow_write_access(ino);
		inode_put(ino);
	}
}

/*
 * Open path to run it (Linux's do_open_execat): found with symlinks
 * followed, a regular file the caller may execute, and not open for
 * writing; the returned file holds a write denial (drop it with
 * inode_allow_write_access before file_put).
 */
static int open_exec(struct proc *p, const char *path, struct file **out)
{
	struct inode *ino;
	int err = vfs_lookup(p, NULL, path, 0, &ino);

	if (err)
		return err;
	err = inode_permission(ino, MAY_EXEC);
	if (!err && !S_ISREG(ino->mode))
		err = -EACCES;
	if (!err)
		err = inode_deny_write_access(ino);
	if (!err) {
		err = file_open_inode(ino, O_RDONLY, out);
		if (err)
			inode_allow_write_access(ino);
	}
	inode_put(ino);
	return err;
}

static void close_exec(struct file *f)
{
	inode_allow_write_access(f->inode);
	file_put(f);
}

/* Read a whole executable into a kernel buffer (freed with kfree). */
static long read_image(struct file *f, void **out, size_t *size)
{
	size_t len = f->inode->size, got = 0;
	char *buf;

	if (len > EXEC_MAX_IMAGE)
		return -ENOEXEC;
	buf = kmalloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	while (got < len) {
		long n = file_read_kernel(f, buf + got, len - got, got);

		if (n <= 0) {
			kfree(buf);
			return n < 0 ? n : -ENOEXEC;
		}
		got += (size_t)n;
	}
	*out = buf;
	*size = len;
	return 0;
}

/* The start of f, its program header table included, into a kmalloc'd *hdr. */
static long read_headers(struct file *f, void **hdr, size_t *len)
{
	size_t want = f->inode->size < PAGE_SIZE ? (size_t)f->inode->size : PAGE_SIZE;
	uint64_t span;
	char *buf;
	long n;

	for (;;) {
		buf = kmalloc(want ? want : 1);
		if (!buf)
			return -ENOMEM;
		n = file_read_kernel(f, buf, want, 0);
		if (n < 0) {
			kfree(buf);
			return n;
		}
		span = elf_headers_span(buf, (size_t)n);
		if (span <= (uint64_t)n || span > EXEC_MAX_IMAGE || span > f->inode->size ||
		    (size_t)n < want)
			break;
		kfree(buf); /* a table past the first page: read that far */
		want = (size_t)span;
	}
	*hdr = buf;
	*len = (size_t)n;
	return 0;
}

/*
 * Load f into as: mapped from the page cache (elf_load_file), or copied
 * when it cannot be mapped (elf_load of the whole image, into a fresh as:
 * *asp may change). The image buffer goes to *image (kfree'd by the caller).
 */
static int load_image(struct file *f, struct as **asp, void **image, size_t *hdr_len,
		      struct elf_image_info *info)
{
	size_t size;
	long err = read_headers(f, image, &size);

	*hdr_len = size;

	if (err)
		return (int)err;
	err = elf_load_file(*asp, f, *image, size, false, info);
	if (err == 0)
		as_brk_init(*asp, info->brk + aslr_pages(ASLR_BRK_BITS, 2));
	if (err != -EXDEV)
		return (int)err;
	as_destroy(*asp);
	kfree(*image);
	*image = NULL;
	*asp = as_create();
	if (!*asp)
		return -ENOMEM;
	err = read_image(f, image, &size);
	*hdr_len = size;
	return err ? (int)err : elf_load(*asp, *image, size, info);
}

/*
 * The program asks for an interpreter (PT_INTERP, its path in the file at
 * info->interp_off): map it too (it may not want one itself), and start
 * there, the program's entry in AT_ENTRY and the interpreter's bias in
 * AT_BASE. hdr holds the program's first hdr_len bytes.
 */
static int load_interp(struct proc *p, struct as *as, struct file *prog, const char *hdr,
		       size_t hdr_len, struct elf_image_info *info)
{
	struct elf_image_info ii;
	struct file *f;
	size_t len = (size_t)info->interp_len, ilen;
	char *path = kmalloc(len), *ihdr = NULL;
	long err;

	if (!path)
		return -ENOMEM;
	if (info->interp_off + len <= hdr_len) {
		memcpy(path, hdr + info->interp_off, len);
		err = (long)len;
	} else {
		err = file_read_kernel(prog, path, len, info->interp_off);
	}
	/* A NUL-terminated path, exactly as long as the segment (Linux). */
	if (err >= 0 && ((size_t)err != len || path[len - 1] || strlen(path) != len - 1))
		err = -ENOEXEC;
	if (err >= 0)
		err = open_exec(p, path, &f);
	kfree(path);
	if (err < 0)
		return (int)err;
	err = read_headers(f, (void **)&ihdr, &ilen);
	if (!err)
		err = elf_load_file(as, f, ihdr, ilen, true, &ii);
	if (!err && ii.interp_len)
		err = -ELIBBAD; /* an interpreter wanting one itself */
	if (err == -EXDEV)
		err = -ELIBBAD; /* one we cannot map */
	if (!err) {
		info->start = ii.entry;
		info->base = ii.bias;
	}
	kfree(ihdr);
	close_exec(f);
	return (int)err;
}

/* ---- scripts ------------------------------------------------------------------------ */

static size_t vec_len(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* What a vector costs against the argument limit: strings and pointers. */
static size_t vec_cost(const char *const *v)
{
	size_t c = 0;

	for (size_t i = 0; v && v[i]; i++)
		c += strlen(v[i]) + 1 + sizeof(char *);
	return c;
}

/*
 * The interpreter's argv: { name, arg (if any), script, argv[1..] }, the
 * script's own argv[0] dropped, in one kmalloc block (pointers then
 * strings), so the caller may free the vector it came from.
 */
static char **script_argv(const char *const *argv, const char *name, const char *arg,
			  const char *script)
{
	size_t n = vec_len(argv), keep = n ? n - 1 : 0, bytes = 0, slots, i = 0;
	const char *head[3] = { name, arg ? arg : script, arg ? script : NULL };
	size_t nhead = arg ? 3 : 2;
	char **v, *s;

	for (size_t k = 0; k < nhead; k++)
		bytes += strlen(head[k]) + 1;
	for (size_t k = 1; k < n; k++)
		bytes += strlen(argv[k]) + 1;
	slots = nhead + keep + 1;
	v = kmalloc(slots * sizeof(char *) + bytes);
	if (!v)
		return NULL;
	s = (char *)(v + slots);
	for (size_t k = 0; k < nhead + keep; k++) {
		const char *src = k < nhead ? head[k] : argv[k - nhead + 1];
		size_t len = strlen(src) + 1;

		memcpy(s, src, len);
		v[i++] = s;
		s += len;
	}
	v[i] = NULL;
	return v;
}

/* ---- exec --------------------------------------------------------------------------- */

/*
 * The argument limit: a quarter of RLIMIT_STACK, as Linux, but at least
 * 128 KiB (ARG_MAX) and here at most EXEC_ARG_MAX (2 MiB, the quarter of
 * the default 8 MiB; Linux goes up to 6 MiB with a larger stack limit).
 */
static size_t arg_limit(struct proc *p)
{
	uint64_t q = proc_rlimit_cur(p, RLIMIT_STACK) / 4;

	if (q < EXEC_MIN_ARG_LIMIT)
		q = EXEC_MIN_ARG_LIMIT;
	return q < EXEC_ARG_MAX ? (size_t)q : EXEC_ARG_MAX;
}

/* The main stack's size: RLIMIT_STACK, kept between what the arguments
 * may need and 1 GiB (an unlimited stack still gets an area). */
static size_t stack_size(struct proc *p)
{
	uint64_t s = proc_rlimit_cur(p, RLIMIT_STACK);

	if (s < 4 * EXEC_MIN_ARG_LIMIT)
		s = 4 * EXEC_MIN_ARG_LIMIT;
	if (s > (1UL << 30))
		s = 1UL << 30;
	return (size_t)PAGE_ALIGN_UP(s);
}

/*
 * The credentials the new program runs with: the effective ids from the
 * file's set-id bits (set-group-ID only with group execute, as Linux), and
 * the saved and filesystem ids set to the effective ones (every exec does
 * that). NULL in *out when nothing changes.
 */
static int exec_cred(struct proc *p, const struct inode *ino, struct cred **out,
		     struct exec_ids *ids)
{
	const struct cred *old = p->cred;
	uint32_t euid = old->euid, egid = old->egid;
	struct cred *c;

	/* A nosuid mount's set-id bits are ignored (Linux's mnt_may_suid). */
	bool suid_ok = !sb_has(ino->sb, SB_NOSUID);

	if ((ino->mode & S_ISUID) && suid_ok)
		euid = ino->uid;
	if ((ino->mode & (S_ISGID | 0010)) == (S_ISGID | 0010) && suid_ok)
		egid = ino->gid;
	*ids = (struct exec_ids){
		.uid = old->uid, .euid = euid, .gid = old->gid, .egid = egid,
		/* Linux's secureexec for an id-changing exec. */
		.secure = euid != old->uid || egid != old->gid || euid != old->euid ||
			  !cred_in_egroup(old, egid),
	};
	*out = NULL;
	if (euid == old->euid && euid == old->suid && euid == old->fsuid && egid == old->egid &&
	    egid == old->sgid && egid == old->fsgid)
		return 0;
	c = cred_copy(old);
	if (!c)
		return -ENOMEM;
	c->euid = c->suid = c->fsuid = euid;
	c->egid = c->sgid = c->fsgid = egid;
	*out = c;
	return 0;
}

int proc_exec_kernel(struct proc *p, const char *path, const char *const *argv,
		     const char *const *envp)
{
	struct elf_image_info info;
	struct exec_ids ids;
	struct cred *cred = NULL;
	struct file *file = NULL;
	char **owned = NULL;	/* the rewritten argv of a script, if any */
	char *head = NULL;	/* the first bytes of each file, then the interpreter */
	char *interp = NULL;	/* the name the next file is opened by */
	struct as *as = NULL;
	void *image = NULL;
	struct proc_image *im = NULL;
	size_t hdr_len = 0;
	uintptr_t sp;
	long err;

	head = kmalloc(2 * SHEBANG_BUF);
	if (!head)
		return -ENOMEM;
	for (int depth = 0;; depth++) {
		char *name, *arg;
		char **v;

		if (depth > EXEC_MAX_DEPTH) {
			err = -ELOOP;
			goto out;
		}
		err = open_exec(p, interp ? interp : path, &file);
		if (err)
			goto out;
		memset(head, 0, SHEBANG_BUF);
		err = file_read_kernel(file, head, SHEBANG_BUF, 0);
		if (err < 0)
			goto out;
		if (err < 2 || head[0] != '#' || head[1] != '!')
			break;
		err = shebang_parse(head, &name, &arg);
		if (!err && !*name)
			err = -EACCES; /* what Linux answers for "#!" with no name */
		if (err)
			goto out;
		/* The script's path as the interpreter gets it: the name it was
		 * run by (argv[0] is dropped), then the interpreter's name. */
		v = script_argv(argv, name, arg, interp ? interp : path);
		if (!v) {
			err = -ENOMEM;
			goto out;
		}
		kfree(owned);
		owned = v;
		argv = (const char *const *)v;
		/* Keep the name: head is reused for the next file. */
		interp = head + SHEBANG_BUF;
		memmove(interp, name, strlen(name) + 1);
		close_exec(file);
		file = NULL;
	}
	if (vec_cost(argv) + vec_cost(envp) > arg_limit(p)) {
		err = -E2BIG;
		goto out;
	}
	err = exec_cred(p, file->inode, &cred, &ids);
	if (err)
		goto out;
	ids.stack_size = stack_size(p);
	as = as_create();
	if (!as) {
		err = -ENOMEM;
		goto out;
	}
	/* Mapped from the page cache; copied only when it cannot be mapped. */
	err = load_image(file, &as, &image, &hdr_len, &info);
	if (!err)
		err = exec_map_stack(as, ids.stack_size, &info);
	if (!err && info.interp_len)
		err = load_interp(p, as, file, image, hdr_len, &info);
	if (!err)
		err = exec_build_stack(as, argv, envp, &info, path, &ids, &sp);
	if (err)
		goto out;
	/* /proc/<pid>/exe names the file run: a script's interpreter. */
	err = proc_image_create(p, interp ? interp : path, path, argv, envp, &im);
	if (err)
		goto out;
	im->start_stack = sp;
	im->exe_inode = file->inode;
	im->arg_start = info.arg_start;
	im->arg_end = im->env_start = info.env_start;
	im->env_end = info.env_end;

	/* Point of no return: the old image goes, and the other threads. */
	if (p->tg)
		thread_exec_dethread(p);
	uring_proc_gone(p);	/* io_uring requests in flight aim at the old memory */
	if (proc_current() == p) {
		uloop_switch_as(p, as);
	} else {
		struct as *old = proc_view_swap(p, (void **)&p->as, as);

		if (old)
			as_put(old);
	}
	as = NULL;
	proc_image_put(proc_view_swap(p, (void **)&p->image, im));
	im = NULL;
	if (p->files)
		fdtable_close_on_exec(p->files);
	signal_reset_on_exec(p);
	uctx_init(&p->uc, info.start, sp);
	proc_set_name(p, path); /* a script keeps its own name, as Linux */
	thread_vfork_release(p); /* a vfork parent goes on now */
	if (cred) {
		proc_cred_commit(p, cred);
		cred = NULL;
	}
	/* The image's inode stays denied for writing while it runs. */
	proc_exe_release(p);
	p->exe = inode_get(file->inode);
	file_put(file);
	file = NULL;
	err = 0;
out:
	if (as)
		as_destroy(as);
	proc_image_put(im);
	kfree(image);
	cred_put(cred);
	if (file)
		close_exec(file);
	kfree(owned);
	kfree(head);
	return (int)err;
}

/* Restartable: a cache miss while reading the image (-EIOWAIT) happens
 * before the point of no return, and the whole call runs again. */
static long do_execve(struct sys_ctx *sc)
{
	static const char *const empty_argv[] = { "", NULL };
	struct proc *p = sc->proc;
	char **argv = NULL, **envp = NULL;
	size_t argv_total, envp_total;
	char *path;
	long err;

	path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	err = strncpy_from_user(p->as, path, sc->arg[0], PATH_MAX);
	if (err < 0)
		goto out_path;
	err = exec_copy_strings_from_user(p->as, sc->arg[1], &argv, &argv_total);
	if (err)
		goto out_path;
	err = exec_copy_strings_from_user(p->as, sc->arg[2], &envp, &envp_total);
	if (err)
		goto out_argv;
	err = -E2BIG;
	/* An empty argv becomes { "" }: Linux (5.18 on) never starts a program
	 * with argc 0. */
	if (argv_total + envp_total <= arg_limit(p))
		err = proc_exec_kernel(p, path,
				       argv[0] ? (const char *const *)argv : empty_argv,
				       (const char *const *)envp);
	exec_free_strings(envp);
out_argv:
	exec_free_strings(argv);
out_path:
	kfree(path);
	return err;
}

SYSCALL_ASYNC(221, execve)
{
	return fs_call(sc, do_execve);
}

/* At boot, outside any task: wait out a cache miss (-EIOWAIT) with
 * exec_block_on; true if the caller should try again. */
static bool boot_wait_io(int err)
{
	return err == -EIOWAIT && vfs_wait_io_here();
}

/*
 * Start pid 1: /sbin/init with fds 0-2 on /dev/console. args are its
 * argv[1..] (the kernel command line's `init=PROG ARGS...` and the words
 * after `--`; user/README.md has the contract).
 */
int proc_start_init(const char *const *args)
{
	const char *argv[32] = { "/sbin/init" };
	const char *envp[] = { "PATH=/bin:/sbin", "HOME=/", "TERM=vt100", NULL };
	struct proc *p;
	int argc = 1, err;

	while (args && args[argc - 1] && argc < 31) {
		argv[argc] = args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;

	p = proc_alloc();
	if (!p || p->pid != 1)
		return -ENOMEM;
	init_proc = p;
	p->files = fdtable_create();
	p->cwd = vfs_root ? inode_get(vfs_root) : NULL;
	if (!p->files || !p->cwd)
		return -ENOMEM;
	for (int fd = 0; fd < 3; fd++) {
		struct file *con;

		do
			err = vfs_open_kernel(p, "/dev/console", O_RDWR, &con);
		while (boot_wait_io(err));
		if (err)
			return err;
		err = fd_install(p, con, 0);
		if (err < 0)
			return err;
	}
	do
		err = proc_exec_kernel(p, "/sbin/init", argv, envp);
	while (boot_wait_io(err));
	if (err)
		return err;
	uloop_init(p);
	err = uloop_spawn(p, 0);
	if (!err && proc_loadavg_start())
		kprintf("loadavg: no sampler task; the load averages stay 0\n");
	return err;
}
