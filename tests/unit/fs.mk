# SPDX-License-Identifier: MIT
# Host unit tests of the file-system helpers in lib/ (cpio newc parser) under ASan+UBSan.

HOST_CC ?= gcc
FS_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I.

$(B)/host/test_cpio: tests/unit/test_cpio.c lib/cpio_newc.c lib/cpio_newc.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(FS_HOST_CFLAGS) tests/unit/test_cpio.c lib/cpio_newc.c -o $@ -lcmocka

HOST_TESTS += $(B)/host/test_cpio
