/* SPDX-License-Identifier: MIT */
/*
 * What liburing's configure would find for its test programs in this build: the host's
 * riscv64-linux-gnu-gcc with Debian 12's glibc 2.36 and trixie's linux-libc-dev 6.12 headers
 * first on the include path (tools/build-liburing-tests.sh). Written by hand because
 * configure probes by compiling and would have to run in the cached source tree.
 */
#define CONFIG_HAVE_KERNEL_RWF_T
#define CONFIG_HAVE_KERNEL_TIMESPEC
#define CONFIG_HAVE_OPEN_HOW
#define CONFIG_HAVE_STATX
#define CONFIG_HAVE_GLIBC_STATX
#define CONFIG_HAVE_UCONTEXT
#define CONFIG_HAVE_IDTYPE_T
