# SPDX-License-Identifier: MIT
# Host test of the timer queues (kernel/async/timer.c), ASan+UBSan. Uses
# async.mk's flags and sources; arch_timer_set and the spinlock calls are
# wrapped at link time so the test sees what is programmed, and under
# which locks.

TIMER_WRAPS := -Wl,--wrap=arch_timer_set -Wl,--wrap=spin_lock_irqsave \
	-Wl,--wrap=spin_unlock_irqrestore

$(B)/host/test_timer: tests/unit/test_timer.c $(ASYNC_CORE) $(ASYNC_HDRS)
	@mkdir -p $(dir $@)
	$(ASYNC_HOST_CC) $(ASYNC_HOST_CFLAGS) $(ASYNC_ASAN) $(filter %.c,$^) $(TIMER_WRAPS) \
		-lcmocka -o $@

HOST_TESTS += $(B)/host/test_timer
