// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/{maps,fd/,fdinfo/}: a process's mappings and open files, and
 * the names of open files (the path they were opened by, struct file_name,
 * checked against the directory when read: renames, " (deleted)").
 */
#include "kernel/fs/proc/procfs_int.h"

#include "kernel/arch.h"
#include "kernel/fs/devfs.h"
#include "kernel/fs/fdtable.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/vdso.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* ---- maps ------------------------------------------------------------------------------ */

/* One area, copied under the address space's lock; named outside it. */
struct map_area {
	uintptr_t start, end;
	uint64_t off;		/* bytes into the file */
	uint64_t ino;
	uint32_t dev;
	unsigned prot : 3, shared : 1;
	const void *inode;	/* the file's inode, an identity only */
	struct file *file;	/* counted, when it has a name to find */
	const char *name;	/* [heap], [stack], [vvar], [vdso], or NULL */
};

struct map_snap {
	struct map_area *a;
	unsigned n, cap, total;
};

static int maps_fn(struct as *as, void *arg)
{
	struct map_snap *ms = arg;
	struct vma *v;

	if (!as)
		return 0;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	ms->total = 0;
	list_for_each_entry(v, &as->vmas, node) {
		struct file *f = vma_file(v);
		struct map_area *m = &ms->a[ms->total];

		if (ms->total++ >= ms->cap)
			continue;
		*m = (struct map_area){ .start = v->start, .end = v->end, .prot = v->prot,
					.shared = v->shared };
		if (f) {
			m->off = vma_pgoff(v) << PAGE_SHIFT;
			m->inode = f->inode;
			m->ino = f->inode->ino;
			m->dev = f->inode->sb ? f->inode->sb->dev : 0;
			if (f->name)
				m->file = file_get(f);
		}
		m->name = v->kind == VMA_HEAP ? "[heap]" : v->kind == VMA_STACK ? "[stack]" :
			  v->kind == VMA_ANON ? vdso_vma_name_locked(as, v->start) : NULL;
	}
	ms->n = ms->total < ms->cap ? ms->total : ms->cap;
	spin_unlock_irqrestore(&as->lock, fl);
	return 0;
}

/* fs/proc/task_mmu.c's layout: the name from column 74 (64-bit addresses). */
int procfs_show_maps(struct seqbuf *s, const struct gen_ctx *c)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	struct map_snap ms = { .cap = 16 };
	const void *exe;
	char *exe_path, *path;
	long exe_len = 0;
	int err = 0;

	if (!p)
		return -ESRCH;
	/* The areas are counted under the lock; a bigger array and again if
	 * they were more than it held (the process may map meanwhile). A
	 * process that keeps mapping faster than this reads gets a text cut
	 * at the last array's size after a few rounds, never a reader that
	 * loops for ever. */
	for (int round = 0;; round++) {
		ms.a = kmalloc(ms.cap * sizeof(*ms.a));
		if (!ms.a) {
			proc_view_put(p);
			return -ENOMEM;
		}
		ms.n = ms.total = 0;
		proc_view_with_as(p, maps_fn, &ms);
		if (ms.total <= ms.cap || round == 4)
			break;
		for (unsigned i = 0; i < ms.n; i++)
			file_put(ms.a[i].file);
		kfree(ms.a);
		ms.cap = ms.total + ms.total / 4 + 8;
	}
	exe = proc_view_exe_inode(p);
	exe_path = kmalloc(PATH_MAX);
	path = kmalloc(PATH_MAX);
	if (exe && exe_path)
		exe_len = proc_view_exe(p, exe_path, PATH_MAX - 1);
	proc_view_put(p);
	for (unsigned i = 0; i < ms.n && err != -EIOWAIT; i++) {
		const struct map_area *m = &ms.a[i];
		size_t start = s->len;
		const char *name = m->name;
		long pl;

		if (m->file && m->inode != exe && path) {
			pl = procfs_file_path(m->file, path);
			if (pl == -EIOWAIT)
				err = (int)pl; /* the read starts over once the block is in */
			else if (pl > 0)
				name = path;
		}

		seq_printf(s, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %llu", (unsigned long)m->start,
			   (unsigned long)m->end, m->prot & AS_PROT_READ ? 'r' : '-',
			   m->prot & AS_PROT_WRITE ? 'w' : '-', m->prot & AS_PROT_EXEC ? 'x' : '-',
			   m->shared ? 's' : 'p', (unsigned long long)m->off,
			   (m->dev >> 8) & 0xfffu, (m->dev & 0xffu) | ((m->dev >> 12) & 0xfff00u),
			   (unsigned long long)m->ino);
		if (m->inode && m->inode == exe && exe_len > 0) {
			exe_path[exe_len] = '\0';
			name = exe_path;
		}
		if (name) {
			while (s->len - start < 73 && !s->overflow)
				seq_putc(s, ' ');
			seq_printf(s, "%s", name);
		}
		seq_putc(s, '\n');
	}
	for (unsigned i = 0; i < ms.n; i++)
		file_put(ms.a[i].file);
	kfree(path);
	kfree(exe_path);
	kfree(ms.a);
	return err;
}

/* ---- names of open files ----------------------------------------------------------- */

struct find_ino {
	uint64_t ino;
	char *name;	/* NAME_MAX + 1 */
	bool found;
};

static bool find_ino_fill(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
			  uint64_t next_pos)
{
	struct find_ino *fi = ctx;

	(void)dtype;
	(void)next_pos;
	if (ino != fi->ino || len > NAME_MAX || (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.'))))
		return true;
	memcpy(fi->name, name, len);
	fi->name[len] = '\0';
	fi->found = true;
	return false;
}

/* Is the entry name of dir the inode ino? 1 yes, 0 no, -EIOWAIT. */
static int names_inode(struct inode *dir, const char *name, const struct inode *ino)
{
	struct inode *got;
	int r = vfs_lookup_child(dir, name, strlen(name), &got);

	if (r == -EIOWAIT)
		return r;
	if (r)
		return 0;
	r = got->sb == ino->sb && got->ino == ino->ino;
	inode_put(got);
	return r;
}

/*
 * The path of an open regular file as Linux's fd links and maps name it: the
 * path it was opened by, made absolute (its base directory named by getcwd,
 * "." and ".." folded, the directory then named by getcwd: symlinks on the
 * way resolved). If that no longer names the file: its new name in
 * the same directory (a rename), or the path and " (deleted)" once its last
 * link went. A file moved to another directory keeps its old path (no dentry
 * cache follows it). buf holds PATH_MAX bytes; the length, or -errno
 * (-EIOWAIT: the disk is read and the call starts over).
 */
long procfs_file_path(struct file *f, char *buf)
{
	const struct file_name *fn = f->name;
	char *name = NULL, *slash;
	struct inode *dir = NULL;
	long r;

	if (!fn)
		return -ENOENT;
	if (fn->base) {
		r = vfs_getcwd(fn->base, buf, PATH_MAX);
		if (r < 0)
			return r;
		if ((fn->path[0] != '/' && strlcat(buf, "/", PATH_MAX) >= PATH_MAX) ||
		    strlcat(buf, fn->path, PATH_MAX) >= PATH_MAX)
			return -ENAMETOOLONG;
	} else {
		strlcpy(buf, fn->path, PATH_MAX);
	}
	proc_path_normalize(buf);
	slash = strrchr(buf, '/');
	name = kmalloc(NAME_MAX + 1);
	if (!name)
		return -ENOMEM;
	/* The directory part, looked up without the last component. */
	*slash = '\0';
	r = vfs_lookup(proc_current(), NULL, buf[0] ? buf : "/", 0, &dir);
	*slash = '/';
	if (r == -EIOWAIT)
		goto out;
	if (!r) {
		bool found;

		r = names_inode(dir, slash + 1, f->inode);
		if (r < 0)
			goto out;
		found = r;
		if (found) {
			strlcpy(name, slash + 1, NAME_MAX + 1);
		} else {
			/* Renamed? Look for its inode among the directory's entries. */
			struct find_ino fi = { .ino = f->inode->ino, .name = name };
			uint64_t off = 0, before;

			r = 0;
			do {
				before = off;
				r = dir->iops && dir->iops->readdir ?
					    dir->iops->readdir(dir, &off, find_ino_fill, &fi) : 0;
			} while (!r && !fi.found && off != before);
			if (r == -EIOWAIT)
				goto out;
			found = fi.found;
		}
		/* The directory by its own name: symlinks on the way resolved, as
		 * Linux shows them (/proc/self/status is /proc/<pid>/status). */
		if (found) {
			char *real = kmalloc(PATH_MAX);
			long rl = real ? vfs_getcwd(dir, real, PATH_MAX) : -ENOMEM;

			if (rl == -EIOWAIT) {
				kfree(real);
				r = rl;
				goto out;
			}
			if (rl > 0 && (!strcmp(real, "/") || strlcat(real, "/", PATH_MAX) < PATH_MAX) &&
			    strlcat(real, name, PATH_MAX) < PATH_MAX)
				strlcpy(buf, real, PATH_MAX);
			kfree(real);
		}
	}
	if (f->inode->nlink == 0)
		strlcat(buf, " (deleted)", PATH_MAX);
	r = (long)strlen(buf);
out:
	inode_put(dir);
	kfree(name);
	return r;
}

/* The file at fd of the process in c, counted, or NULL. */
static struct file *ctx_file(const struct gen_ctx *c, bool *cloexec)
{
	struct proc *p = proc_view_get(procfs_ctx_pid(c));
	struct file *f = NULL;

	if (!p)
		return NULL;
	if (proc_view_next_fd(p, c->id, &f, cloexec) != c->id && f) {
		file_put(f);
		f = NULL;
	}
	proc_view_put(p);
	return f;
}

uint16_t procfs_fd_perm(const struct gen_ctx *c)
{
	bool cloexec;
	struct file *f = ctx_file(c, &cloexec);
	uint16_t perm = 0700;

	if (f) {
		perm = (file_readable(f) ? 0500 : 0100) | (file_writable(f) ? 0200 : 0);
		if (f->flags & O_PATH)
			perm = 0500;
		file_put(f);
	}
	return perm;
}

long procfs_link_fd(const struct gen_ctx *c, char *buf, size_t n)
{
	bool cloexec;
	struct file *f = ctx_file(c, &cloexec);
	struct inode *ino;
	char t[48];
	long r;

	if (!f)
		return -ENOENT;
	ino = f->inode;
	if (S_ISDIR(ino->mode)) {
		r = procfs_dir_link(inode_get(ino), buf, n);
	} else if (S_ISCHR(ino->mode) && devfs_name(ino->rdev)) {
		fmt_snprintf(t, sizeof(t), "/dev/%s", devfs_name(ino->rdev));
		r = procfs_put_link(buf, n, t);
	} else if (S_ISFIFO(ino->mode) && ino->sb && !strcmp(ino->sb->name, "pipefs")) {
		fmt_snprintf(t, sizeof(t), "pipe:[%llu]", (unsigned long long)ino->ino);
		r = procfs_put_link(buf, n, t);
	} else if (S_ISSOCK(ino->mode)) {
		fmt_snprintf(t, sizeof(t), "socket:[%llu]", (unsigned long long)ino->ino);
		r = procfs_put_link(buf, n, t);
	} else if (f->ops && f->ops->anon_name) {
		fmt_snprintf(t, sizeof(t), "anon_inode:[%s]", f->ops->anon_name);
		r = procfs_put_link(buf, n, t);
	} else if (f->name) {
		char *path = kmalloc(PATH_MAX);

		r = path ? procfs_file_path(f, path) : -ENOMEM;
		if (r > 0)
			r = procfs_put_link(buf, n, path);
		kfree(path);
	} else {
		/* Opened otherwise than by a path (or out of memory then). */
		fmt_snprintf(t, sizeof(t), "/dev/inode:[%llu:%llu]",
			     (unsigned long long)ino->sb->dev, (unsigned long long)ino->ino);
		r = procfs_put_link(buf, n, t);
	}
	file_put(f);
	return r;
}

int procfs_show_fdinfo(struct seqbuf *s, const struct gen_ctx *c)
{
	bool cloexec;
	struct file *f = ctx_file(c, &cloexec);

	if (!f)
		return -ENOENT;
	/* 64-bit Linux opens everything with O_LARGEFILE, pipes aside. */
	unsigned flags = f->flags | (cloexec ? O_CLOEXEC : 0u) |
			 (S_ISFIFO(f->inode->mode) || !f->inode->sb ? 0u : O_LARGEFILE);

	seq_printf(s, "pos:\t%llu\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
		   (unsigned long long)f->pos, flags, procfs_mnt_id(f->inode->sb),
		   (unsigned long long)f->inode->ino);
	file_put(f);
	return 0;
}
