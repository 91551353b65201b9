// SPDX-License-Identifier: MIT
/*
 * The initramfs bridge for `make bench-linux`: /init of a tiny initramfs under Debian's Linux.
 * It gives the image's own /sbin/init the start our kernel gives it, on the same ext2 disk:
 *   1. devtmpfs on /dev, fds 0-2 on /dev/console;
 *   2. the modules listed in /etc/modules.load (one path a line, dependencies first: the
 *      build resolves the order from Debian's modules.dep), each loaded as shipped (signed,
 *      xz) with finit_module(MODULE_INIT_COMPRESSED_FILE), then removed from the initramfs;
 *   3. /dev/vda mounted read-write as ext2 on /newroot (QEMU attaches it with snapshot=on, so
 *      the image file is never changed), /dev moved into it;
 *   4. switch_root: chdir, mount(MS_MOVE) onto /, chroot;
 *   5. with bridge_settle_ms=N on the command line (Linux hands unknown name=value words to
 *      /init as environment), a sleep of N ms, so the kernel's own post-boot work (deferred
 *      probes, freeing init memory, RCU callbacks) is done before the benchmarks start;
 *   6. execve("/sbin/init", { "/sbin/init", ARGS... }, the environment our kernel passes).
 * ARGS are this program's own arguments: Linux hands /init every word after `--` on its
 * command line, so `-- /bin/bench fork` gives the argv that `init=/bin/bench fork` gives on
 * our kernel (user/README.md, "Starting init").
 *
 * Any failure is printed and ends pid 1; with `panic=-1` and QEMU's -no-reboot that ends the
 * run at once instead of hanging it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/module.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MODULE_LIST "/etc/modules.load"
#define ROOT_DEV "/dev/vda"
#define ROOT_FSTYPE "ext2"
#define NEWROOT "/newroot"
#define MAX_ARGS 32

/* What our kernel's proc_start_init() passes (kernel/proc/exec.c). */
static char *const init_envp[] = { "PATH=/bin:/sbin", "HOME=/", "TERM=vt100", NULL };

static int fail(const char *what, const char *arg)
{
	dprintf(2, "bridge: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	return 1;
}

static void open_console(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int c = open("/dev/console", O_RDWR);
		if (c < 0)
			return;
		if (c != fd) {
			dup2(c, fd);
			close(c);
		}
	}
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	long r = syscall(SYS_finit_module, fd, "", MODULE_INIT_COMPRESSED_FILE);
	int err = r < 0 ? -errno : 0;
	close(fd);
	unlink(path); /* its pages would stay in the initramfs for the whole run */
	return err == -EEXIST ? 0 : err;
}

static int load_modules(void)
{
	FILE *f = fopen(MODULE_LIST, "r");
	char line[256];

	if (!f)
		return fail("open", MODULE_LIST);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		int err = load_module(line);
		if (err) {
			errno = -err;
			fclose(f);
			return fail("finit_module", line);
		}
	}
	fclose(f);
	return 0;
}

/*
 * virtio_blk creates the disk while its module initialises, and devtmpfs adds the node before
 * the driver's probe returns, so this normally succeeds at once; the retry only covers a
 * deferred probe.
 */
static int mount_root(void)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int tries = 0;; tries++) {
		if (mount(ROOT_DEV, NEWROOT, ROOT_FSTYPE, 0, "") == 0)
			return 0;
		if (errno != ENOENT && errno != ENXIO)
			return fail("mount", ROOT_DEV);
		if (tries == 500)
			return fail("mount (gave up after 5 s)", ROOT_DEV);
		nanosleep(&tick, NULL);
	}
}

static int switch_root(void)
{
	if (mount("/dev", NEWROOT "/dev", NULL, MS_MOVE, NULL) < 0)
		return fail("move /dev to", NEWROOT "/dev");
	if (chdir(NEWROOT) < 0)
		return fail("chdir", NEWROOT);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return fail("move root", NEWROOT);
	if (chroot(".") < 0)
		return fail("chroot", NEWROOT);
	if (chdir("/") < 0)
		return fail("chdir", "/");
	return 0;
}

static void settle(void)
{
	const char *v = getenv("bridge_settle_ms");
	long ms = v ? atol(v) : 0;

	if (ms > 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	char *init_argv[MAX_ARGS + 1] = { "/sbin/init" };
	int n = 1;

	if (mount("devtmpfs", "/dev", "devtmpfs", 0, "") < 0 && errno != EBUSY)
		return fail("mount", "/dev");
	open_console();
	for (int i = 1; i < argc && n < MAX_ARGS; i++)
		init_argv[n++] = argv[i];
	init_argv[n] = NULL;

	if (load_modules() || mount_root())
		return 1;
	unlink(MODULE_LIST);
	unlink("/init"); /* the running image stays mapped; the name and, at exit, the pages go */
	if (switch_root())
		return 1;
	settle();
	execve(init_argv[0], init_argv, init_envp);
	return fail("execve", init_argv[0]);
}
