# SPDX-License-Identifier: MIT
# Host test of the ext2 code (kernel/fs/ext2/*.c) through the real VFS (vfs.c, path.c) over
# a fake buffer cache on an image made by mke2fs -d; e2fsck -fn judges the result. ASan+UBSan.
# File data goes through the real page cache (kernel/mm/pcache*.c) over a fake disk.

HOST_CC ?= gcc
EXT2_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I.
EXT2_HOST_SRCS := $(filter-out %/mount_root.c,$(wildcard kernel/fs/ext2/*.c)) kernel/fs/vfs.c kernel/fs/path.c kernel/fs/namei.c kernel/fs/mount.c \
	kernel/fs/perm.c kernel/fs/getcwd.c kernel/fs/ioctx.c kernel/fs/dcache.c \
	kernel/mm/pcache.c kernel/mm/pcache_fill.c kernel/mm/pcache_read.c kernel/mm/pcache_reclaim.c kernel/mm/pcache_map.c kernel/mm/pcache_wb.c kernel/async/waitq.c \
	kernel/async/future.c lib/radix.c lib/dirhash.c

$(B)/host/test_ext2: tests/unit/test_ext2.c tests/unit/ext2_fixture.c tests/unit/ext2_fixture.h $(EXT2_HOST_SRCS) kernel/fs/ext2/ext2_int.h kernel/fs/ext2/ext2.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(EXT2_HOST_CFLAGS) $< tests/unit/ext2_fixture.c $(EXT2_HOST_SRCS) -o $@ -lcmocka

HOST_TESTS += $(B)/host/test_ext2

# Hashed directories over the same fixture.
$(B)/host/test_ext2_htree: tests/unit/test_ext2_htree.c tests/unit/ext2_fixture.c tests/unit/ext2_fixture.h $(EXT2_HOST_SRCS) kernel/fs/ext2/ext2_int.h kernel/fs/ext2/htree.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(EXT2_HOST_CFLAGS) $< tests/unit/ext2_fixture.c $(EXT2_HOST_SRCS) -o $@ -lcmocka

HOST_TESTS += $(B)/host/test_ext2_htree
