// SPDX-License-Identifier: MIT
/*
 * execve and the start of init. The new image is built completely in a
 * fresh address space before the old one is touched, so a failed execve
 * returns its error to an intact caller.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/async/executor.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/printk.h"
#include "kernel/proc/elf_load.h"
#include "kernel/proc/exec_stack.h"
#include "lib/elf.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define EXEC_MAX_IMAGE (8u << 20)
#define PATH_MAX 4096

/*
 * Read a whole executable into a kernel buffer (freed with kfree). Only a
 * regular file with an execute bit qualifies (-EACCES otherwise, as Linux).
 */
static long read_image(struct file *f, void **out, size_t *size)
{
	const struct inode *ino = f->inode;
	size_t len = ino->size, got = 0;
	char *buf;

	if ((ino->mode & S_IFMT) != S_IFREG || !(ino->mode & 0111))
		return -EACCES;
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

int proc_exec_kernel(struct proc *p, const char *path, const char *const *argv,
		     const char *const *envp)
{
	struct elf_image_info info;
	struct file *file;
	struct as *as;
	void *image;
	size_t size;
	uintptr_t sp;
	long err;

	err = vfs_open_kernel(p, path, O_RDONLY, &file);
	if (err)
		return err == -EISDIR ? -EACCES : (int)err;
	if ((file->inode->mode & S_IFMT) != S_IFREG || !(file->inode->mode & 0111)) {
		file_put(file);
		return -EACCES;
	}
	err = read_headers(file, &image, &size);
	if (err) {
		file_put(file);
		return (int)err;
	}
	as = as_create();
	if (!as) {
		err = -ENOMEM;
		goto out_image;
	}
	/* Mapped from the page cache; copied only when it cannot be mapped. */
	err = elf_load_file(as, file, image, size, &info);
	if (err == -EXDEV) {
		as_destroy(as);
		kfree(image);
		image = NULL;
		as = as_create();
		err = as ? read_image(file, &image, &size) : -ENOMEM;
		if (!err)
			err = elf_load(as, image, size, &info);
	}
	if (err)
		goto out_as;
	err = exec_build_stack(as, argv, envp, &info, path, &sp);
	if (err)
		goto out_as;

	/* Point of no return: the old image goes. */
	if (proc_current() == p)
		uloop_switch_as(p, as);
	else {
		if (p->as)
			as_destroy(p->as);
		p->as = as;
	}
	if (p->files)
		fdtable_close_on_exec(p->files);
	signal_reset_on_exec(p);
	uctx_init(&p->uc, info.entry, sp);
	proc_set_name(p, path);
	kfree(image);
	file_put(file);
	return 0;

out_as:
	if (as)
		as_destroy(as);
out_image:
	kfree(image);
	file_put(file);
	return (int)err;
}

/* Restartable: a cache miss while reading the image (-EIOWAIT) happens
 * before the point of no return, and the whole call runs again. */
static long do_execve(struct sys_ctx *sc)
{
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
	if (argv_total + envp_total <= EXEC_ARG_MAX)
		err = proc_exec_kernel(p, path, (const char *const *)argv, (const char *const *)envp);
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
	struct future *io;

	if (err != -EIOWAIT)
		return false;
	io = vfs_take_io_wait();
	if (!io)
		return false;
	exec_block_on(io);
	future_drop(io);
	future_release(io);
	return true;
}

/*
 * Start pid 1: /sbin/init with fds 0-2 on /dev/console. `init=PROG ARGS...`
 * on the kernel command line becomes argv[1..] (user/README.md has the
 * contract); @cmdline_tail is everything after "init=", or NULL.
 */
int proc_start_init(const char *cmdline_tail)
{
	static char argbuf[512];
	const char *argv[32] = { "/sbin/init" };
	const char *envp[] = { "PATH=/bin:/sbin", "HOME=/", "TERM=vt100", NULL };
	struct proc *p;
	int argc = 1, err;

	if (cmdline_tail) {
		char *s = argbuf;

		strlcpy(argbuf, cmdline_tail, sizeof(argbuf));
		while (*s && argc < 31) {
			while (*s == ' ')
				*s++ = 0;
			if (!*s)
				break;
			argv[argc++] = s;
			while (*s && *s != ' ')
				s++;
		}
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
	return uloop_spawn(p, 0);
}
