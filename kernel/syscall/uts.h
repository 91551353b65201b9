/* SPDX-License-Identifier: MIT */
/* What uname and /proc/sys/kernel report this kernel as (sys_info.c). */
#ifndef KERNEL_SYSCALL_UTS_H
#define KERNEL_SYSCALL_UTS_H

#include <stddef.h>

#define UTS_SYSNAME "Linux"
#define UTS_RELEASE "6.1.0-asyncrv"
#define UTS_VERSION "#1 SMP asyncrv " KVERSION
#define UTS_MACHINE "riscv64"
#define UTS_HOSTNAME_MAX 64

/* The host name (nodename) into buf (at least UTS_HOSTNAME_MAX + 1 bytes). */
void uts_hostname(char *buf);
/* Set it: 0, or -EINVAL when longer than UTS_HOSTNAME_MAX. */
int uts_set_hostname(const char *name, size_t len);

#endif
