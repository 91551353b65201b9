# SPDX-License-Identifier: MIT
# Host unit tests of lib/fat.c (the FAT format's pure parts: BPB, FAT entries,
# long names, 8.3 names, dates) under ASan+UBSan.

HOST_CC ?= gcc
FAT_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I.

$(B)/host/test_fat: tests/unit/test_fat.c lib/fat.c lib/fat.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(FAT_HOST_CFLAGS) tests/unit/test_fat.c lib/fat.c -o $@ -lcmocka

HOST_TESTS += $(B)/host/test_fat
