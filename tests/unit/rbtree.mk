# SPDX-License-Identifier: MIT
# Host test of lib/rbtree (ASan+UBSan), built with its work counters
# (-DRBTREE_STATS) so the test can bound the work of each operation.

$(B)/host/test_rbtree: tests/unit/test_rbtree.c lib/rbtree.c lib/rbtree.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) -DRBTREE_STATS tests/unit/test_rbtree.c lib/rbtree.c \
		-o $@ $(LIB_HOST_LIBS) -lm

HOST_TESTS += $(B)/host/test_rbtree
