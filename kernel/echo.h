/* SPDX-License-Identifier: MIT */
/* The console echo task, run when there is no user space. */
#ifndef KERNEL_ECHO_H
#define KERNEL_ECHO_H

/* Spawn the echo task on hart 0. */
void echo_start(void);

#endif
