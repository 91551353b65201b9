/* SPDX-License-Identifier: MIT */
/* signalfd: signals read as data; see signalfd.c. */
#ifndef KERNEL_IPC_SIGNALFD_H
#define KERNEL_IPC_SIGNALFD_H

/* A signal became pending for some process: wake signalfd readers and
 * pollers (one shared queue; a load and nothing more while no signalfd is
 * open). Any context. */
void signalfd_notify(void);

#endif
