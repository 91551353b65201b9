// SPDX-License-Identifier: MIT
/*
 * statx(2): newfstatat's answer in struct statx (256 bytes, include/uapi/linux/stat.h).
 * Every basic field is filled (STATX_BASIC_STATS); there is no birth time, mount id or
 * direct-I/O alignment here, so those bits stay clear in stx_mask whatever is asked.
 * io_uring's STATX runs this very handler (kernel/uring/uring_sysop.c).
 */
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define AT_NO_AUTOMOUNT 0x800
#define AT_STATX_SYNC_TYPE 0x6000
#define STATX_BASIC_STATS 0x7ffu
#define STATX__RESERVED 0x80000000u

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t spare3[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");
_Static_assert(offsetof(struct linux_statx, stx_rdev_major) == 128, "stx_rdev_major at 128");

/* Linux's dev_t encoding (new_encode_dev's inverse, as MAJOR/MINOR of glibc). */
static uint32_t dev_major(uint64_t d)
{
	return (uint32_t)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffull));
}

static uint32_t dev_minor(uint64_t d)
{
	return (uint32_t)((d & 0xff) | ((d >> 12) & ~0xffull));
}

FS_SYSCALL(291, statx)
{
	unsigned flags = (unsigned)sc->arg[2], mask = (unsigned)sc->arg[3];
	struct linux_statx sx;
	struct linux_stat st;
	struct inode *ino;
	long r;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
				AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
		return -EINVAL;
	r = at_lookup(sc, (int)sc->arg[0], sc->arg[1], flags & ~(unsigned)AT_STATX_SYNC_TYPE, 0,
		      &ino);
	if (r)
		return r;
	inode_fill_stat(ino, &st);
	inode_put(ino);
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime = (struct statx_timestamp){ st.st_atime_sec, (uint32_t)st.st_atime_nsec, 0 };
	sx.stx_mtime = (struct statx_timestamp){ st.st_mtime_sec, (uint32_t)st.st_mtime_nsec, 0 };
	sx.stx_ctime = (struct statx_timestamp){ st.st_ctime_sec, (uint32_t)st.st_ctime_nsec, 0 };
	sx.stx_rdev_major = dev_major(st.st_rdev);
	sx.stx_rdev_minor = dev_minor(st.st_rdev);
	sx.stx_dev_major = dev_major(st.st_dev);
	sx.stx_dev_minor = dev_minor(st.st_dev);
	return copy_to_user(proc_as(sc->proc), sc->arg[4], &sx, sizeof(sx));
}
