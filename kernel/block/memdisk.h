/* SPDX-License-Identifier: MIT */
/* Memory disks loaded from a memdisk-format disk at boot (memdisk.c). */
#ifndef KERNEL_BLOCK_MEMDISK_H
#define KERNEL_BLOCK_MEMDISK_H

/* Look for memdisk headers on the registered disks and register each image as a
 * device of its own. Boot hart, after blkdev_probe_all; polls (interrupts may be off). */
void memdisk_probe(void);

#endif
