# SPDX-License-Identifier: MIT
# Host tests of kernel/mm (page allocator, slab, address spaces, user copies)
# over a fake RAM array, under ASan+UBSan. The kernel's spinlock.c is compiled
# in; tests/unit/mm_host.c stubs arch, panic, printk and the kernel root table.

HOST_CC ?= gcc
MM_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -pthread \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I.
MM_HOST_SRCS := tests/unit/mm_host.c kernel/mm/page.c kernel/mm/slab.c kernel/spinlock.c
MM_HOST_HDRS := tests/unit/mm_host.h kernel/mm/page.h kernel/mm/slab.h kernel/mm/kmalloc.h

$(B)/host/test_page: tests/unit/test_page.c $(MM_HOST_SRCS) $(MM_HOST_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(MM_HOST_CFLAGS) $< $(MM_HOST_SRCS) -o $@ -lcmocka

$(B)/host/test_as: tests/unit/test_as.c kernel/mm/as.c kernel/mm/as_pt.c kernel/mm/uaccess.c $(MM_HOST_SRCS) tests/unit/as_file_stub.c \
		$(MM_HOST_HDRS) kernel/mm/as.h kernel/mm/as_int.h kernel/mm/uaccess.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(MM_HOST_CFLAGS) $< kernel/mm/as.c kernel/mm/as_pt.c kernel/mm/uaccess.c $(MM_HOST_SRCS) tests/unit/as_file_stub.c \
		-o $@ -lcmocka

HOST_TESTS += $(B)/host/test_page $(B)/host/test_as
