// SPDX-License-Identifier: MIT
/*
 * The mount list as text: /proc/mounts and /proc/<pid>/mountinfo in Linux's
 * format (fs/proc_namespace.c's show_vfsmnt and show_mountinfo), built per
 * read from a copy of the list (procfs calls mount_show). A chrooted reader
 * sees the mounts under its root, named from it.
 */
#include "kernel/fs/mount.h"

#include "kernel/fs/proc/genfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Spaces, tabs, newlines and backslashes as octal escapes (Linux's mangle). */
static void put_mangled(struct seqbuf *s, const char *str)
{
	for (; *str; str++) {
		if (*str == ' ' || *str == '\t' || *str == '\n' || *str == '\\')
			seq_printf(s, "\\%03o", (unsigned char)*str);
		else
			seq_putc(s, *str);
	}
}

/* Linux's show_mnt_opts: the per-mount flags after "rw"/"ro". */
static void put_mnt_opts(struct seqbuf *s, unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} opts[] = {
		{ MS_NOSUID, ",nosuid" },     { MS_NODEV, ",nodev" },
		{ MS_NOEXEC, ",noexec" },     { MS_NOATIME, ",noatime" },
		{ MS_NODIRATIME, ",nodiratime" }, { MS_RELATIME, ",relatime" },
		{ MS_NOSYMFOLLOW, ",nosymfollow" },
	};

	for (unsigned i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (flags & opts[i].flag)
			seq_printf(s, "%s", opts[i].name);
}

/*
 * A mount point as the reader sees it: under a chroot (root, the path of
 * the reader's root) relative to it, or NULL when it is outside (Linux
 * leaves such mounts out).
 */
static const char *as_seen(const char *mp, const char *root)
{
	size_t n = root ? strlen(root) : 0;

	if (!root)
		return mp;
	if (!strcmp(mp, root))
		return "/";
	if (!strncmp(mp, root, n) && mp[n] == '/')
		return mp + n;
	return NULL;
}

int mount_show(struct seqbuf *s, bool info)
{
	struct mount_view *v = kmalloc((VFS_MAX_MOUNTS + 1) * sizeof(*v));
	char *path = kmalloc(PATH_MAX), *rootpath = NULL;
	struct proc *p = proc_current();
	struct inode *root = p && proc_root(p) ? inode_get(proc_root(p)) : NULL;
	int n, err = 0;

	if (!v || !path) {
		kfree(v);
		kfree(path);
		inode_put(root);
		return -ENOMEM;
	}
	if (root && root != vfs_root) {
		long r;

		rootpath = kmalloc(PATH_MAX);
		r = rootpath ? vfs_getcwd(root, rootpath, PATH_MAX) : -ENOMEM;
		if (r < 0) {
			inode_put(root);
			kfree(rootpath);
			kfree(v);
			kfree(path);
			return (int)r; /* -EIOWAIT: the read starts over */
		}
	}
	inode_put(root);
	n = mount_views(v, VFS_MAX_MOUNTS + 1);
	if (n < 0)
		err = n;
	for (int i = 0; i < n && !err; i++) {
		const char *mp = v[i].mountpoint;
		const char *rw = v[i].ro ? "ro" : "rw";

		if (!mp) {
			long r = vfs_getcwd(v[i].covered, path, PATH_MAX);

			if (r == -EIOWAIT) {
				err = (int)r; /* the read waits for the disk and starts over */
				break;
			}
			mp = r < 0 ? "?" : path;
		}
		mp = as_seen(mp, rootpath);
		if (!mp)
			continue;
		if (info) {
			/* id parent major:minor root mountpoint opts - type source superopts */
			seq_printf(s, "%u %u %u:%u ", v[i].id, v[i].parent_id, v[i].dev >> 8 & 0xfff,
				   (v[i].dev & 0xff) | (v[i].dev >> 12 & 0xfff00));
			put_mangled(s, v[i].root_path);
			seq_putc(s, ' ');
			put_mangled(s, mp);
			seq_printf(s, " %s", rw);
			put_mnt_opts(s, v[i].flags);
			seq_printf(s, " - %s ", v[i].fstype);
			put_mangled(s, v[i].source);
			seq_printf(s, " %s\n", rw);
		} else {
			put_mangled(s, v[i].source);
			seq_putc(s, ' ');
			put_mangled(s, mp);
			seq_printf(s, " %s %s", v[i].fstype, rw);
			put_mnt_opts(s, v[i].flags);
			seq_printf(s, " 0 0\n");
		}
	}
	if (n > 0)
		mount_views_free(v, (unsigned)n);
	kfree(v);
	kfree(path);
	kfree(rootpath);
	return err;
}
