# SPDX-License-Identifier: MIT
# `make fuzz SEED=... N=... PROCS=...`: boot with the syscall fuzzer (user/fuzz/fuzz.c) as init
# on a writable copy of the ext2 image (build/fuzz.img), then judge the image with e2fsck -fn.
# The console is build/fuzz.log too; QEMU's exit status is the fuzzer's (0: no hang). A panic
# powers off with status 99. TIMEOUT bounds the host time (s).
SEED    ?= 1
N       ?= 20000
PROCS   ?= 6
TIMEOUT ?= 3600
FUZZ_IMG := $(B)/fuzz.img

fuzz: $(DEPS_STAMP) all
	cp $(FS_IMG) $(FUZZ_IMG)
	{ timeout $(TIMEOUT) $(QEMU) -machine $(QEMU_MACHINE) -cpu rv64 -smp $(CPUS) -m $(MEM) \
		-nographic -bios $(OPENSBI) -kernel $(B)/kernel.elf \
		-global virtio-mmio.force-legacy=false \
		-drive file=$(FUZZ_IMG),if=none,format=raw,id=vda -device virtio-blk-device,drive=vda \
		-append "init=/bin/fuzz -s $(SEED) -n $(N) -p $(PROCS)" </dev/null; \
		echo $$? > $(B)/fuzz.rc; } | tee $(B)/fuzz.log
	e2fsck -fn $(FUZZ_IMG)
	@echo "fuzz: QEMU exit status $$(cat $(B)/fuzz.rc)"
	@test "$$(cat $(B)/fuzz.rc)" = 0 && grep -q 'result=ok' $(B)/fuzz.log

.PHONY: fuzz
