# SPDX-License-Identifier: MIT
# Busybox's own testsuite (Debian's source package of the pinned version), run inside the
# kernel and judged against the Linux baseline (tests/busybox/linux-failures.txt, measured
# under qemu-riscv64: see its header).
#
#   make test-busybox         the whole testsuite (every applet; long: see the README)
#   make test-busybox-subset  the fixed subset of tests/busybox/subset.txt (part of make test)
#
# The testsuite travels on a second disk (vdb, ext2, read-only): the root image stays as it is.
# The guest mounts it, runs tests/busybox/run-testsuite.sh under busybox ash with a scratch
# directory in /tmp and powers off with its status; tools/run-busybox-tests.sh turns the
# verdict lines into the RESULT line `make test` sums.

BBT_IMG := $(B)/busybox-tests.img
BBT_SRC := .cache/debian/src/busybox
BBT_STAGE := $(B)/busybox-tests

$(BBT_IMG): $(B)/debian/busybox tests/busybox/run-testsuite.sh tests/busybox/linux-failures.txt \
		tools/debian-pins.txt
	tools/debian-fetch.sh busybox
	rm -rf $(BBT_STAGE) && mkdir -p $(BBT_STAGE)
	cp -R $(BBT_SRC)/testsuite $(BBT_STAGE)/testsuite
	cp $(BBT_SRC)/debian/config/pkg/static $(BBT_STAGE)/busybox.config
	cp tests/busybox/run-testsuite.sh tests/busybox/linux-failures.txt $(BBT_STAGE)/
	find $(BBT_STAGE) -exec touch -h -d @0 {} +
	rm -f $@.tmp
	E2FSPROGS_FAKE_TIME=$(FS_IMG_TIME) mke2fs -q -F -t ext2 -b 4096 -U $(FS_IMG_UUID) \
		-E hash_seed=$(FS_IMG_UUID),root_owner=0:0 -d $(BBT_STAGE) $@.tmp 16M
	mv $@.tmp $@

BBT_DISK = -drive file=$(BBT_IMG),if=none,format=raw,id=bbt,readonly=on \
	-device virtio-blk-device,drive=bbt
# The guest side: mount the testsuite, run it from a scratch copy in /tmp.
bbt_append = init=/bin/sh -c "mount -r -t ext2 /dev/vdb /mnt && exec sh /mnt/run-testsuite.sh \
	-b /bin/busybox -c /mnt/busybox.config -s /mnt/testsuite -w /tmp/bbt $(1)"

BBT_SUBSET = $(shell grep -v '^\#' tests/busybox/subset.txt)

test-busybox-subset: $(DEPS_STAMP) all $(BBT_IMG)
	@tools/run-busybox-tests.sh "$(RESULTS)" busybox-subset 1200 $(QEMU) $(QEMUBASE) \
		$(BBT_DISK) -append '$(call bbt_append,$(BBT_SUBSET))'

test-busybox: $(DEPS_STAMP) all $(BBT_IMG)
	@tools/run-busybox-tests.sh "$(RESULTS)" busybox 7200 $(QEMU) $(QEMUBASE) \
		$(BBT_DISK) -append '$(call bbt_append,)'

.PHONY: test-busybox test-busybox-subset
