/* SPDX-License-Identifier: MIT */
/* The memory character devices: /dev/null (1,3), /dev/zero (1,5), /dev/full (1,7),
 * /dev/random (1,8), /dev/urandom (1,9). */
#ifndef KERNEL_DRIVERS_CHAR_MEM_H
#define KERNEL_DRIVERS_CHAR_MEM_H

struct file_ops;

extern const struct file_ops mem_null_fops;
extern const struct file_ops mem_zero_fops;
extern const struct file_ops mem_full_fops;
extern const struct file_ops mem_random_fops;
extern const struct file_ops mem_urandom_fops;

#endif
