# SPDX-License-Identifier: MIT
# Host tests of lib/elf.c (against the real static glibc programs that
# `make user` builds) and lib/chacha20.c (RFC 8439 vectors), under ASan+UBSan.

HOST_CC ?= gcc
ELF_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I.

$(B)/host/test_elf: tests/unit/test_elf.c tests/unit/elf_files.h lib/elf.c lib/elf.h \
		$(B)/user/bin/init $(B)/user/bin/usertests $(B)/user/bin/bench
	@mkdir -p $(dir $@)
	$(HOST_CC) $(ELF_HOST_CFLAGS) -DELF_TEST_DIR='"$(abspath $(B)/user/bin)"' \
		tests/unit/test_elf.c lib/elf.c -o $@ -lcmocka

$(B)/host/test_chacha20: tests/unit/test_chacha20.c lib/chacha20.c lib/chacha20.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(ELF_HOST_CFLAGS) tests/unit/test_chacha20.c lib/chacha20.c -o $@ -lcmocka

# The loader and initial stack over the mm harness (the sources of tests/unit/mm.mk,
# listed here because this fragment is read first), loading the same real
# binaries (test_elf_load.c).
ELF_LOAD_SRCS := kernel/proc/elf_load.c kernel/proc/exec_stack.c kernel/random.c \
	kernel/mm/as.c kernel/mm/as_pt.c kernel/mm/uaccess.c lib/elf.c lib/chacha20.c \
	tests/unit/mm_host.c kernel/mm/page.c kernel/mm/slab.c kernel/spinlock.c
$(B)/host/test_elf_load: tests/unit/test_elf_load.c $(ELF_LOAD_SRCS) tests/unit/mm_host.h \
		kernel/proc/elf_load.h kernel/proc/exec_stack.h \
		$(B)/user/bin/init $(B)/user/bin/usertests
	@mkdir -p $(dir $@)
	$(HOST_CC) $(ELF_HOST_CFLAGS) -pthread \
		-DELF_TEST_DIR='"$(abspath $(B)/user/bin)"' $< $(ELF_LOAD_SRCS) -o $@ -lcmocka

HOST_TESTS += $(B)/host/test_elf $(B)/host/test_chacha20 $(B)/host/test_elf_load
