# SPDX-License-Identifier: MIT
# Host tests of the page allocator and slab over a fake RAM array (ASan+UBSan).
# The kernel's spinlock.c is compiled in; the test file stubs arch, panic, printk.

HOST_CC ?= gcc
MM_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -pthread \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I.
MM_HOST_SRCS := kernel/mm/page.c kernel/mm/slab.c kernel/spinlock.c

$(B)/host/test_page: tests/unit/test_page.c $(MM_HOST_SRCS) kernel/mm/page.h kernel/mm/slab.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(MM_HOST_CFLAGS) tests/unit/test_page.c $(MM_HOST_SRCS) -o $@ -lcmocka

HOST_TESTS += $(B)/host/test_page
