// SPDX-License-Identifier: MIT
/* true: exits 0. Built twice, static (/bin/true-static) and dynamically linked against
 * glibc (/bin/true-dyn, with /lib/ld-linux-riscv64-lp64d.so.1 and /lib/libc.so.6 in the
 * image), so `bench exec` can compare the two execs of one program. */
int main(void)
{
	return 0;
}
