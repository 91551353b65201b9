# SPDX-License-Identifier: MIT
# Host test of lib/rbtree (ASan+UBSan), built with its work counters
# (-DRBTREE_STATS) so the test can bound the work of each operation.

$(B)/host/test_rbtree: tests/unit/test_rbtree.c lib/rbtree.c lib/rbtree.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) -DRBTREE_STATS tests/unit/test_rbtree.c lib/rbtree.c \
		-o $@ $(LIB_HOST_LIBS) -lm

HOST_TESTS += $(B)/host/test_rbtree

# lib/radix, the page cache's index (ASan+UBSan).
$(B)/host/test_radix: tests/unit/test_radix.c lib/radix.c lib/radix.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) tests/unit/test_radix.c lib/radix.c -o $@ $(LIB_HOST_LIBS)

HOST_TESTS += $(B)/host/test_radix
