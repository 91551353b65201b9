# SPDX-License-Identifier: MIT
# The ext2 disk image: build/fs.img from the same staged root as the initrd ($(B)/user/root,
# ROOTFS_EXTRA included), made by `mke2fs -t ext2 -d` with the default ext2 features,
# reproducibly (fixed time, UUID and hash seed; the staged files are all dated @0). 4 KiB
# blocks: one block per buffer-cache page (1 KiB blocks would use a quarter of each).
#
# QEMU_DISK_FS is the QEMU arguments that attach it as the first virtio disk (vda), and it is in
# QEMU_DISKS: `make qemu` (and every test through `make qemu-cmd`) boots from the ext2 root.
# snapshot=on: writes go to a throw-away overlay, so runs never change build/fs.img (the build
# stays reproducible, concurrent QEMUs do not fight over its write lock, and the ktests that
# write to vda cannot scribble on it). tests/qemu/test_fs.py attaches writable copies instead.

FS_IMG        := $(B)/fs.img
FS_IMG_SIZE   ?= 64M
FS_IMG_UUID   := 6b7a1c2e-0e2f-4d0c-9a57-3f1e2d4c5b6a
FS_IMG_TIME   := 1700000000

$(FS_IMG): $(B)/initrd.cpio
	rm -f $@.tmp
	E2FSPROGS_FAKE_TIME=$(FS_IMG_TIME) mke2fs -q -F -t ext2 -b 4096 -U $(FS_IMG_UUID) \
		-E hash_seed=$(FS_IMG_UUID),root_owner=0:0 -d $(UB)/root $@.tmp $(FS_IMG_SIZE)
	# Owners as in the initrd, whoever builds: root's, except ROOTFS_OWNED (user/user.mk).
	cd $(UB)/root && { find . -mindepth 1 | sed 's|^\.\(.*\)|sif "\1" uid 0\nsif "\1" gid 0|'; \
		$(foreach o,$(ROOTFS_OWNED),echo 'sif "/$(word 1,$(subst :, ,$(o)))" uid $(word 2,$(subst :, ,$(o)))'; \
		echo 'sif "/$(word 1,$(subst :, ,$(o)))" gid $(word 3,$(subst :, ,$(o)))';) } \
		> $(abspath $@).owners
	E2FSPROGS_FAKE_TIME=$(FS_IMG_TIME) debugfs -w -f $@.owners $@.tmp >/dev/null 2>&1
	rm -f $@.owners
	e2fsck -fn $@.tmp >/dev/null 2>&1
	mv $@.tmp $@

all: $(FS_IMG)

QEMU_DISK_FS := -drive file=$(FS_IMG),if=none,format=raw,id=vda,snapshot=on \
	-device virtio-blk-device,drive=vda
# Only with an initrd: `QEMU_INITRD=` runs (the echo-console tests) keep meaning "no user space".
QEMU_DISKS += $(if $(QEMU_INITRD),$(QEMU_DISK_FS))

