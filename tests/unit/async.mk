# SPDX-License-Identifier: MIT
# Host tests of lib/arrayqueue and kernel/async over the pthread shim.
# Normal binaries run under ASan+UBSan; the concurrent stress ones under TSan.

ASYNC_HOST_CC     ?= gcc
ASYNC_HOST_CFLAGS := -std=gnu11 -g -O1 -I. -pthread -Wall -Wextra -Werror \
	-DEXEC_TRACE -DEXEC_HOST
ASYNC_ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all
ASYNC_TSAN := -fsanitize=thread
ASYNC_HDRS := $(wildcard lib/arrayqueue.h lib/rbtree.h lib/errno.h lib/list.h kernel/*.h \
	kernel/async/*.h kernel/mm/kmalloc.h tests/unit/shim/*.h tests/unit/exec_fixture.h)
ASYNC_CORE := $(filter-out %_ktest.c %_kbench.c,$(wildcard kernel/async/*.c)) \
	lib/arrayqueue.c lib/rbtree.c kernel/spinlock.c $(wildcard tests/unit/shim/*.c)

$(B)/host/test_arrayq: tests/unit/test_arrayq.c lib/arrayqueue.c $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_ASAN) $(filter %.c,$^) -lcmocka -o $@

$(B)/host/test_arrayq_tsan: tests/unit/test_arrayq_stress.c lib/arrayqueue.c $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_TSAN) $(filter %.c,$^) -lcmocka -o $@

HOST_TESTS += $(B)/host/test_arrayq $(B)/host/test_arrayq_tsan

$(B)/host/test_exec: tests/unit/test_exec.c $(ASYNC_CORE) $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_ASAN) $(filter %.c,$^) -lcmocka -o $@

$(B)/host/test_exec_tsan: tests/unit/test_exec.c $(ASYNC_CORE) $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_TSAN) $(filter %.c,$^) -lcmocka -o $@

HOST_TESTS += $(B)/host/test_exec $(B)/host/test_exec_tsan

$(B)/host/test_async_helpers: tests/unit/test_async_helpers.c $(ASYNC_CORE) $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_ASAN) $(filter %.c,$^) -lcmocka -o $@

$(B)/host/test_async_helpers_tsan: tests/unit/test_async_helpers.c $(ASYNC_CORE) $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_TSAN) $(filter %.c,$^) -lcmocka -o $@

HOST_TESTS += $(B)/host/test_async_helpers $(B)/host/test_async_helpers_tsan

$(B)/host/test_wake: tests/unit/test_wake.c $(ASYNC_CORE) $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_ASAN) $(filter %.c,$^) -lcmocka -o $@

$(B)/host/test_wake_tsan: tests/unit/test_wake.c $(ASYNC_CORE) $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_TSAN) $(filter %.c,$^) -lcmocka -o $@

HOST_TESTS += $(B)/host/test_wake $(B)/host/test_wake_tsan
