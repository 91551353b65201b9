# SPDX-License-Identifier: MIT
# Disks for the driver and cache tests and benchmarks. build/scratch.img is a
# 16 MiB raw image of zeros that the virtio/bcache ktests and kbenches
# overwrite freely; DISK_SCRATCH attaches it as the first disk (vda).
SCRATCH_IMG := $(B)/scratch.img
DISK_SCRATCH = -drive file=$(SCRATCH_IMG),if=none,format=raw,id=scratch0 \
	-device virtio-blk-device,drive=scratch0

$(SCRATCH_IMG):
	@mkdir -p $(dir $@)
	truncate -s 16M $@

# The disk suites with the scratch disk (fresh each run).
ktest-disk: $(DEPS_STAMP) all
	@rm -f $(SCRATCH_IMG) && $(MAKE) --no-print-directory $(SCRATCH_IMG)
	@tools/run-ktest.sh "$(RESULTS)" "ktest-disk-cpus$(CPUS)" $(QEMU) $(QEMUBASE) \
		$(DISK_SCRATCH) -append "ktest=virtio,bcache,pcache"

# Disk benchmarks under -icount shift=0 with the scratch disk.
bench-disk: $(DEPS_STAMP) all
	@rm -f $(SCRATCH_IMG) && $(MAKE) --no-print-directory $(SCRATCH_IMG)
	timeout 600 $(QEMU) $(QEMUBASE) $(DISK_SCRATCH) -icount shift=0 \
		-append "kbench=vblk_seq_read,bcache_read" </dev/null | grep '^BENCH'

.PHONY: ktest-disk bench-disk
