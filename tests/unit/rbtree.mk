# SPDX-License-Identifier: MIT
# Host test of lib/rbtree (ASan+UBSan), built with its work counters
# (-DRBTREE_STATS) so the test can bound the work of each operation.

$(B)/host/test_rbtree: tests/unit/test_rbtree.c lib/rbtree.c lib/rbtree.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) -DRBTREE_STATS tests/unit/test_rbtree.c lib/rbtree.c \
		-o $@ $(LIB_HOST_LIBS) -lm

HOST_TESTS += $(B)/host/test_rbtree

# kernel/async/timer.c keeps its queues in lib/rbtree: the host binaries
# of async.mk that link the async core (ASYNC_CORE, read there before this
# file) need it too. Their recipes compile $(filter %.c,$^), so an extra
# prerequisite is enough. test_timer's is in timer.mk.
$(B)/host/test_exec $(B)/host/test_exec_tsan $(B)/host/test_wake $(B)/host/test_wake_tsan: \
	lib/rbtree.c lib/rbtree.h
