/* SPDX-License-Identifier: MIT */
/* Private to kernel/fs/proc: the generators of procfs's files, by file. */
#ifndef KERNEL_FS_PROC_PROCFS_INT_H
#define KERNEL_FS_PROC_PROCFS_INT_H

#include "kernel/fs/proc/genfs.h"

/* USER_HZ: the unit of times in /proc (clock ticks, as sysconf(_SC_CLK_TCK)). */
#define PROC_HZ 100
#define NS_PER_TICK (1000000000ull / PROC_HZ)

/* proc_pid.c, proc_files.c: /proc/<pid>/... */
/* The pid whose files c names: the tid under task/<tid>/, else the pid. */
int procfs_ctx_pid(const struct gen_ctx *c);
void procfs_owner(const struct gen_ctx *c, uint32_t *uid, uint32_t *gid);
int procfs_next_pid(const struct gen_ctx *c, int after);
/* /proc/<id> looks up any thread, as Linux's (only group leaders are listed). */
bool procfs_pid_exists(const struct gen_ctx *c, int id);
int procfs_next_tid(const struct gen_ctx *c, int after);
int procfs_next_fd(const struct gen_ctx *c, int after);
int procfs_show_stat(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_statm(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_status(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_cmdline(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_environ(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_comm(struct seqbuf *s, const struct gen_ctx *c);
/* Shared by the links of proc_pid.c and proc_files.c: text into a readlink
 * buffer (its length); a directory's path (dir's reference is put). */
long procfs_put_link(char *buf, size_t n, const char *text);
long procfs_dir_link(struct inode *dir, char *buf, size_t n);
/* An open regular file's path (PATH_MAX bytes at buf): its length or -errno. */
struct file;
long procfs_file_path(struct file *f, char *buf);
int procfs_show_maps(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_fdinfo(struct seqbuf *s, const struct gen_ctx *c);
long procfs_link_exe(const struct gen_ctx *c, char *buf, size_t n);
long procfs_link_cwd(const struct gen_ctx *c, char *buf, size_t n);
long procfs_link_root(const struct gen_ctx *c, char *buf, size_t n);
/* fd/<n>'s permissions: r-x for reading, -wx for writing (Linux's). */
uint16_t procfs_fd_perm(const struct gen_ctx *c);
long procfs_link_fd(const struct gen_ctx *c, char *buf, size_t n);
long procfs_link_self_mounts(const struct gen_ctx *c, char *buf, size_t n);
long procfs_link_self(const struct gen_ctx *c, char *buf, size_t n);
long procfs_link_thread_self(const struct gen_ctx *c, char *buf, size_t n);

/* proc_sys.c: system-wide files */
struct fdt_info;
extern const struct fdt_info *procfs_fdt;	/* I: the boot device tree */
int procfs_show_meminfo(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_slabinfo(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_cpuinfo(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_cpustat(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_uptime(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_loadavg(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_version(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_filesystems(struct seqbuf *s, const struct gen_ctx *c);
/* The mountinfo id of the mount of sb (0 if none). */
int procfs_mnt_id(const struct superblock *sb);
int procfs_show_mounts(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_mountinfo(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_interrupts(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_partitions(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_pid_max(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_hostname(struct seqbuf *s, const struct gen_ctx *c);
int procfs_store_hostname(const struct gen_ctx *c, const char *buf, size_t n);
int procfs_show_ostype(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_osrelease(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_boot_id(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_uuid(struct seqbuf *s, const struct gen_ctx *c);
int procfs_store_drop_caches(const struct gen_ctx *c, const char *buf, size_t n);
/* sys/kernel/randomize_va_space: kernel/mm/aslr.h's level, 0..2. */
int procfs_show_randomize_va_space(struct seqbuf *s, const struct gen_ctx *c);
int procfs_store_randomize_va_space(const struct gen_ctx *c, const char *buf, size_t n);

/* proc_async.c: the async view */
int procfs_show_future(struct seqbuf *s, const struct gen_ctx *c);
int procfs_show_async(struct seqbuf *s, const struct gen_ctx *c);

#endif
