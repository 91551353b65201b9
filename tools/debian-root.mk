# SPDX-License-Identifier: MIT
# The Debian userland disk of the dynamic-linking test (tests/qemu/test_debian.py): trixie
# riscv64 libc6, bash, coreutils and python3-minimal with the libraries they load, staged by
# tools/debian-root.sh and made into an ext2 image; the test attaches it as vdb, mounts it and
# runs tests/debian/run.sh in a chroot, comparing with tests/debian/expected/ (Linux).
#
#   make debian-root-linux   record tests/debian/expected/ on Linux: the same root under
#                            qemu-riscv64 (binfmt_misc in a user namespace, as root)

DEB_STAGE := $(B)/debian-root
DEB_IMG   := $(B)/debian-root.img

$(DEB_IMG): tools/debian-root.sh tools/debian-pins.txt $(wildcard tests/debian/*.sh tests/debian/*.py)
	tools/debian-root.sh $(DEB_STAGE)
	rm -f $@.tmp
	E2FSPROGS_FAKE_TIME=$(FS_IMG_TIME) mke2fs -q -F -t ext2 -b 4096 -U $(FS_IMG_UUID) \
		-E hash_seed=$(FS_IMG_UUID),root_owner=0:0 -d $(DEB_STAGE) $@.tmp 96M
	printf '%s\n' 'cd /dev' 'mknod null c 1 3' 'mknod zero c 1 5' 'mknod urandom c 1 9' \
		'mknod random c 1 8' 'mknod tty c 5 0' 'mknod full c 1 7' \
		$(foreach d,null zero urandom random tty full,'sif $(d) mode 020666') > $@.cmds
	E2FSPROGS_FAKE_TIME=$(FS_IMG_TIME) debugfs -w -f $@.cmds $@.tmp >/dev/null 2>&1
	rm -f $@.cmds
	e2fsck -fn $@.tmp >/dev/null 2>&1
	mv $@.tmp $@

debian-root: $(DEB_IMG)
test-qemu: $(DEB_IMG)

debian-root-linux: $(DEPS_STAMP) $(DEB_IMG)
	tests/debian/record-linux.sh $(DEB_STAGE)

.PHONY: debian-root debian-root-linux
