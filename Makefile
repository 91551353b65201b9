# SPDX-License-Identifier: MIT
# Non-recursive build of the kernel, user space, images and tests.
# `make help` lists the targets. Fragments: tests/unit/*.mk, user/*.mk.

CPUS    ?= 4
MEM     ?= 128M
CROSS   ?= riscv64-unknown-elf-
UCROSS  ?= riscv64-linux-gnu-
APPEND  ?=
PYTHON  ?= /usr/bin/python3
OPENSBI ?= /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
QEMU    ?= qemu-system-riscv64
B       := build

# ---- kernel ---------------------------------------------------------------
CC      := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
KVERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Deferred (=): on a fresh machine the cross compiler is only installed by
# $(DEPS_STAMP), after this file has been read.
KCFLAGS = -std=gnu11 -Wall -Wextra -Werror -O2 -g3 -fno-omit-frame-pointer \
	-ffreestanding -fno-common -fno-builtin -nostdlib -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include 2>/dev/null) \
	-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax \
	-fno-stack-protector -fno-pie -no-pie -fno-strict-aliasing \
	-I. -MMD -MP -DKVERSION='"$(KVERSION)"'
# The kernel never touches floating-point registers (they hold user state
# between traps), hence rv64imac/lp64; libgcc must come from that multilib.
LIBGCC = $(shell $(CC) -march=rv64imac -mabi=lp64 -print-libgcc-file-name 2>/dev/null)
KLDFLAGS := -nostdlib -static -Wl,--no-relax -Wl,-T,linker.ld -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096

KSRCS := $(wildcard arch/riscv/*.S arch/riscv/*.c kernel/*.c kernel/*/*.c kernel/*/*/*.c \
	lib/*.c)
KEXCLUDE ?=
KSRCS := $(filter-out arch/riscv/asm-offsets.c $(KEXCLUDE),$(KSRCS)) arch/riscv/vdso/blob.S
KOBJS := $(patsubst %,$(B)/k/%.o,$(KSRCS))

all: $(B)/kernel.elf

$(B)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(B)/k/%.S.o: %.S $(B)/k/asm-offsets.h
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -I$(B)/k -D__ASSEMBLY__ -c $< -o $@

# Struct offsets for assembly come from the compiler, never hand-kept numbers.
$(B)/k/asm-offsets.h: arch/riscv/asm-offsets.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MT $@ -MF $(B)/k/asm-offsets.d -S $< -o $(B)/k/asm-offsets.s
	sed -n 's/.*@@OFFSET \([A-Z_0-9]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\).*/#define \1 \2/p' \
		$(B)/k/asm-offsets.s > $@

# Two links: the first with an empty symbol table, the second with the text
# symbols of the first (they do not move: .ksyms follows .text and .rodata).
NM := $(CROSS)nm
$(B)/k/ksyms-empty.S: tools/gen-ksyms.sh
	@mkdir -p $(dir $@)
	tools/gen-ksyms.sh $(NM) - > $@
$(B)/k/kernel.pass1.elf: $(KOBJS) $(B)/k/ksyms-empty.o linker.ld
	$(CC) $(KCFLAGS) $(KLDFLAGS) $(KOBJS) $(B)/k/ksyms-empty.o -o $@ $(LIBGCC)
$(B)/k/ksyms.S: $(B)/k/kernel.pass1.elf tools/gen-ksyms.sh
	tools/gen-ksyms.sh $(NM) $< > $@
$(B)/k/%.o: $(B)/k/%.S
	$(CC) $(KCFLAGS) -c $< -o $@
$(B)/kernel.elf: $(KOBJS) $(B)/k/ksyms.o linker.ld
	$(CC) $(KCFLAGS) $(KLDFLAGS) $(KOBJS) $(B)/k/ksyms.o -o $@ $(LIBGCC)
	@$(NM) -n $(B)/k/kernel.pass1.elf | grep -i ' t ' > $(B)/k/syms1
	@$(NM) -n $@ | grep -i ' t ' > $(B)/k/syms2
	@cmp -s $(B)/k/syms1 $(B)/k/syms2 || { echo "ksyms: text moved between links"; rm -f $@; exit 1; }

# The vDSO (arch/riscv/vdso/): user code, a shared object of its own built with the user
# toolchain (the bare-metal one cannot link -shared), embedded by blob.S.
VDSO_SO := $(B)/k/vdso/vdso.so
$(VDSO_SO): arch/riscv/vdso/vdso.c arch/riscv/vdso/vdso.lds arch/riscv/vdso/vdso_data.h
	@mkdir -p $(dir $@)
	$(UCROSS)gcc -std=gnu11 -Wall -Wextra -Werror -O2 -march=rv64gc -mabi=lp64d -fPIC \
		-shared -nostdlib -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables \
		-I. -Wl,-T,arch/riscv/vdso/vdso.lds -Wl,--hash-style=both -Wl,-soname=linux-vdso.so.1 \
		-Wl,--build-id=none -Wl,-Bsymbolic -o $@ $<
$(B)/k/arch/riscv/vdso/blob.S.o: $(VDSO_SO)
$(B)/k/arch/riscv/vdso/blob.S.o: KCFLAGS += -DVDSO_SO='"$(VDSO_SO)"'

-include $(shell find $(B)/k -name '*.d' 2>/dev/null)

# ---- fragments (host tests, user space, images) ---------------------------
HOST_TESTS :=
include $(sort $(wildcard tests/unit/*.mk user/*.mk tools/*.mk))

# ---- running ---------------------------------------------------------------
DEPS_STAMP := $(B)/.deps-ok
$(DEPS_STAMP): tools/install-deps.sh
	@tools/install-deps.sh
	@mkdir -p $(B) && touch $@

QEMU_DISKS ?=
QEMU_INITRD ?=
QEMU_CONSOLE ?= -nographic
# aclint=on gives S-mode its own IPI device (ACLINT SSWI, arch/riscv/ipi.c);
# QEMU_MACHINE=virt measures the SBI IPI path instead.
QEMU_MACHINE ?= virt,aclint=on
QEMUBASE = -machine $(QEMU_MACHINE) -cpu rv64 -smp $(CPUS) -m $(MEM) $(QEMU_CONSOLE) \
	-bios $(OPENSBI) -kernel $(B)/kernel.elf \
	-global virtio-mmio.force-legacy=false \
	$(if $(QEMU_INITRD),-initrd $(QEMU_INITRD)) $(QEMU_DISKS)
QEMUOPTS = $(QEMUBASE) $(if $(strip $(APPEND)),-append "$(APPEND)")

# The gdb stub listens on a unix socket private to this user and checkout, so
# two users (or two checkouts) on one machine never clash over a TCP port.
GDBSOCK ?= $(B)/gdb.sock

qemu: $(DEPS_STAMP) all
	$(QEMU) $(QEMUOPTS)

qemu-gdb: $(DEPS_STAMP) all
	@rm -f $(GDBSOCK)
	@echo "*** QEMU halted at reset; attach with: make gdb   (socket $(GDBSOCK))"
	$(QEMU) $(QEMUOPTS) -S -chardev socket,path=$(GDBSOCK),server=on,wait=off,id=gdb0 \
		-gdb chardev:gdb0

# The exact QEMU command line for these variables (the tests use it).
qemu-cmd:
	@printf '%s' '$(QEMU) $(QEMUBASE)'; \
	$(if $(strip $(APPEND)),printf " -append '%s'" '$(APPEND)';) echo

gdb: $(B)/kernel.elf
	gdb-multiarch -q -x tools/gdb/kernel.gdb -ex 'target remote $(GDBSOCK)' $(B)/kernel.elf

# ---- tests -----------------------------------------------------------------
# Every test target appends one line "RESULT <name> <passed> <failed>" to
# $(B)/results; `make test` sums them into the closing summary line.
RESULTS := $(B)/results

test: $(DEPS_STAMP)
	@rm -f $(RESULTS); mkdir -p $(B)
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory test-host
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory ktest
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory ktest CPUS=1
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory ktest-icount CPUS=2
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory ktest-disk
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory test-qemu
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory test-gdb
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory test-busybox-subset
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory test-liburing-subset
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory test-labs
	-@tools/test-step.sh $(RESULTS) $(MAKE) --no-print-directory test-docs
	@tools/summarize-results.sh $(RESULTS)

# `make ktest` runs every suite; APPEND=ktest=page,slab selects.
KTEST_APPEND = $(if $(filter ktest%,$(APPEND)),$(APPEND),ktest $(APPEND))
ktest: $(DEPS_STAMP) all
	@tools/run-ktest.sh "$(RESULTS)" "ktest-cpus$(CPUS)" $(QEMU) $(QEMUBASE) -append "$(KTEST_APPEND)"

# The same under -icount, where QEMU runs the harts in turns on one thread:
# a hart that spins on a lock whose holder is not running keeps it from
# running (2-hart boots once hung this way; docs/boot.md "Spinning under
# -icount"). Part of `make test` with CPUS=2.
ktest-icount: $(DEPS_STAMP) all
	@tools/run-ktest.sh "$(RESULTS)" "ktest-icount-cpus$(CPUS)" $(QEMU) $(QEMUBASE) \
		-icount shift=0 -append "$(KTEST_APPEND)"

# docs/syscalls.md is generated from the SYSCALL descriptors: fail when stale.
test-docs:
	@mkdir -p $(B); if tools/gen-syscall-table.sh --check; then \
		echo "RESULT docs 1 0" >> $(RESULTS); echo "docs: syscall table up to date"; \
	else echo "RESULT docs 0 1" >> $(RESULTS); exit 1; fi

test-qemu: $(DEPS_STAMP) all
	@tools/run-pytest.sh qemu $(RESULTS) tests/qemu

test-gdb: $(DEPS_STAMP) all
	@tools/run-pytest.sh gdb $(RESULTS) tests/gdb

bench: $(DEPS_STAMP) all
	@tools/bench.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

help:
	@echo "make qemu       boot the kernel in QEMU (CPUS=$(CPUS) MEM=$(MEM) APPEND=...)"
	@echo "make qemu-gdb   same, halted, with the gdb stub on $(GDBSOCK)"
	@echo "make gdb        attach gdb-multiarch to qemu-gdb"
	@echo "make test       every test; ends with 'N passed, M failed'"
	@echo "make test-host  lib/ and executor core on the host (ASan+UBSan, TSan)"
	@echo "make ktest      in-kernel tests (APPEND=ktest=suite selects)"
	@echo "make ktest-icount  the same under -icount shift=0 (harts run in turns)"
	@echo "make test-qemu  pytest integration tests through the console"
	@echo "make test-gdb   gdb-multiarch batch tests"
	@echo "make bench      benchmarks under -icount shift=0"
	@echo "make labs       the course labs (docs/labs/); make lab-start LAB=name, make grade"

.PHONY: qemu-cmd all qemu qemu-gdb gdb test ktest ktest-icount test-qemu test-gdb test-docs bench format clean help
