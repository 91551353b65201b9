/* SPDX-License-Identifier: MIT */
/*
 * The VFS: inodes, open files, user/kernel I/O descriptors (uio) and path
 * lookup. File systems (ramfs now, ext2 later) and devices (pipes, the
 * console, /dev/null) plug in through const ops tables.
 *
 * How blocking fits (the choice a disk file system builds on):
 *
 *  - Streams (pipes, the tty) are *readiness* based. file_ops.read/write
 *    never block: they return -EAGAIN when they would, and file_ops.waitq
 *    names the wait queue that is woken when retrying may succeed. The
 *    syscall layer (file_rw, file_rw.c) turns that into a future:
 *    register on the wait queue, retry, return PENDING if still -EAGAIN.
 *    Cancelling that future just unregisters it from the queue.
 *
 *  - Everything else (inode_ops, regular-file read/write) runs to completion
 *    against in-memory state and returns a value at once. ramfs is always in
 *    memory. A disk file system keeps the same synchronous ops over its
 *    buffer cache: when an op needs a block that is not cached, it starts the
 *    read, parks the I/O future with vfs_set_io_wait() and returns -EIOWAIT
 *    *before changing anything*. The syscall layer then awaits that future
 *    and restarts the whole syscall from scratch (vfs_restart_on_io, which
 *    also re-copies the user's arguments); the rerun carries what earlier
 *    runs gathered (pinned blocks, where a path walk stopped: ioctx.h), so
 *    it always makes progress. Ops are thus written as
 *    "gather every block first, then mutate the cached copies", and nothing
 *    is ever half-done across a wait. Writes go to the cache (write-back),
 *    so only misses wait.
 *
 * Reference counting: inode->ref counts in-memory users (open files, cwd,
 * path walks, directory entries of the owning fs decide on their own);
 * inode_put() calling ->evict at zero. struct file ->ref counts fd slots
 * (dup, fork) and in-flight syscalls.
 *
 * Lock legend: A atomic; I set at creation; F owned by the file system (see
 * the fs's own legend; ramfs uses one lock for its namespace and data).
 */
#ifndef KERNEL_FS_VFS_H
#define KERNEL_FS_VFS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mm/uaccess.h"
#include "lib/list.h"

struct as;
struct blkdev;
struct pcache;
struct proc;
struct future;
struct waitq;
struct epitem;

/* ---- Linux ABI constants (asm-generic, riscv64) --------------------------- */

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_PATH 010000000

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EACCESS 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_EMPTY_PATH 0x1000

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

#define NAME_MAX 255
#define PATH_MAX 4096
#define SYMLOOP_MAX 40
#define PIPE_BUF 4096

/* Kernel-internal: "parked an I/O future with vfs_set_io_wait, restart me". */
#define EIOWAIT 530

/* Device numbers, Linux's new_encode_dev for small numbers. */
#define MKDEV(ma, mi) ((uint32_t)(((ma) << 8) | ((mi)&0xff) | (((mi)&~0xffu) << 12)))

/* struct stat of Linux riscv64 (asm-generic): 128 bytes. */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint64_t pad1;
	int64_t st_size;
	int32_t st_blksize;
	int32_t pad2;
	int64_t st_blocks;
	int64_t st_atime_sec;
	uint64_t st_atime_nsec;
	int64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	uint32_t unused4, unused5;
};
_Static_assert(sizeof(struct linux_stat) == 128, "riscv64 struct stat is 128 bytes");
_Static_assert(offsetof(struct linux_stat, st_size) == 48, "st_size at 48");

/* struct iovec of the user ABI. */
struct iovec {
	uintptr_t base;
	size_t len;
};
#define IOV_MAX 1024

/* ---- uio: where the bytes of a read or write go ------------------------- */

/*
 * A cursor over a list of segments in a user address space (as != NULL) or
 * in kernel memory (as == NULL). Copies advance it. A bad user address stops
 * a copy at the page that faults, so a partial count is exact.
 */
struct uio {
	struct as *as;
	const struct iovec *iov;	/* the current segment */
	unsigned iovcnt;		/* segments left, the current one included */
	size_t iov_off;			/* bytes of iov[0] already done */
	size_t resid;			/* bytes left over all segments */
	struct as_cursor cur;		/* the user copies' page-table cursor */
};

void uio_init_user(struct uio *u, struct as *as, const struct iovec *iov, unsigned cnt);
/* One segment: iov must stay valid as long as u (usually next to it). */
void uio_init_kernel(struct uio *u, struct iovec *iov, void *buf, size_t n);
/* Copy n bytes (at most resid) out of src into the uio. Returns bytes
 * copied, or -EFAULT when nothing could be copied. */
long uio_copy_to(struct uio *u, const void *src, size_t n);
/* Copy n bytes (at most resid) from the uio into dst. Same returns. */
long uio_copy_from(struct uio *u, void *dst, size_t n);
/* Copy the kernel pieces v[0..n) in order into the uio (one lock hold per
 * user segment). Same returns as uio_copy_to. */
long uio_copy_to_vec(struct uio *u, const struct kvec *v, unsigned n);
/* Write n zero bytes into the uio (holes, /dev/zero). */
long uio_zero(struct uio *u, size_t n);

/* ---- inodes ------------------------------------------------------------- */

struct inode;
struct file;
struct iattr;
struct superblock;

/* getdents callback: return false to stop (buffer full). */
typedef bool (*vfs_filldir_t)(void *ctx, const char *name, size_t len, uint64_t ino,
			      unsigned dtype, uint64_t next_pos);

/*
 * Names passed to ops are (name, len) pairs, NOT NUL-terminated; len is
 * 1..NAME_MAX and the name is never "." or ".." except in lookup. Every op
 * that returns an inode returns a counted reference. Ops a file system does
 * not support are NULL (the VFS answers -EPERM / -ENOTDIR / -EINVAL).
 * All may return -EIOWAIT (see the top of this file).
 */
struct inode_ops {
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	/* Make a regular file, directory or device node (mode has S_IFMT). */
	int (*create)(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t rdev, struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, size_t len, const char *target,
		       struct inode **out);
	int (*link)(struct inode *dir, const char *name, size_t len, struct inode *target);
	/* Remove a name; rmdir selects directories (ENOTDIR / EISDIR otherwise). */
	int (*unlink)(struct inode *dir, const char *name, size_t len, bool rmdir);
	int (*rename)(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		      const char *nname, size_t nlen, unsigned flags);
	/* Symlink target into a kernel buffer; returns its length (truncated to n). */
	long (*readlink)(struct inode *ino, char *buf, size_t n);
	/* Emit entries from *pos on (0 and 1 are "." and ".."); updates *pos. */
	int (*readdir)(struct inode *dir, uint64_t *pos, vfs_filldir_t fill, void *ctx);
	int (*truncate)(struct inode *ino, uint64_t size);
	/* Change the attributes ia->valid names (in memory and on disk). NULL:
	 * the VFS changes the in-memory inode itself (inode_setattr_mem). */
	int (*setattr)(struct inode *ino, const struct iattr *ia);
	/* The last reference went away (free it if nlink == 0, or cache it). */
	void (*evict)(struct inode *ino);
};

/* Attribute changes for inode_ops.setattr; ctime always becomes now. */
#define ATTR_ATIME 0x1		/* atime_ns */
#define ATTR_MTIME 0x2		/* mtime_ns */
#define ATTR_ATIME_NOW 0x4	/* atime = the fs's now (with ATTR_ATIME) */
#define ATTR_MTIME_NOW 0x8	/* mtime = the fs's now (with ATTR_MTIME) */

#define ATTR_MODE 0x10		/* mode's permission bits (07777) */
#define ATTR_UID 0x20		/* uid */
#define ATTR_GID 0x40		/* gid */

struct iattr {
	unsigned valid;
	int64_t atime_ns, mtime_ns;
	/* Ownership and permissions (chmod, chown; kernel/fs/perm.c). */
	uint32_t mode, uid, gid;
};

/* Apply ia to the in-memory inode with now as the current time. */
void inode_setattr_mem(struct inode *ino, const struct iattr *ia, int64_t now);

/* What statfs reports of a mounted file system. */
struct vfs_statfs {
	uint64_t magic;			/* f_type */
	uint32_t bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	bool ro;
};

/*
 * A mounted file system's whole-fs operations. Every op may be NULL: no
 * deferred work, nothing to write back, no fixed size, never busy.
 */
struct super_ops {
	/* Finish deferred work (inodes unlinked while open) into the cache.
	 * May return -EIOWAIT. Does not write the cache to disk. */
	int (*flush)(struct superblock *sb);
	/* A future that writes the fs's cached blocks to its device (its
	 * ->result is 0 or -EIO), or NULL when out of memory. */
	struct future *(*sync)(struct superblock *sb);
	void (*statfs)(struct superblock *sb, struct vfs_statfs *st);
	/* Drop the fs if nothing but root holds it (root is consumed on
	 * success), -EBUSY while inodes are in use. */
	int (*unmount)(struct superblock *sb, struct inode *root);
};

struct superblock {
	uint32_t dev;				/* I: st_dev */
	const char *name;			/* I: "ramfs" */
	const struct super_ops *ops;		/* I */
	struct blkdev *bdev;			/* I: the device it lives on, or NULL */
	atomic_uint_fast64_t next_ino;		/* A: inode number allocator (ramfs) */
	/* Set by mount(2) (kernel/fs/sys_mount.c), zero for a fresh sb. */
	atomic_uint flags;			/* A: SB_RDONLY, SB_NOEXEC, SB_NODEV */
	atomic_int writers;			/* A: files of the fs open for writing */
	unsigned fs_flags;			/* I: SB_DCACHE, set by the file system */
};

/* Names change only through the VFS: the name cache may keep them (dcache.h). */
#define SB_DCACHE 0x1

#define SB_RDONLY 0x1	/* MS_RDONLY: writes give -EROFS (the VFS checks; so does ext2) */
#define SB_NOSUID 0x2	/* MS_NOSUID: exec ignores set-id bits */
#define SB_NODEV 0x4	/* MS_NODEV: device nodes do not open (-EACCES) */
#define SB_NOEXEC 0x8	/* MS_NOEXEC: files do not run (-EACCES) */

static inline bool sb_has(const struct superblock *sb, unsigned flag)
{
	return sb && (atomic_load_explicit(&((struct superblock *)sb)->flags,
					   memory_order_relaxed) & flag);
}
static inline bool sb_rdonly(const struct superblock *sb)
{
	return sb_has(sb, SB_RDONLY);
}

/*
 * A file system type that mount(2) can name. Registered with FS_TYPE()
 * in a linker section, so adding one is a new folder and no edit here.
 */
/* What mount(2) was asked beyond the source and the target. */
struct mount_opts {
	unsigned long flags; /* MS_RDONLY, MS_NOSUID, ... as Linux numbers them */
	const char *data;    /* "size=1m,mode=1777", or NULL */
};

struct fs_type {
	const char *name;			/* "ext2" */
	bool needs_dev;				/* mount's source names a block device */
	/* Mount the fs on dev (NULL when !needs_dev) with mount(2)'s flags and
	 * options (o->data: the kernel's NUL-terminated copy, or NULL); *root is
	 * counted. May return -EIOWAIT (restart contract), -EINVAL for a bad
	 * image or option. */
	int (*mount)(struct blkdev *dev, const struct mount_opts *o, struct inode **root);
};

#define FS_TYPE(var)                                                                               \
	static const struct fs_type *const fs_type_ptr_##var                                      \
		__attribute__((used, section("fs_types"), aligned(8))) = &(var)

/* The registered type called name, or NULL. */
const struct fs_type *vfs_fs_type(const char *name);

struct inode {
	uint64_t ino;				/* I */
	uint32_t mode;				/* F: S_IFMT | permissions */
	uint32_t nlink;				/* F */
	uint32_t uid, gid;			/* F */
	uint32_t rdev;				/* I: device number for S_IFCHR */
	atomic_uint ref;			/* A */
	uint64_t size;				/* F */
	int64_t atime_ns, mtime_ns, ctime_ns;	/* F: since the epoch */
	const struct inode_ops *iops;		/* I */
	const struct file_ops *fops;		/* I: how an open file of it behaves */
	struct superblock *sb;			/* I */
	void *priv;				/* I: the fs's or device's own state */
	/* The page cache of a regular file's data (kernel/mm/pcache.h):
	 * attached by the fs when it makes the inode, detached at evict. */
	struct pcache *pcache;			/* F */
	/* ETXTBSY (perm.c): > 0 open for writing that many times, < 0 running
	 * as a program that many times; never both. */
	atomic_int writecount;			/* A */
	/* The name-cache entries in this directory (kernel/fs/dcache.h). */
	struct list_head d_children;		/* dcache's lock */
};

struct inode *inode_get(struct inode *ino);
void inode_put(struct inode *ino);
/* Fill a fresh inode (ref 1); the caller owns the memory. */
void inode_init(struct inode *ino, struct superblock *sb, uint32_t mode,
		const struct inode_ops *iops, const struct file_ops *fops);
void inode_fill_stat(const struct inode *ino, struct linux_stat *st);
int64_t vfs_now_ns(void);

/* ---- open files --------------------------------------------------------- */

/*
 * File ops. read/write move bytes between the file and the uio at *pos
 * (the file's own offset, or an explicit one for pread and kernel reads),
 * advancing *pos; streams ignore pos. They return a count, 0 at end of
 * file, -errno, or -EAGAIN when they would block (then ->waitq says where
 * to wait; the caller handles O_NONBLOCK).
 */
struct file_ops {
	int (*open)(struct inode *ino, struct file *f);
	void (*release)(struct file *f);
	long (*read)(struct file *f, struct uio *u, uint64_t *pos);
	long (*write)(struct file *f, struct uio *u, uint64_t *pos);
	/* false: lseek gives -ESPIPE (pipes, ttys). */
	bool seekable;
	long (*ioctl)(struct file *f, struct proc *p, unsigned cmd, uintptr_t arg);
	/* The wait queue to park on after -EAGAIN from read (write = false) or
	 * write (write = true). Readiness waits on the same queues (poll.h):
	 * the read queue is woken when an input-side event (POLLIN, POLLPRI,
	 * POLLRDHUP, POLLHUP) may have changed, the write queue for POLLOUT and
	 * POLLERR; a file with one queue returns it for both. */
	struct waitq *(*waitq)(struct file *f, bool write);
	int (*readdir)(struct file *f, uint64_t *pos, vfs_filldir_t fill, void *ctx);
	/* Readiness: the POLL* events (kernel/fs/poll.h) true now, as Linux
	 * reports them for this kind of file. NULL: always readable and
	 * writable, never waited for (regular files, /dev/null). Any context
	 * but interrupt handlers; takes only the file's own locks. */
	unsigned (*ready)(struct file *f);
	/* Files on the anonymous inode (kernel/ipc/anon.c): the kind, as
	 * /proc/<pid>/fd shows it ("anon_inode:[eventfd]"). NULL otherwise. */
	const char *anon_name;
	/* mmap(2) of the file: map len bytes at file offset off into p's
	 * memory (addr, prot, flags as as_mmap takes them); returns the
	 * address or -errno. NULL: -ENODEV. (io_uring's rings; file pages later.) */
	long (*mmap)(struct file *f, struct proc *p, uintptr_t addr, size_t len, unsigned prot,
		     unsigned flags, uint64_t off);
	/* After a successful open, what the open must still wait for before
	 * it completes (a FIFO's other end: kernel/ipc/fifo.h): 0 with *wait a
	 * future whose ->result is 0 or -errno, 0 with *wait NULL (done), or
	 * -errno. NULL: an open never waits. Dropping the future and putting
	 * the file undoes the open. */
	int (*open_wait)(struct file *f, struct future **wait);
};

struct file {
	atomic_uint ref;			/* A */
	unsigned flags;				/* O_ACCMODE | O_APPEND | O_NONBLOCK ... (fcntl: racy by design) */
	uint64_t pos;				/* the file offset, used by the owning fd's syscalls */
	struct inode *inode;			/* I: counted */
	const struct file_ops *ops;		/* I */
	void *priv;				/* I: device or pipe state */
	/* Readiness (kernel/ipc/epoll.c) */
	struct epitem *ep_items;		/* epoll's global lock: the epoll items
						 * watching this open file, or NULL; the
						 * last file_put removes them */
	struct file_name *name;			/* I: how it was opened, or NULL */
};

/*
 * The path a regular file was opened by, for /proc/<pid>/fd and maps (no
 * dentry cache names open files): the directory the path started from
 * (the cwd, a dirfd's, a chroot's "/"; counted; NULL for the real root) and
 * the path as given. openat
 * sets it (file_set_name); the last file_put frees it.
 */
struct file_name {
	struct inode *base;
	char path[];
};
void file_set_name(struct file *f, struct inode *base, const char *path);

/* A new file on ino (takes a reference to ino), calling fops->open. */
int file_open_inode(struct inode *ino, unsigned flags, struct file **out);
struct file *file_get(struct file *f);
void file_put(struct file *f);
bool file_readable(const struct file *f);
bool file_writable(const struct file *f);

/*
 * Synchronous read into kernel memory at offset off (execve's ELF loader).
 * Returns bytes read (short only at end of file), -EISDIR for a directory,
 * -EACCES for anything but a regular file, -EBADF if not open for reading.
 */
long file_read_kernel(struct file *f, void *buf, size_t n, uint64_t off);

/*
 * read/write on f through u at the file's offset, as read(2)/write(2) and
 * readv/writev do. Returns the result at once, or, when the file would
 * block and is not O_NONBLOCK, returns 0 with *pending set to a future
 * whose ->result is the syscall's result (the caller owns it: poll, then
 * future_drop + future_release). A blocking write keeps going until every
 * byte is written. owned_iov (may be NULL) is a kmalloc'd segment array u
 * points into; it passes to the future, or is freed here. -EPIPE on a write
 * also sends SIGPIPE to p (when p is not NULL). p == NULL: kernel caller.
 */
long file_rw(struct proc *p, struct file *f, struct uio *u, struct iovec *owned_iov, bool write,
	     struct future **pending);
/* The same at the explicit offset pos (pread64/pwrite64), not the file's. */
long file_rw_at(struct proc *p, struct file *f, struct uio *u, struct iovec *owned_iov,
		bool write, uint64_t pos, struct future **pending);

/* ---- names -------------------------------------------------------------- */

/* The root directory (set by the root mount); NULL before. */
extern struct inode *vfs_root;
void vfs_set_root(struct inode *root);

#define WALK_NOFOLLOW 0x1	/* do not follow a symlink in the last component */
#define WALK_DIRECTORY 0x2	/* the result must be a directory (ENOTDIR) */

/*
 * Resolve path from base (a directory, counted by the caller; NULL = the
 * process's cwd, or the root when p is NULL). Absolute paths start at the
 * root. Handles ".", "..", repeated and trailing slashes, symlinks (at most
 * SYMLOOP_MAX, else -ELOOP). -ENAMETOOLONG for a component over NAME_MAX or
 * a path of PATH_MAX or more; -ENOENT; -ENOTDIR. *out is counted.
 */
int vfs_lookup(struct proc *p, struct inode *base, const char *path, unsigned flags,
	       struct inode **out);

/*
 * Resolve everything but the last component: *dir (counted) is its
 * directory, name (NAME_MAX + 1 bytes) receives the last component. The
 * last component is "" for "/" and "." or ".." when the path ends so;
 * *trailing_slash says whether it was followed by '/'.
 */
int vfs_lookup_parent(struct proc *p, struct inode *base, const char *path,
		      struct inode **dir, char *name, bool *trailing_slash);

/* Open path as open(2) would (O_CREAT with mode, O_EXCL, O_TRUNC, O_DIRECTORY...). */
int vfs_open(struct proc *p, struct inode *base, const char *path, int flags, uint32_t mode,
	     struct file **out);
/* The same, relative to p's cwd, without a mode: for the kernel (execve, init). */
int vfs_open_kernel(struct proc *p, const char *path, int flags, struct file **out);

int vfs_mknod(struct proc *p, struct inode *base, const char *path, uint32_t mode, uint32_t rdev);
/* The same, handing back the new inode (counted): bind(2) of a socket. */
int vfs_mknod_inode(struct proc *p, struct inode *base, const char *path, uint32_t mode,
		    uint32_t rdev, struct inode **out);
int vfs_unlink(struct proc *p, struct inode *base, const char *path, bool rmdir);
int vfs_symlink(struct proc *p, struct inode *base, const char *target, const char *path);
int vfs_link(struct proc *p, struct inode *obase, const char *opath, struct inode *nbase,
	     const char *npath, bool follow);
int vfs_rename(struct proc *p, struct inode *obase, const char *opath, struct inode *nbase,
	       const char *npath, unsigned flags);
/*
 * Absolute path of dir into buf (n bytes); returns the length with the NUL, -ERANGE when
 * it does not fit, -ENOENT when dir was removed. Resumable in a restarted syscall
 * (kernel/fs/getcwd.c).
 */
long vfs_getcwd(struct inode *dir, char *buf, size_t n);
/* The same, named from top (a chroot's "/"; NULL: the real root); a dir
 * outside top is "(unreachable)/...", as on Linux. */
long vfs_getcwd_in(struct inode *dir, struct inode *top, char *buf, size_t n);
/* One step of a walk: the child name (len bytes, "." and ".." too) of dir, crossing
 * mounts; counted. For VFS code outside path.c. */
int vfs_lookup_child(struct inode *dir, const char *name, size_t len, struct inode **out);
int vfs_truncate(struct inode *ino, uint64_t size);
/* Change ino's attributes through its fs (inode_ops.setattr, or in memory). */
int vfs_setattr(struct inode *ino, const struct iattr *ia);

/*
 * Mount points (mount.c, kernel/fs/mount.h for the mount objects): a list of
 * (covered directory, mounted root) pairs. Path lookup crosses into the
 * mounted root when a step lands on a covered directory (to the topmost of
 * mounts stacked there), and ".." at a mounted root goes to the covered
 * directory's parent. Each entry holds a reference on both inodes.
 */
#define VFS_MAX_MOUNTS 64
/* A mount of root on dir named after root's fs: -EBUSY when root is dir, or
 * the same fs's root is already mounted right there; -ENOSPC past
 * VFS_MAX_MOUNTS; -ENOMEM. */
int vfs_mount_add(struct inode *dir, struct inode *root);
/* At boot (no task): mount a fresh t with options data (or NULL) on the directory path
 * (kernel/fs/mount_boot.c); -ENOENT when it does not exist. */
int vfs_mount_boot(const struct fs_type *t, const char *path, const char *data);
/* Outside any task: wait here for the read the last -EIOWAIT parked; false if none was. */
bool vfs_wait_io_here(void);
/* Forget the newest mount of root: *root_ref and *covered receive its two
 * references (the caller puts or hands them on). -EINVAL if not mounted. */
int vfs_mount_remove(struct inode *root, struct inode **root_ref, struct inode **covered);
/* The mounted root over dir (the topmost when stacked), or NULL; counted. */
struct inode *vfs_mount_cross(struct inode *dir);
/* The directory that root covers (root is a mounted root), or NULL; counted. */
struct inode *vfs_mount_covered(struct inode *root);
/* -EBUSY if name in dir is a mount point: Linux refuses rmdir and rename of one (the mount
 * would keep the removed directory alive to the end); -EIOWAIT if the lookup must read; else
 * 0 (the op itself reports a missing name). */
int vfs_mount_busy(struct inode *dir, const char *name);
/* Up to max mounted roots, counted, into out, in mount order; returns how many. */
unsigned vfs_mount_roots(struct inode **out, unsigned max);

/* ---- permissions (perm.c) ---------------------------------------------- */

/*
 * The one place credentials meet file modes (DESIGN.md 9): every check is
 * Linux's generic_permission and friends, with the credentials the caller
 * acts as (cred_current(), kernel/proc/cred.h). Callers: the path walk
 * (search), open, exec, create, unlink, rename, chdir, chmod, chown, utimes.
 */
#define MAY_EXEC 0x1
#define MAY_WRITE 0x2
#define MAY_READ 0x4

/* 0 or -EACCES: by owner, group or other bits; privileged (fsuid 0)
 * always, except MAY_EXEC on a non-directory without any x bit. */
int inode_permission(const struct inode *ino, int mask);
/* The caller owns ino or has CAP_FOWNER. */
bool inode_owner_or_capable(const struct inode *ino);
/* May the caller add a name to dir (write and search)? 0 or -EACCES. */
int vfs_may_create(const struct inode *dir);
/* May the caller remove victim's name from dir? -EACCES, or -EPERM for a
 * sticky dir neither it nor the caller owns... as Linux's may_delete. */
int vfs_may_delete(const struct inode *dir, const struct inode *victim);
/* Does the caller bypass every check above (fsuid 0)? Lets callers skip
 * work that only the checks need. */
bool vfs_caller_privileged(void);

/*
 * The namespace operations' checks (path.c calls them on the parent dir
 * and the last name). An unprivileged caller looks the name up first, so
 * the errors come in Linux's order: -EEXIST before -EACCES on create
 * (`mkdir -p` relies on it), -ENOENT before -EACCES on delete.
 */
/* open of an existing file: the access flags ask for (O_TRUNC = write);
 * O_NOATIME only for the owner (-EPERM). */
int vfs_may_open(const struct inode *ino, int flags);
int vfs_may_create_name(struct inode *dir, const char *name);
int vfs_may_delete_name(struct inode *dir, const char *name);
/* fs.protected_hardlinks = 1 (Debian's setting and the reference machine's):
 * linking a file one does not own needs a regular file without set-id bits
 * that one may read and write, or CAP_FOWNER; else -EPERM. */
int vfs_may_link(const struct inode *ino);
/* may_delete of the old name, may_delete or may_create of the new one, and
 * write on a directory that moves to another parent (its ".."). */
int vfs_may_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname);
/*
 * For a file system's create: owner and group of a new inode ino in dir
 * (the caller's fsuid; the caller's fsgid, or dir's group under a set-group-ID
 * dir, which a new directory inherits), with Linux's removal of S_ISGID from
 * a new file whose group the caller is not in. Call before writing ino out.
 */
void inode_init_owner(struct inode *ino, const struct inode *dir);

/*
 * Linux's file_remove_privs, before a write to ino by the caller: a regular
 * file loses S_ISUID, and S_ISGID when group-executable or not the caller's
 * group, unless the caller has CAP_FSETID. Changes the in-memory mode (and ctime); the write that
 * follows writes the inode out with it.
 */
void inode_remove_privs(struct inode *ino);

/* Write access against execution (ETXTBSY). get: open for writing (fails
 * while it runs); deny: run it (fails while open for writing). */
int inode_get_write_access(struct inode *ino);
void inode_put_write_access(struct inode *ino);
int inode_deny_write_access(struct inode *ino);
void inode_allow_write_access(struct inode *ino);
/* open's O_TRUNC of a regular file opened with access mode acc: a read-only open
 * truncates too (Linux), holding write access (ETXTBSY) while it does. */
int vfs_open_truncate(struct inode *ino, unsigned acc);

/* I/O wait parking for -EIOWAIT (one slot per hart; see the top). */
void vfs_set_io_wait(struct future *f);
struct future *vfs_take_io_wait(void);

#endif
