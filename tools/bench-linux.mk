# SPDX-License-Identifier: MIT
# make bench-linux: our kernel and Debian's Linux side by side on the same QEMU, disk and bench.
#
#   $(BL_KDIR)/vmlinux       Debian trixie's riscv64 kernel, pinned in tools/bench-linux/linux.pin,
#                            fetched and unpacked by tools/bench-linux/fetch-linux.sh (.cache/)
#   $(BL)/init               the initramfs bridge (tools/bench-linux/init.c, static glibc)
#   $(BL)/initramfs.cpio     /init, the modules it loads (order from modules.dep, modorder.py)
#                            and /etc/modules.load; newc, reproducible (mtimes 0, owner root)
#   $(B)/bench-vs-linux.txt  the table: figure, Linux, ours, ours/Linux (tools/bench-linux/run.sh)
#
# BL_MODULES: what the bridge needs to mount build/fs.img; their dependencies come along.

BL          := $(B)/bench-linux
BL_PIN      := tools/bench-linux/linux.pin
BL_RELEASE  := $(patsubst linux-image-%,%,$(shell sed -n 's/^package //p' $(BL_PIN)))
BL_KDIR     := .cache/debian-linux/$(BL_RELEASE)
BL_MODDIR   := $(BL_KDIR)/lib/modules/$(BL_RELEASE)
BL_MODULES  ?= virtio_mmio virtio_blk ext4
# DEPS_STAMP by name: the top Makefile defines it after including the fragments.
BL_DEPS     := $(B)/.deps-ok

$(BL_KDIR)/.sha256: $(BL_PIN) tools/bench-linux/fetch-linux.sh | $(BL_DEPS)
	tools/bench-linux/fetch-linux.sh >/dev/null
	@touch $@

$(BL)/init: tools/bench-linux/init.c | $(BL_DEPS)
	@mkdir -p $(dir $@)
	$(UCC) -std=gnu11 -D_GNU_SOURCE -static -O2 -Wall -Wextra -Werror $< -o $@.tmp
	$(USTRIP) $@.tmp
	mv $@.tmp $@

$(BL)/initramfs.cpio: $(BL)/init $(BL_KDIR)/.sha256 tools/bench-linux/modorder.py
	rm -rf $(BL)/root && mkdir -p $(BL)/root/dev $(BL)/root/etc $(BL)/root/newroot \
		$(BL)/root/lib/modules
	cp $(BL)/init $(BL)/root/init
	$(PYTHON) tools/bench-linux/modorder.py $(BL_MODDIR) $(BL_MODULES) > $(BL)/modules.order
	while read -r m; do \
		cp $(BL_MODDIR)/$$m $(BL)/root/lib/modules/ && \
		echo "/lib/modules/$${m##*/}"; \
	done < $(BL)/modules.order > $(BL)/root/etc/modules.load
	chmod 0755 $(BL)/root/init
	find $(BL)/root -exec touch -h -d @0 {} +
	cd $(BL)/root && find . -mindepth 1 | LC_ALL=C sort | \
		cpio --quiet -o -H newc -R 0:0 --reproducible > $(abspath $@).tmp
	mv $@.tmp $@
	@echo "bench-linux initramfs: $$(stat -c %s $@) bytes, modules: $$(tr '\n' ' ' < $(BL)/root/etc/modules.load)"

bench-linux-prep: all $(BL)/initramfs.cpio

bench-linux: $(BL_DEPS) bench-linux-prep
	@BL_VMLINUX=$(BL_KDIR)/vmlinux BL_INITRD=$(BL)/initramfs.cpio tools/bench-linux/run.sh

.PHONY: bench-linux bench-linux-prep
