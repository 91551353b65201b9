// SPDX-License-Identifier: MIT
/*
 * uname and getrandom as Linux answers them (the syscall lab, docs/labs/02-syscall.md):
 * the fields, the hostname's round trip through /proc/sys/kernel/hostname, bad pointers,
 * getrandom's flags and a buffer that runs into an unmapped page.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ut.h"

/* Every field NUL-terminated, and zero after the NUL (no kernel bytes leak out). */
static bool field_clean(const char *f, size_t size)
{
	size_t n = strnlen(f, size);

	if (n == size)
		return false;
	for (size_t i = n; i < size; i++)
		if (f[i])
			return false;
	return true;
}

static void put_hostname(const char *name)
{
	int fd = open("/proc/sys/kernel/hostname", O_WRONLY);

	if (EXPECT(fd >= 0)) {
		EXPECT(write(fd, name, strlen(name)) == (ssize_t)strlen(name));
		close(fd);
	}
}

UT_CASE(sysinfo_uname_fields, 0, 30)
{
	struct utsname u, v;

	memset(&u, 0x55, sizeof(u));
	ASSERT(syscall(SYS_uname, &u) == 0);
	EXPECT(strcmp(u.sysname, "Linux") == 0);
	EXPECT(strcmp(u.machine, "riscv64") == 0);
	EXPECT(strcmp(u.domainname, "(none)") == 0);
	EXPECT(u.release[0] >= '0' && u.release[0] <= '9');
	EXPECT(u.version[0] != 0 && u.nodename[0] != 0);
	EXPECT(field_clean(u.sysname, sizeof(u.sysname)) && field_clean(u.nodename, sizeof(u.nodename)));
	EXPECT(field_clean(u.release, sizeof(u.release)) && field_clean(u.version, sizeof(u.version)));
	EXPECT(field_clean(u.machine, sizeof(u.machine)));
	EXPECT(field_clean(u.domainname, sizeof(u.domainname)));
	/* The node name is the hostname: set it, see it, put it back. */
	char old[sizeof(u.nodename)];
	strcpy(old, u.nodename);
	put_hostname("lab-host");
	EXPECT(uname(&v) == 0 && strcmp(v.nodename, "lab-host") == 0);
	put_hostname(old);
	EXPECT(uname(&v) == 0 && strcmp(v.nodename, old) == 0);
}

UT_CASE(sysinfo_uname_bad_pointers, 0, 30)
{
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT(m != MAP_FAILED);
	ASSERT(munmap(m + page, page) == 0);
	errno = 0;
	EXPECT(syscall(SYS_uname, NULL) == -1 && errno == EFAULT);
	errno = 0;
	/* 390 bytes that start 100 before an unmapped page. */
	EXPECT(syscall(SYS_uname, m + page - 100) == -1 && errno == EFAULT);
	errno = 0;
	EXPECT(syscall(SYS_uname, (void *)(~0UL << 38)) == -1 && errno == EFAULT);
	/* Read-only memory is a bad pointer to write to. */
	ASSERT(mprotect(m, page, PROT_READ) == 0);
	errno = 0;
	EXPECT(syscall(SYS_uname, m) == -1 && errno == EFAULT);
	munmap(m, page);
}

UT_CASE(sysinfo_getrandom_flags_and_faults, 0, 30)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char a[64], b[64], zero[64] = { 0 };
	char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT(m != MAP_FAILED);
	ASSERT(munmap(m + page, page) == 0);
	EXPECT(syscall(SYS_getrandom, a, sizeof(a), 0) == (long)sizeof(a));
	EXPECT(syscall(SYS_getrandom, b, sizeof(b), GRND_NONBLOCK) == (long)sizeof(b));
	EXPECT(memcmp(a, b, sizeof(a)) != 0 && memcmp(a, zero, sizeof(a)) != 0);
	EXPECT(syscall(SYS_getrandom, a, 16, GRND_RANDOM) == 16);
	EXPECT(syscall(SYS_getrandom, a, 0, 0) == 0);
	errno = 0;
	EXPECT(syscall(SYS_getrandom, a, 16, 0x80) == -1 && errno == EINVAL);
	errno = 0;
	EXPECT(syscall(SYS_getrandom, a, 16, GRND_RANDOM | GRND_INSECURE) == -1 && errno == EINVAL);
	errno = 0;
	EXPECT(syscall(SYS_getrandom, NULL, 16, 0) == -1 && errno == EFAULT);
	/* Running into the unmapped page: Linux returns what it could copy, if anything
	 * (get_random_bytes_user); qemu-user checks the whole range first and fails. */
	memset(m, 0, (size_t)page);
	long n = syscall(SYS_getrandom, m + page - 1000, 4000, 0);
	if (!ut_qemu_user) {
		EXPECT(n > 0 && n <= 1000);
		if (n > 16)
			EXPECT(memcmp(m + page - 1000, zero, 16) != 0);
	}
	errno = 0;
	EXPECT(syscall(SYS_getrandom, m + page, 16, 0) == -1 && errno == EFAULT);
	munmap(m, page);
}
