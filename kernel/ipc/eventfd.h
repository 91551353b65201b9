/* SPDX-License-Identifier: MIT */
/* eventfd: see eventfd.c. */
#ifndef KERNEL_IPC_EVENTFD_H
#define KERNEL_IPC_EVENTFD_H

#include <stdbool.h>

struct file;

/* Is f an eventfd (io_uring's IORING_REGISTER_EVENTFD takes only those)? */
bool eventfd_is(const struct file *f);

#endif
