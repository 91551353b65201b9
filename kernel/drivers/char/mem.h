/* SPDX-License-Identifier: MIT */
/* The memory character devices: /dev/null (1,3) and /dev/zero (1,5). */
#ifndef KERNEL_DRIVERS_CHAR_MEM_H
#define KERNEL_DRIVERS_CHAR_MEM_H

struct file_ops;

extern const struct file_ops mem_null_fops;
extern const struct file_ops mem_zero_fops;

#endif
