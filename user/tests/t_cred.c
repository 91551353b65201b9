// SPDX-License-Identifier: MIT
/*
 * Credential cases (cred_*): the uid/gid family, supplementary groups, umask,
 * and the permission checks of the file system by uid, gid, groups and mode:
 * open, create, unlink, rename, chdir, search, chmod, chown, utimes, access,
 * the sticky bit, hard-link protection, set-id programs. Each case starts as
 * root, sets up files under /tmp, and drops to unprivileged ids in a child.
 *
 * Linux is the reference: every case passes under qemu-riscv64 run as root
 * (USERTESTS_QEMU_USER=1), except where marked: qemu-user cannot exec a
 * riscv64 program here (no binfmt_misc), and qemu 7.2 has no fchmodat2.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ut.h"

#define U1 1000 /* the image's unprivileged user (user/etc/passwd) */
#define U2 1001
#define G1 1000
#define G2 1001
#define BAD ((void *)0xffffffc080200000UL) /* a kernel address */

#define D "/tmp/ut_cred"

static bool err_is(long r, int e)
{
	if (r == -1 && errno == e)
		return true;
	ut_diag("ret %ld errno %d (%s), wanted errno %d (%s)", r, errno, strerror(errno), e,
		strerror(e));
	return false;
}

#define EXPECT_ERR(call, e) (errno = 0, EXPECT(err_is((long)(call), (e))))

/* Become uid/gid with no supplementary groups (or the one given). */
static bool become(uid_t uid, gid_t gid, gid_t extra)
{
	gid_t g[1] = { extra };

	if (setgroups(extra ? 1 : 0, g) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		ut_diag("could not become %u:%u: %s", uid, gid, strerror(errno));
		return false;
	}
	return true;
}

static void rm_rf(const char *dir)
{
	char cmd[256];

	/* No shell in every image: remove the few names the cases make. */
	static const char *const names[] = { "f", "g", "h", "d/x", "d", "s/a", "s/b", "s",
					     "new", "lnk", "suid", "sub/f", "sub", "mv", "s/c", "s/x" };
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s/%s", dir, names[i]);
		unlink(cmd);
		rmdir(cmd);
	}
	rmdir(dir);
}

/* A fresh scratch dir, mode 0755, owned by root. */
static bool fresh_dir(void)
{
	rm_rf(D);
	if (mkdir(D, 0755) != 0 || chmod(D, 0755) != 0) {
		ut_diag("mkdir %s: %s", D, strerror(errno));
		return false;
	}
	return true;
}

static int mkfile(const char *path, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	if (write(fd, "data\n", 5) != 5 || fchmod(fd, mode) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

/* ---- ids ------------------------------------------------------------------- */

static void ids_child(void *arg)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	(void)arg;
	EXPECT(getuid() == 0 && geteuid() == 0);
	/* Root: setresuid to three different ids, then back through the saved one. */
	EXPECT(setresgid(G1, G2, 0) == 0);
	EXPECT(getresgid(&gr, &ge, &gs) == 0 && gr == G1 && ge == G2 && gs == 0);
	EXPECT(getgid() == G1 && getegid() == G2);
	EXPECT(setresuid(U1, U2, 0) == 0);
	EXPECT(getresuid(&r, &e, &s) == 0 && r == U1 && e == U2 && s == 0);
	EXPECT(getuid() == U1 && geteuid() == U2);
	/* Unprivileged now (euid U2): only ids it has. */
	EXPECT_ERR(setresuid(4242, -1, -1), EPERM);
	EXPECT_ERR(setuid(4242), EPERM);
	EXPECT_ERR(setgid(4242), EPERM);
	EXPECT(seteuid(0) == 0); /* the saved uid is 0 */
	EXPECT(geteuid() == 0);
	/* setreuid(-1, U2) from (U1, 0, 0): euid U2 != ruid, so suid becomes U2. */
	EXPECT(setreuid(-1, U2) == 0);
	EXPECT(getresuid(&r, &e, &s) == 0 && r == U1 && e == U2 && s == U2);
	EXPECT_ERR(seteuid(0), EPERM); /* 0 is gone */
	/* setreuid(U2, -1): the real id may become the effective one; suid follows euid. */
	EXPECT(setreuid(U2, -1) == 0);
	EXPECT(getresuid(&r, &e, &s) == 0 && r == U2 && e == U2 && s == U2);
	EXPECT_ERR(setreuid(U1, -1), EPERM);
	EXPECT_ERR(setuid(-1), EINVAL);
	EXPECT_ERR(setgid(-1), EINVAL);
}

UT_CASE(cred_setresuid_and_saved_ids, 0, 30)
{
	EXPECT(ut_exited_with(ut_in_child(ids_child, NULL), 0));
}

static void setuid_child(void *arg)
{
	(void)arg;
	ASSERT(become(U1, G1, 0));
	uid_t r, e, s;
	EXPECT(getresuid(&r, &e, &s) == 0 && r == U1 && e == U1 && s == U1);
	EXPECT_ERR(setuid(0), EPERM);
	EXPECT_ERR(setgid(0), EPERM);
	EXPECT_ERR(setgroups(0, NULL), EPERM);
	EXPECT(setuid(U1) == 0); /* its own id: fine */
	EXPECT(setgid(G1) == 0);
	EXPECT_ERR(setresgid(-1, 0, -1), EPERM);
}

UT_CASE(cred_setuid_drops_root_for_good, 0, 30)
{
	EXPECT(ut_exited_with(ut_in_child(setuid_child, NULL), 0));
}

static void fsuid_child(void *arg)
{
	(void)arg;
	EXPECT(setfsuid(U1) == 0);     /* root may: returns the old one */
	EXPECT(setfsuid(-1) == U1);    /* -1 only asks */
	EXPECT(setfsuid(0) == U1);
	EXPECT(setfsgid(G1) == 0);
	EXPECT(setfsgid(-1) == G1);
	EXPECT(setfsgid(0) == G1);
	ASSERT(become(U1, G1, 0));
	EXPECT(setfsuid(4242) == U1);  /* refused silently */
	EXPECT(setfsuid(-1) == U1);
	EXPECT(setfsgid(4242) == G1);
	EXPECT(setfsgid(-1) == G1);
}

UT_CASE(cred_setfsuid_returns_the_old_id, 0, 30)
{
	EXPECT(ut_exited_with(ut_in_child(fsuid_child, NULL), 0));
}

static void groups_child(void *arg)
{
	gid_t in[3] = { 30, 10, 20 }, out[8];

	(void)arg;
	EXPECT(setgroups(3, in) == 0);
	EXPECT(getgroups(0, NULL) == 3);
	EXPECT(getgroups(8, out) == 3);
	/* Linux keeps them sorted. */
	EXPECT(out[0] == 10 && out[1] == 20 && out[2] == 30);
	EXPECT_ERR(getgroups(2, out), EINVAL);
	EXPECT_ERR(syscall(SYS_getgroups, -1, out), EINVAL);
	EXPECT_ERR(syscall(SYS_getgroups, 8, BAD), EFAULT);
	EXPECT_ERR(syscall(SYS_setgroups, 2, BAD), EFAULT);
	EXPECT_ERR(syscall(SYS_setgroups, 65537, in), EINVAL);
	EXPECT_ERR(syscall(SYS_getresuid, BAD, BAD, BAD), EFAULT);
	EXPECT_ERR(syscall(SYS_getresgid, out, out + 1, BAD), EFAULT);
	EXPECT(setgroups(0, NULL) == 0);
	EXPECT(getgroups(0, NULL) == 0);
}

UT_CASE(cred_groups, 0, 30)
{
	EXPECT(ut_exited_with(ut_in_child(groups_child, NULL), 0));
}

UT_CASE(cred_umask, 0, 30)
{
	ASSERT(fresh_dir());
	mode_t old = umask(077);
	EXPECT(umask(077) == 077);
	int fd = open(D "/f", O_CREAT | O_WRONLY, 0666);
	EXPECT(fd >= 0);
	close(fd);
	EXPECT(mode_of(D "/f") == 0600);
	EXPECT(mkdir(D "/d", 0777) == 0);
	EXPECT(mode_of(D "/d") == 0700);
	EXPECT(umask(01777) == 077); /* only the permission bits are kept */
	EXPECT(umask(old) == 0777);
	/* fork keeps it, and so does exec (checked by the shell's own use). */
	umask(027);
	pid_t pid = fork();
	if (pid == 0)
		_exit(umask(0) == 027 ? 0 : 1);
	EXPECT(ut_exited_with(ut_wait(pid), 0));
	umask(old);
	rm_rf(D);
}

/* ---- permission checks ------------------------------------------------------- */

static void access_child(void *arg)
{
	struct stat st;
	int fd;

	(void)arg;
	ASSERT(become(U1, G1, 0));
	/* Read: others' bits. */
	EXPECT_ERR(open(D "/f", O_RDONLY), EACCES);	/* 0600 root */
	fd = open(D "/g", O_RDONLY);			/* 0644 root */
	EXPECT(fd >= 0);
	close(fd);
	EXPECT_ERR(open(D "/g", O_WRONLY), EACCES);
	EXPECT_ERR(open(D "/g", O_RDONLY | O_TRUNC), EACCES);
	/* Group bits: /tmp/ut_cred/h is 0640 root:G1. */
	fd = open(D "/h", O_RDONLY);
	EXPECT(fd >= 0);
	close(fd);
	EXPECT_ERR(open(D "/h", O_RDWR), EACCES);
	/* Owner bits come first, even when they give less than others' would. */
	/* Creating in a dir it cannot write: EACCES; an existing name: EEXIST first. */
	EXPECT_ERR(open(D "/new", O_CREAT | O_WRONLY, 0644), EACCES);
	EXPECT_ERR(mkdir(D "/new", 0755), EACCES);
	EXPECT_ERR(mkdir(D "/d", 0755), EEXIST);
	EXPECT_ERR(mkdir(D, 0755), EEXIST);
	EXPECT_ERR(symlink("x", D "/lnk"), EACCES);
	EXPECT_ERR(mknod(D "/new", S_IFIFO | 0644, 0), EACCES);
	/* Removing: ENOENT first, then EACCES. */
	EXPECT_ERR(unlink(D "/nothing"), ENOENT);
	EXPECT_ERR(unlink(D "/g"), EACCES);
	EXPECT_ERR(rmdir(D "/d"), EACCES);
	EXPECT_ERR(rename(D "/g", D "/mv"), EACCES);
	/* Search: /tmp/ut_cred/d is 0700 root. */
	EXPECT_ERR(stat(D "/d/x", &st), EACCES);
	EXPECT_ERR(open(D "/d/x", O_RDONLY), EACCES);
	EXPECT_ERR(chdir(D "/d"), EACCES);
	EXPECT_ERR(open(D "/d", O_RDONLY | O_DIRECTORY), EACCES);
	EXPECT(stat(D "/d", &st) == 0); /* the dir itself is in a searchable one */
	fd = open(D "/d", O_PATH);
	if (EXPECT(fd >= 0)) {
		EXPECT_ERR(fchdir(fd), EACCES);
		EXPECT_ERR(fchmod(fd, 0777), EBADF); /* O_PATH: no fchmod */
		close(fd);
	}
	/* access() with the real ids. */
	EXPECT(access(D "/g", R_OK) == 0);
	EXPECT_ERR(access(D "/g", W_OK), EACCES);
	EXPECT_ERR(access(D "/f", R_OK), EACCES);
	EXPECT_ERR(access(D "/g", X_OK), EACCES);
	EXPECT(access(D "/f", F_OK) == 0);
	EXPECT_ERR(access(D "/d/x", F_OK), EACCES);
	/* Attributes: only the owner. */
	EXPECT_ERR(chmod(D "/g", 0666), EPERM);
	EXPECT_ERR(chown(D "/g", U1, G1), EPERM);
	EXPECT_ERR(truncate(D "/g", 0), EACCES);
	EXPECT_ERR(mknod(D "/../ut_cred_dev", S_IFCHR | 0666, makedev(1, 3)), EPERM);
	EXPECT_ERR(mount("none", "/tmp", "ramfs", 0, NULL), EPERM);
	EXPECT_ERR(link(D "/f", "/tmp/ut_cred_lnk"), EPERM); /* protected_hardlinks */
}

UT_CASE(cred_file_permissions, 0, 30)
{
	ASSERT(fresh_dir());
	ASSERT(mkfile(D "/f", 0600) == 0);
	ASSERT(mkfile(D "/g", 0644) == 0);
	ASSERT(mkfile(D "/h", 0640) == 0);
	ASSERT(chown(D "/h", 0, G1) == 0);
	ASSERT(mkdir(D "/d", 0700) == 0);
	ASSERT(mkfile(D "/d/x", 0644) == 0);
	EXPECT(ut_exited_with(ut_in_child(access_child, NULL), 0));
	rm_rf(D);
	unlink("/tmp/ut_cred_dev");
	unlink("/tmp/ut_cred_lnk");
}

static void root_child(void *arg)
{
	int fd;

	(void)arg;
	/* Root reads and writes everything... */
	fd = open(D "/f", O_RDWR);
	EXPECT(fd >= 0);
	close(fd);
	EXPECT(access(D "/f", R_OK | W_OK) == 0);
	/* ...but executes only what has some x bit. */
	EXPECT_ERR(access(D "/f", X_OK), EACCES);
	EXPECT(chmod(D "/f", 0001) == 0);
	EXPECT(access(D "/f", X_OK) == 0);
	EXPECT(access(D "/d", X_OK) == 0); /* a dir: always searchable for root */
	/* With a real uid that is not root, access() answers for it. */
	EXPECT(setresuid(U1, 0, 0) == 0);
	EXPECT(setresgid(G1, 0, 0) == 0);
	EXPECT_ERR(access(D "/g", W_OK), EACCES);
	EXPECT(faccessat(AT_FDCWD, D "/g", W_OK, AT_EACCESS) == 0);
	fd = open(D "/g", O_WRONLY); /* open uses the effective (fs) ids */
	EXPECT(fd >= 0);
	close(fd);
	EXPECT_ERR(faccessat(AT_FDCWD, D "/g", 8, 0), EINVAL);
	EXPECT_ERR(faccessat(AT_FDCWD, D "/g", R_OK, 0x1), EINVAL);
	/* setfsuid alone drops the file privileges. */
	EXPECT(setfsuid(U1) == 0);
	EXPECT_ERR(open(D "/f", O_RDONLY), EACCES);
	EXPECT(setfsuid(0) == U1);
	fd = open(D "/f", O_RDONLY);
	EXPECT(fd >= 0);
	close(fd);
}

UT_CASE(cred_root_bypasses_all_but_exec_bits, 0, 30)
{
	ASSERT(fresh_dir());
	ASSERT(mkfile(D "/f", 0000) == 0);
	ASSERT(mkfile(D "/g", 0644) == 0);
	ASSERT(mkdir(D "/d", 0000) == 0);
	EXPECT(ut_exited_with(ut_in_child(root_child, NULL), 0));
	rm_rf(D);
}

static void sticky_a(void *arg)
{
	(void)arg;
	ASSERT(become(U1, G1, 0));
	EXPECT(mkfile(D "/s/a", 0644) == 0);
	EXPECT(mkfile(D "/s/b", 0666) == 0);
}

static void sticky_b(void *arg)
{
	int fd;

	(void)arg;
	ASSERT(become(U2, G2, 0));
	/* It may write the file (mode 0666) but not remove or rename it. */
	fd = open(D "/s/b", O_WRONLY);
	EXPECT(fd >= 0);
	close(fd);
	EXPECT_ERR(unlink(D "/s/a"), EPERM);
	EXPECT_ERR(rename(D "/s/b", D "/s/c"), EPERM);
	EXPECT(mkfile(D "/s/c", 0644) == 0);
	EXPECT_ERR(rename(D "/s/c", D "/s/a"), EPERM); /* replacing a's file */
	EXPECT(unlink(D "/s/c") == 0);                 /* its own: fine */
}

static void sticky_owner(void *arg)
{
	(void)arg;
	ASSERT(become(U1, G1, 0));
	EXPECT(rename(D "/s/b", D "/s/x") == 0);
	EXPECT(unlink(D "/s/x") == 0);
}

UT_CASE(cred_sticky_dir, 0, 30)
{
	ASSERT(fresh_dir());
	ASSERT(mkdir(D "/s", 0777) == 0);
	ASSERT(chmod(D "/s", 01777) == 0);
	EXPECT(mode_of(D "/s") == 01777);
	EXPECT(ut_exited_with(ut_in_child(sticky_a, NULL), 0));
	EXPECT(ut_exited_with(ut_in_child(sticky_b, NULL), 0));
	EXPECT(ut_exited_with(ut_in_child(sticky_owner, NULL), 0));
	/* Root removes anything. */
	EXPECT(unlink(D "/s/a") == 0);
	rm_rf(D);
}

static void chown_child(void *arg)
{
	struct stat st;

	(void)arg;
	ASSERT(become(U1, G1, G2));
	/* The owner may change the group to one of its own... */
	EXPECT(chown(D "/f", -1, G2) == 0);
	EXPECT(stat(D "/f", &st) == 0 && st.st_uid == U1 && st.st_gid == G2);
	EXPECT(chown(D "/f", U1, G1) == 0); /* "changing" the owner to itself: fine */
	/* ...but not to another group, nor give the file away. */
	EXPECT_ERR(chown(D "/f", -1, 4242), EPERM);
	EXPECT_ERR(chown(D "/f", U2, -1), EPERM);
	/* chmod of its own file; S_ISGID goes when the file's group is not its own. */
	EXPECT(chmod(D "/f", 02755) == 0);
	EXPECT(mode_of(D "/f") == 02755);
	EXPECT(chmod(D "/g", 02755) == 0); /* g is U1's, group 4242 */
	EXPECT(mode_of(D "/g") == 0755);
	EXPECT(fchownat(AT_FDCWD, D "/f", -1, -1, AT_SYMLINK_NOFOLLOW) == 0);
	EXPECT_ERR(fchownat(AT_FDCWD, D "/f", -1, -1, 0x1), EINVAL);
	/* A new file in a set-group-ID dir takes the dir's group; a new dir the bit too. */
	EXPECT(mkfile(D "/sub/f", 0644) == 0);
	EXPECT(stat(D "/sub/f", &st) == 0 && st.st_gid == 4242 && st.st_uid == U1);
}

UT_CASE(cred_chown_and_chmod, 0, 30)
{
	struct stat st;

	ASSERT(fresh_dir());
	ASSERT(mkfile(D "/f", 0644) == 0);
	ASSERT(mkfile(D "/g", 0644) == 0);
	ASSERT(chown(D "/f", U1, G1) == 0);
	ASSERT(chown(D "/g", U1, 4242) == 0);
	ASSERT(stat(D "/f", &st) == 0 && st.st_uid == U1 && st.st_gid == G1);
	ASSERT(mkdir(D "/sub", 0777) == 0);
	ASSERT(chown(D "/sub", 0, 4242) == 0);
	ASSERT(chmod(D "/sub", 02777) == 0);
	EXPECT(ut_exited_with(ut_in_child(chown_child, NULL), 0));
	/* Root: chown clears set-user-ID (even chown(-1, -1)) and the group-executable
	 * set-group-ID bit, on non-directories only. */
	EXPECT(chmod(D "/g", 06755) == 0);
	EXPECT(chown(D "/g", -1, -1) == 0);
	EXPECT(mode_of(D "/g") == 0755);
	EXPECT(chmod(D "/g", 04744) == 0);
	EXPECT(chown(D "/g", 0, 0) == 0);
	EXPECT(mode_of(D "/g") == 0744);
	EXPECT(chmod(D "/sub", 06777) == 0);
	EXPECT(chown(D "/sub", 0, 0) == 0);
	EXPECT(mode_of(D "/sub") == 06777);
	/* Bad pointers and fds. */
	EXPECT_ERR(syscall(SYS_fchmodat, AT_FDCWD, BAD, 0644), EFAULT);
	EXPECT_ERR(syscall(SYS_fchownat, AT_FDCWD, BAD, 0, 0, 0), EFAULT);
	EXPECT_ERR(fchmod(-1, 0644), EBADF);
	EXPECT_ERR(fchown(999, 0, 0), EBADF);
	EXPECT_ERR(chmod(D "/none", 0644), ENOENT);
	/* A symlink's own mode cannot be set (fchmodat2: not in qemu-user 7.2). */
	EXPECT(symlink("f", D "/lnk") == 0);
	if (!ut_qemu_user) {
		EXPECT_ERR(syscall(452 /* fchmodat2 */, AT_FDCWD, D "/lnk", 0644, AT_SYMLINK_NOFOLLOW),
			   EOPNOTSUPP);
		EXPECT_ERR(syscall(452, AT_FDCWD, D "/f", 0644, 0x1), EINVAL);
		EXPECT(syscall(452, AT_FDCWD, D "/lnk", 0640, 0) == 0); /* follows: f's mode */
		EXPECT(mode_of(D "/f") == 0640);
	}
	EXPECT(fchownat(AT_FDCWD, D "/lnk", U2, G2, AT_SYMLINK_NOFOLLOW) == 0);
	EXPECT(lstat(D "/lnk", &st) == 0 && st.st_uid == U2 && st.st_gid == G2);
	EXPECT(stat(D "/lnk", &st) == 0 && st.st_uid == U1); /* the target is unchanged */
	rm_rf(D);
}

static void utimes_child(void *arg)
{
	struct timespec t[2] = { { 1000, 0 }, { 2000, 0 } };
	struct timespec now_omit[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };

	(void)arg;
	ASSERT(become(U1, G1, 0));
	/* "Now" needs write permission (g is 0666), given times need ownership. */
	EXPECT(utimensat(AT_FDCWD, D "/g", NULL, 0) == 0);
	EXPECT_ERR(utimensat(AT_FDCWD, D "/g", t, 0), EPERM);
	EXPECT_ERR(utimensat(AT_FDCWD, D "/g", now_omit, 0), EPERM);
	EXPECT_ERR(utimensat(AT_FDCWD, D "/f", NULL, 0), EACCES); /* 0644, not writable */
	EXPECT_ERR(utimensat(AT_FDCWD, D "/f", t, 0), EPERM);
}

UT_CASE(cred_utimes_permissions, 0, 30)
{
	ASSERT(fresh_dir());
	ASSERT(mkfile(D "/f", 0644) == 0);
	ASSERT(mkfile(D "/g", 0666) == 0);
	EXPECT(ut_exited_with(ut_in_child(utimes_child, NULL), 0));
	rm_rf(D);
}

static void signal_child(void *arg)
{
	pid_t root_pid = *(pid_t *)arg;

	ASSERT(become(U1, G1, 0));
	EXPECT_ERR(kill(root_pid, 0), EPERM);
	EXPECT_ERR(kill(root_pid, SIGTERM), EPERM);
	EXPECT(kill(getpid(), 0) == 0);
}

UT_CASE(cred_kill_needs_same_user, 0, 30)
{
	pid_t me = getpid();

	EXPECT(ut_exited_with(ut_in_child(signal_child, &me), 0));
}

/* ---- set-id programs ------------------------------------------------------------- */

/* `usertests --cred-helper`: exit 0 if the ids are real U2, effective U1, and
 * glibc was told the exec is secure. */
int ut_cred_exec_helper(void)
{
	uid_t r, e, s;

	if (getresuid(&r, &e, &s) != 0)
		return 10;
	if (r != U2 || e != U1 || s != U1)
		return 11;
	if (getauxval(AT_SECURE) != 1)
		return 12;
	if (getauxval(AT_UID) != U2 || getauxval(AT_EUID) != U1)
		return 13;
	return 0;
}

static void suid_child(void *arg)
{
	(void)arg;
	ASSERT(become(U2, G2, 0));
	char *argv[] = { D "/suid", "--cred-helper", NULL };
	execv(argv[0], argv);
	_exit(99);
}

UT_CASE(cred_setuid_program, 0, 30)
{
	if (ut_qemu_user) {
		ut_diag("skip: qemu-user cannot exec a riscv64 program on this host");
		return;
	}
	ASSERT(fresh_dir());
	/* A copy of this program, owned by U1, set-user-ID. */
	int in = open(ut_self, O_RDONLY), out = open(D "/suid", O_CREAT | O_WRONLY, 0755);
	char buf[4096];
	ssize_t n;

	ASSERT(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT(write(out, buf, (size_t)n) == n);
	close(in);
	close(out);
	ASSERT(chown(D "/suid", U1, G1) == 0);
	ASSERT(chmod(D "/suid", 04755) == 0);
	EXPECT(ut_exited_with(ut_in_child(suid_child, NULL), 0));
	rm_rf(D);
}

static void write_child(void *arg)
{
	(void)arg;
	ASSERT(become(U1, G1, 0));
	int fd = open(D "/f", O_WRONLY);
	ASSERT(fd >= 0);
	EXPECT(write(fd, "x", 1) == 1);
	close(fd);
}

static void truncate_child(void *arg)
{
	(void)arg;
	ASSERT(become(U1, G1, 0));
	EXPECT(truncate(D "/f", 0) == 0);
}

UT_CASE(cred_write_drops_set_id_bits, 0, 30)
{
	ASSERT(fresh_dir());
	ASSERT(mkfile(D "/f", 0666) == 0);
	/* Written by root: the bits stay (CAP_FSETID). */
	ASSERT(chmod(D "/f", 06777) == 0);
	int fd = open(D "/f", O_WRONLY);
	ASSERT(fd >= 0);
	EXPECT(write(fd, "r", 1) == 1);
	close(fd);
	EXPECT(mode_of(D "/f") == 06777);
	/* Written by anyone else: set-user-ID goes, and set-group-ID with g+x. */
	EXPECT(ut_exited_with(ut_in_child(write_child, NULL), 0));
	EXPECT(mode_of(D "/f") == 0777);
	/* Without group execute, set-group-ID stays for a writer in the file's group,
	 * and goes for any other. */
	ASSERT(chown(D "/f", 0, G1) == 0);
	ASSERT(chmod(D "/f", 06767) == 0);
	EXPECT(ut_exited_with(ut_in_child(write_child, NULL), 0));
	EXPECT(mode_of(D "/f") == 02767);
	ASSERT(chown(D "/f", 0, 0) == 0);
	ASSERT(chmod(D "/f", 06767) == 0);
	EXPECT(ut_exited_with(ut_in_child(write_child, NULL), 0));
	EXPECT(mode_of(D "/f") == 0767);
	/* Truncating is writing too. */
	ASSERT(chmod(D "/f", 04777) == 0);
	EXPECT(ut_exited_with(ut_in_child(truncate_child, NULL), 0));
	EXPECT(mode_of(D "/f") == 0777);
	rm_rf(D);
}
