// SPDX-License-Identifier: MIT
/*
 * usertests: mount(2) and umount2(2) without a second disk, on proc and
 * sysfs: the errors for bad input in Linux's order (EFAULT, ENOENT,
 * ENODEV, ENOTBLK, ENXIO, EINVAL, EPERM), busy mounts (an open file, a cwd),
 * MNT_DETACH and MNT_EXPIRE, bind mounts and what
 * /proc/self/mountinfo shows of them. tests/qemu/test_second_disk.py does
 * the same for ext2 on real disks (EROFS, remount, write-back).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ut.h"

#define EXPECT_ERR(call, e) (errno = 0, EXPECT((call) == -1 && errno == (e)))
/* statfs's f_flags (<sys/statvfs.h>'s ST_*). */
#define ST_RDONLY 0x1
#define ST_NOSUID 0x2
#define ST_NODEV 0x4
#define ST_NOEXEC 0x8
#define BAD_PTR ((void *)8)

static long sys_mount(const void *src, const void *target, const void *type, unsigned long flags,
		      const void *data)
{
	return syscall(SYS_mount, src, target, type, flags, data);
}

static long sys_umount2(const void *target, int flags)
{
	return syscall(SYS_umount2, target, flags);
}

static char text[16384];

static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	text[0] = '\0';
	if (fd < 0)
		return -1;
	while (n < (long)sizeof(text) - 1 && (r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += r;
	close(fd);
	text[n] = '\0';
	return n;
}

static void fresh_dir(const char *path)
{
	while (umount2(path, MNT_DETACH) == 0)
		;
	rmdir(path);
	mkdir(path, 0755);
}

UT_CASE(mount_bad_input, 0, 30)
{
	if (ut_qemu_user)
		return; /* mount needs a kernel of ours (or root on the host) */
	fresh_dir("/var/tmp/ut_m");
	close(open("/var/tmp/ut_m_file", O_WRONLY | O_CREAT, 0644));
	/* Each string is copied before anything else is looked at. */
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_m", BAD_PTR, 0, NULL), EFAULT);
	EXPECT_ERR(sys_mount(BAD_PTR, "/var/tmp/ut_m", "proc", 0, NULL), EFAULT);
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_m", "proc", 0, BAD_PTR), EFAULT);
	EXPECT_ERR(sys_mount("proc", BAD_PTR, "proc", 0, NULL), EFAULT);
	EXPECT_ERR(sys_mount("proc", NULL, "proc", 0, NULL), EFAULT);
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_m_none/x", "proc", 0, NULL), ENOENT);
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_m", "nosuchfs", 0, NULL), ENODEV);
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_m", NULL, 0, NULL), EINVAL); /* no type */
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_m", "proc", MS_NOUSER, NULL), EINVAL);
	/* ext2 wants a block device: missing, none, not one, one with no disk. */
	EXPECT_ERR(sys_mount(NULL, "/var/tmp/ut_m", "ext2", 0, NULL), EINVAL);
	EXPECT_ERR(sys_mount("/dev/ut_none", "/var/tmp/ut_m", "ext2", 0, NULL), ENOENT);
	EXPECT_ERR(sys_mount("/dev/null", "/var/tmp/ut_m", "ext2", 0, NULL), ENOTBLK);
	EXPECT_ERR(sys_mount("/var/tmp/ut_m_file", "/var/tmp/ut_m", "ext2", 0, NULL), ENOTBLK);
	unlink("/var/tmp/ut_m_blk");
	if (EXPECT(mknod("/var/tmp/ut_m_blk", S_IFBLK | 0600, makedev(254, 250)) == 0))
		EXPECT_ERR(sys_mount("/var/tmp/ut_m_blk", "/var/tmp/ut_m", "ext2", 0, NULL), ENXIO);
	unlink("/var/tmp/ut_m_blk");
	/* A file is no mount point for a directory. */
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_m_file", "proc", 0, NULL), ENOTDIR);
	/* Changing what is not mounted. */
	EXPECT_ERR(sys_mount(NULL, "/var/tmp/ut_m", NULL, MS_REMOUNT, NULL), EINVAL);
	EXPECT_ERR(sys_mount(NULL, "/var/tmp/ut_m", NULL, MS_PRIVATE, NULL), EINVAL);
	EXPECT_ERR(sys_mount("/var/tmp/ut_m_none", "/var/tmp/ut_m", NULL, MS_BIND, NULL), ENOENT);
	/* umount2 */
	EXPECT_ERR(sys_umount2("/var/tmp/ut_m", 0x10), EINVAL);
	EXPECT_ERR(sys_umount2(BAD_PTR, 0), EFAULT);
	EXPECT_ERR(sys_umount2("/var/tmp/ut_m_none", 0), ENOENT);
	EXPECT_ERR(sys_umount2("/var/tmp/ut_m", 0), EINVAL); /* not a mount point */
	EXPECT_ERR(sys_umount2("/var/tmp/ut_m", MNT_EXPIRE | MNT_DETACH), EINVAL);
	EXPECT(sys_mount(NULL, "/", NULL, MS_PRIVATE, NULL) == 0); /* every mount is private */
	EXPECT_ERR(syscall(SYS_syncfs, 999), EBADF);
	EXPECT(syscall(SYS_syncfs, 0) == 0);
	unlink("/var/tmp/ut_m_file");
	rmdir("/var/tmp/ut_m");
}

static void not_root(void *arg)
{
	(void)arg;
	if (setresuid(1000, 1000, 1000) != 0)
		_exit(3);
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_mp", "proc", 0, NULL), EPERM);
	/* The target is looked up first, as Linux does. */
	EXPECT_ERR(sys_mount("proc", "/var/tmp/ut_mp_none", "proc", 0, NULL), ENOENT);
	EXPECT_ERR(sys_umount2("/proc", 0), EPERM);
	EXPECT_ERR(sys_umount2("/var/tmp/ut_mp_none", 0), ENOENT);
	_exit(ut_failures ? 1 : 0);
}

UT_CASE(mount_needs_privilege, 0, 30)
{
	if (ut_qemu_user)
		return;
	fresh_dir("/var/tmp/ut_mp");
	EXPECT(ut_exited_with(ut_in_child(not_root, NULL), 0));
	rmdir("/var/tmp/ut_mp");
}

UT_CASE(mount_busy_and_lazy, 0, 30)
{
	char cwd[64];

	if (ut_qemu_user)
		return;
	fresh_dir("/var/tmp/ut_mb");
	ASSERT(mount("sysfs", "/var/tmp/ut_mb", "sysfs", 0, NULL) == 0);
	/* A cwd inside keeps it busy. */
	ASSERT(getcwd(cwd, sizeof(cwd)) != NULL);
	ASSERT(chdir("/var/tmp/ut_mb/block") == 0);
	EXPECT_ERR(umount2("/var/tmp/ut_mb", 0), EBUSY);
	ASSERT(chdir(cwd) == 0);
	/* (A mount below it: test_second_disk.py, on ext2, whose directories
	 * are the same inodes from one lookup to the next; genfs's are not.) */
	/* MNT_EXPIRE: the first call marks it, the second unmounts it. */
	EXPECT_ERR(umount2("/var/tmp/ut_mb", MNT_EXPIRE), EAGAIN);
	EXPECT(umount2("/var/tmp/ut_mb", MNT_EXPIRE) == 0);
	EXPECT(access("/var/tmp/ut_mb/devices", F_OK) != 0);
	/* MNT_DETACH of a busy mount: gone from the namespace at once, the open
	 * file keeps working, and the fs goes once it is closed. */
	ASSERT(mount("proc", "/var/tmp/ut_mb", "proc", 0, NULL) == 0);
	int fd = open("/var/tmp/ut_mb/self/stat", O_RDONLY);

	EXPECT(fd >= 0);
	EXPECT_ERR(umount2("/var/tmp/ut_mb", 0), EBUSY);
	EXPECT(umount2("/var/tmp/ut_mb", MNT_DETACH) == 0);
	EXPECT(access("/var/tmp/ut_mb/self", F_OK) != 0);
	EXPECT(slurp("/proc/self/mountinfo") > 0 && strstr(text, " /var/tmp/ut_mb ") == NULL);
	char buf[32];

	EXPECT(pread(fd, buf, sizeof(buf), 0) > 0 && buf[0] >= '1' && buf[0] <= '9');
	close(fd);
	EXPECT_ERR(umount2("/var/tmp/ut_mb", 0), EINVAL);
	EXPECT(rmdir("/var/tmp/ut_mb") == 0);
}

UT_CASE(mount_bind_dir, 0, 30)
{
	struct stat a, b;
	struct statfs sf;

	if (ut_qemu_user)
		return;
	fresh_dir("/var/tmp/ut_bsrc");
	fresh_dir("/var/tmp/ut_bdst");
	fresh_dir("/var/tmp/ut_bdst2");
	int fd = open("/var/tmp/ut_bsrc/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ASSERT(fd >= 0 && write(fd, "bound\n", 6) == 6);
	close(fd);
	/* Under itself: a loop in a namespace of inodes (Linux allows it; see sys_mount.c). */
	EXPECT(mkdir("/var/tmp/ut_bsrc/loop", 0755) == 0);
	EXPECT_ERR(mount("/var/tmp/ut_bsrc", "/var/tmp/ut_bsrc/loop", NULL, MS_BIND, NULL), ELOOP);
	EXPECT_ERR(mount("/var/tmp/ut_bsrc", "/var/tmp/ut_bsrc", NULL, MS_BIND, NULL), ELOOP);
	EXPECT(rmdir("/var/tmp/ut_bsrc/loop") == 0);
	ASSERT(mount("/var/tmp/ut_bsrc", "/var/tmp/ut_bdst", NULL, MS_BIND, NULL) == 0);
	/* The same file through both names, and writes through the bind land there. */
	EXPECT(stat("/var/tmp/ut_bsrc/f", &a) == 0 && stat("/var/tmp/ut_bdst/f", &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	fd = open("/var/tmp/ut_bdst/g", O_WRONLY | O_CREAT, 0644);
	EXPECT(fd >= 0);
	close(fd);
	EXPECT(access("/var/tmp/ut_bsrc/g", F_OK) == 0);
	/* A bind of the bind, and mountinfo's root field naming the directory. */
	ASSERT(mount("/var/tmp/ut_bdst", "/var/tmp/ut_bdst2", NULL, MS_BIND, NULL) == 0);
	EXPECT(slurp("/proc/self/mountinfo") > 0);
	EXPECT(strstr(text, " /var/tmp/ut_bsrc /var/tmp/ut_bdst rw,relatime - ") != NULL);
	EXPECT(strstr(text, " /var/tmp/ut_bsrc /var/tmp/ut_bdst2 rw,relatime - ") != NULL);
	EXPECT(statfs("/var/tmp/ut_bdst2", &sf) == 0 && (sf.f_flags & ST_RDONLY) == 0);
	/* A per-mount read-only view is not kept: refused rather than ignored. */
	EXPECT_ERR(mount(NULL, "/var/tmp/ut_bdst2", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), EINVAL);
	EXPECT(mount(NULL, "/var/tmp/ut_bdst2", NULL, MS_REMOUNT | MS_BIND | MS_NOATIME, NULL) == 0);
	EXPECT(slurp("/proc/mounts") > 0 && strstr(text, " /var/tmp/ut_bdst2 ") &&
	       strstr(strstr(text, " /var/tmp/ut_bdst2 "), "rw,noatime 0 0"));
	EXPECT(umount2("/var/tmp/ut_bdst2", 0) == 0);
	EXPECT(umount2("/var/tmp/ut_bdst", 0) == 0);
	EXPECT(access("/var/tmp/ut_bdst/f", F_OK) != 0);
	EXPECT(access("/var/tmp/ut_bsrc/f", F_OK) == 0);
	unlink("/var/tmp/ut_bsrc/f");
	unlink("/var/tmp/ut_bsrc/g");
	EXPECT(rmdir("/var/tmp/ut_bsrc") == 0 && rmdir("/var/tmp/ut_bdst") == 0 &&
	       rmdir("/var/tmp/ut_bdst2") == 0);
}

UT_CASE(mount_move, 0, 30)
{
	if (ut_qemu_user)
		return;
	fresh_dir("/var/tmp/ut_mv1");
	fresh_dir("/var/tmp/ut_mv2");
	fresh_dir("/var/tmp/ut_mvb");
	mkdir("/var/tmp/ut_mvb/in", 0755);
	ASSERT(mount("proc", "/var/tmp/ut_mv1", "proc", 0, NULL) == 0);
	EXPECT(mount("/var/tmp/ut_mv1", "/var/tmp/ut_mv2", NULL, MS_MOVE, NULL) == 0);
	EXPECT(access("/var/tmp/ut_mv2/self/status", R_OK) == 0);
	EXPECT(access("/var/tmp/ut_mv1/self", F_OK) != 0);
	EXPECT(slurp("/proc/self/mountinfo") > 0 && strstr(text, " / /var/tmp/ut_mv2 rw,relatime - proc ") &&
	       !strstr(text, " /var/tmp/ut_mv1 "));
	/* Only a mount point moves; not into itself. */
	EXPECT_ERR(mount("/var/tmp/ut_mv1", "/var/tmp/ut_mvb", NULL, MS_MOVE, NULL), EINVAL);
	ASSERT(mount("/var/tmp/ut_mvb", "/var/tmp/ut_mv1", NULL, MS_BIND, NULL) == 0);
	EXPECT_ERR(mount("/var/tmp/ut_mv1", "/var/tmp/ut_mv1/in", NULL, MS_MOVE, NULL), ELOOP);
	EXPECT(umount2("/var/tmp/ut_mv1", 0) == 0);
	EXPECT(umount2("/var/tmp/ut_mv2", 0) == 0);
	EXPECT(rmdir("/var/tmp/ut_mvb/in") == 0 && rmdir("/var/tmp/ut_mvb") == 0);
	EXPECT(rmdir("/var/tmp/ut_mv1") == 0 && rmdir("/var/tmp/ut_mv2") == 0);
}

static void in_chroot(void *arg)
{
	(void)arg;
	if (chroot("/var/tmp/ut_cr") != 0 || chdir("/") != 0)
		_exit(3);
	/* Only what is under the new root, named from it (Linux's seq_path_root). */
	EXPECT(slurp("/proc/mounts") > 0 && !strcmp(text, "proc /proc proc rw,relatime 0 0\n"));
	EXPECT(slurp("/proc/self/mountinfo") > 0 && strstr(text, " / /proc rw,relatime - proc ") &&
	       !strstr(text, " / / "));
	_exit(ut_failures ? 1 : 0);
}

UT_CASE(mount_list_from_a_chroot, 0, 30)
{
	if (ut_qemu_user)
		return;
	fresh_dir("/var/tmp/ut_cr");
	mkdir("/var/tmp/ut_cr/proc", 0755);
	ASSERT(mount("proc", "/var/tmp/ut_cr/proc", "proc", 0, NULL) == 0);
	EXPECT(ut_exited_with(ut_in_child(in_chroot, NULL), 0));
	EXPECT(umount2("/var/tmp/ut_cr/proc", 0) == 0);
	EXPECT(rmdir("/var/tmp/ut_cr/proc") == 0 && rmdir("/var/tmp/ut_cr") == 0);
}

UT_CASE(mount_statfs_flags, 0, 30)
{
	struct statfs sf;

	if (ut_qemu_user)
		return;
	/* f_flags: ST_VALID (0x20) always, relatime (0x1000) by default. */
	EXPECT(statfs("/proc", &sf) == 0 && sf.f_type == 0x9fa0 && sf.f_blocks == 0 &&
	       sf.f_files == 0 && (sf.f_flags & 0x1020) == 0x1020);
	EXPECT(statfs("/sys", &sf) == 0 && sf.f_type == 0x62656572 && sf.f_bfree == 0);
	fresh_dir("/var/tmp/ut_ms");
	ASSERT(mount("proc", "/var/tmp/ut_ms", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) == 0);
	EXPECT(statfs("/var/tmp/ut_ms", &sf) == 0 &&
	       (sf.f_flags & (ST_NOSUID | ST_NOEXEC | ST_NODEV)) ==
		       (ST_NOSUID | ST_NOEXEC | ST_NODEV));
	EXPECT(slurp("/proc/mounts") > 0 &&
	       strstr(text, "proc /var/tmp/ut_ms proc rw,nosuid,nodev,noexec,relatime 0 0") != NULL);
	EXPECT(umount2("/var/tmp/ut_ms", 0) == 0);
	/* The flags live in proc's one superblock (shared by every proc mount,
	 * as Linux shares it per pid namespace): a remount puts them back. */
	EXPECT(mount(NULL, "/proc", NULL, MS_REMOUNT, NULL) == 0);
	EXPECT(statfs("/proc", &sf) == 0 && (sf.f_flags & (ST_NOSUID | ST_NOEXEC)) == 0);
	rmdir("/var/tmp/ut_ms");
}
