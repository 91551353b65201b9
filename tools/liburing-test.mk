# SPDX-License-Identifier: MIT
# liburing's own test suite (test/*.c of Debian's pinned liburing source package), built
# statically for riscv64 against Debian's liburing-dev (tools/build-liburing-tests.sh) and run
# inside the kernel (tests/liburing/README.md: the subset, the skip list and the baseline).
#
#   make test-liburing-subset  the fixed subset of tests/liburing/subset.txt (part of make test)
#   make test-liburing         every test but those of tests/liburing/skip.txt (long)
#   make test-liburing-linux   the same under Debian's Linux: the baseline
#   LT_NAMES="a b"              only these tests (either of the last two)
#
# As for busybox's testsuite (tools/busybox-test.mk) the binaries travel on a second disk
# (vdb, ext2, read-only); the guest mounts it and runs tests/liburing/run-tests.sh under
# busybox ash with a scratch directory in /tmp, then powers off; tools/run-liburing-tests.sh
# turns its summary into the RESULT line `make test` sums.

LT_BIN := $(B)/liburing-bin
LT_STAGE := $(B)/liburing-tests
LT_IMG := $(B)/liburing-tests.img

$(LT_BIN)/list: tools/build-liburing-tests.sh tests/liburing/config-host.h tools/debian-pins.txt
	UCROSS=$(UCROSS) tools/build-liburing-tests.sh $(LT_BIN)
	@touch $@

$(LT_BIN)/lo-up: tests/liburing/lo-up.c
	@mkdir -p $(dir $@)
	$(UCC) -std=gnu11 -static -O2 -Wall -Wextra -Werror $< -o $@.tmp
	$(USTRIP) $@.tmp
	mv $@.tmp $@

$(LT_IMG): $(LT_BIN)/list $(LT_BIN)/lo-up tests/liburing/run-tests.sh tests/liburing/skip.txt
	rm -rf $(LT_STAGE) && mkdir -p $(LT_STAGE)/bin
	cp $(LT_BIN)/list $(LT_BIN)/*.t $(LT_STAGE)/bin/
	cp $(LT_BIN)/lo-up $(LT_STAGE)/
	cp tests/liburing/run-tests.sh tests/liburing/skip.txt $(LT_STAGE)/
	find $(LT_STAGE) -exec touch -h -d @0 {} +
	rm -f $@.tmp
	E2FSPROGS_FAKE_TIME=$(FS_IMG_TIME) mke2fs -q -F -t ext2 -b 4096 -U $(FS_IMG_UUID) \
		-E hash_seed=$(FS_IMG_UUID),root_owner=0:0 -d $(LT_STAGE) $@.tmp 160M
	mv $@.tmp $@

LT_DISK = -drive file=$(LT_IMG),if=none,format=raw,id=lt,readonly=on \
	-device virtio-blk-device,drive=lt
lt_append = init=/bin/sh -c "mount -r -t ext2 /dev/vdb /mnt && exec sh /mnt/run-tests.sh \
	-d /mnt/bin -w /tmp/lt -t $(1) $(2)"

LT_SUBSET = $(shell grep -v '^\#' tests/liburing/subset.txt | cut -d' ' -f1)

test-liburing-subset: $(DEPS_STAMP) all $(LT_IMG)
	@tools/run-liburing-tests.sh "$(RESULTS)" liburing-subset 900 $(QEMU) $(QEMUBASE) \
		$(LT_DISK) -append '$(call lt_append,60,$(LT_SUBSET))'

test-liburing: $(DEPS_STAMP) all $(LT_IMG)
	@tools/run-liburing-tests.sh "$(RESULTS)" liburing 7200 $(QEMU) $(QEMUBASE) \
		$(LT_DISK) -append '$(call lt_append,60,$(LT_NAMES))'

.PHONY: test-liburing test-liburing-subset

# The Linux baseline (tests/liburing/linux-baseline.txt): the same image and run-tests.sh under
# Debian's riscv64 Linux, booted as make bench-linux boots it (its kernel and initramfs bridge,
# which mounts build/fs.img as root and execs /sbin/init with the words after `--`), on the same
# QEMU machine with the same disks. /proc is mounted by hand (our kernel mounts it itself);
# /tmp is build/fs.img's own directory on both. lo-up (tests/liburing/lo-up.c) brings Linux's
# loopback up for the tests that use TCP or UDP over 127.0.0.1. Linux's log: $(B)/liburing-linux.log.
LT_LINUX_QEMU = $(subst -initrd $(QEMU_INITRD),-initrd $(BL)/initramfs.cpio,\
	$(subst -kernel $(B)/kernel.elf,-kernel $(BL_KDIR)/vmlinux,$(QEMUBASE)))
lt_linux_append = console=ttyS0 quiet panic=-1 -- /bin/sh -c "mount -t proc proc /proc; \
	mount -r -t ext2 /dev/vdb /mnt && /mnt/lo-up && exec sh /mnt/run-tests.sh -d /mnt/bin -w /tmp/lt -t $(1) $(2)"

test-liburing-linux: $(DEPS_STAMP) bench-linux-prep $(LT_IMG)
	@tools/run-liburing-tests.sh "$(RESULTS)" liburing-linux 7200 $(QEMU) $(LT_LINUX_QEMU) \
		-no-reboot \
		$(LT_DISK) -append '$(call lt_linux_append,60,$(LT_NAMES))'

.PHONY: test-liburing-linux
