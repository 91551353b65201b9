# SPDX-License-Identifier: MIT
# Host test of the timer queues (kernel/async/timer.c), ASan+UBSan. Uses
# async.mk's flags and sources; arch_timer_set and the spinlock calls are
# wrapped at link time so the test sees what is programmed, and under
# which locks. lib/rbtree is built with its work counters (-DRBTREE_STATS)
# so the test can bound the work of each queue operation.

TIMER_WRAPS := -Wl,--wrap=arch_timer_set -Wl,--wrap=spin_lock_irqsave \
	-Wl,--wrap=spin_unlock_irqrestore

$(B)/host/test_timer: tests/unit/test_timer.c $(ASYNC_CORE) lib/rbtree.c $(ASYNC_HDRS) lib/rbtree.h
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_ASAN) -DRBTREE_STATS $(filter %.c,$^) \
		$(TIMER_WRAPS) -lcmocka -lm -o $@

HOST_TESTS += $(B)/host/test_timer
