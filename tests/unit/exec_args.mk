# SPDX-License-Identifier: MIT
# Host tests of the freestanding parsers behind execve and boot: the "#!" line of a script
# (lib/shebang.c, Linux's binfmt_script rules) and the kernel command line's words
# (lib/cmdline.c, Linux's next_arg quoting), under ASan+UBSan.

HOST_CC ?= gcc
EXECARGS_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I.

$(B)/host/test_shebang: tests/unit/test_shebang.c lib/shebang.c lib/shebang.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(EXECARGS_HOST_CFLAGS) tests/unit/test_shebang.c lib/shebang.c -o $@ -lcmocka

$(B)/host/test_cmdline: tests/unit/test_cmdline.c lib/cmdline.c lib/cmdline.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(EXECARGS_HOST_CFLAGS) tests/unit/test_cmdline.c lib/cmdline.c -o $@ -lcmocka

HOST_TESTS += $(B)/host/test_shebang $(B)/host/test_cmdline
