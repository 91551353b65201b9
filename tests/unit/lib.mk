# SPDX-License-Identifier: MIT
# Host unit tests of lib/ (string, printf, list, fdt) under ASan+UBSan, and the
# QEMU-dumped device trees that the fdt test reads.

HOST_CC ?= gcc
LIB_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I.
LIB_HOST_LIBS := -lcmocka

$(B)/host/test_printf: tests/unit/test_printf.c lib/printf.c lib/printf.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) tests/unit/test_printf.c lib/printf.c -o $@ $(LIB_HOST_LIBS)

# -DLIB_STRING_PREFIXED renames our functions to lib_*, so the test calls
# ours and the rest of the process keeps glibc's.
$(B)/host/test_string: tests/unit/test_string.c lib/string.c lib/string.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) -fno-builtin -DLIB_STRING_PREFIXED \
		tests/unit/test_string.c lib/string.c -o $@ $(LIB_HOST_LIBS)

$(B)/host/test_list: tests/unit/test_list.c lib/list.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) tests/unit/test_list.c -o $@ $(LIB_HOST_LIBS)

# Device trees straight from QEMU's virt machine (dumpdtb exits at once).
LIB_DTBS := $(B)/test/virt-4.dtb $(B)/test/virt-1-initrd.dtb $(B)/test/virt-blk.dtb \
	$(B)/test/virt-aclint-3.dtb

$(B)/test/blob.bin:
	@mkdir -p $(dir $@)
	head -c 4096 /dev/zero > $@

$(B)/test/virt-4.dtb:
	@mkdir -p $(dir $@)
	$(QEMU) -machine virt,dumpdtb=$@ -smp 4 -m 128M -nographic

$(B)/test/virt-aclint-3.dtb:
	@mkdir -p $(dir $@)
	$(QEMU) -machine virt,aclint=on,dumpdtb=$@ -smp 3 -m 128M -nographic

$(B)/test/virt-1-initrd.dtb: $(B)/test/blob.bin
	$(QEMU) -machine virt,dumpdtb=$@ -smp 1 -m 128M -nographic -bios none \
		-kernel $< -initrd $< -append "ktest init=/bin/sh"

$(B)/test/virt-blk.dtb: $(B)/test/blob.bin
	$(QEMU) -machine virt,dumpdtb=$@ -smp 2 -m 256M -nographic \
		-device virtio-blk-device,drive=d0 -drive if=none,id=d0,file=$<,format=raw

$(B)/host/test_fdt: tests/unit/test_fdt.c lib/fdt.c lib/fdt_info.c lib/fdt.h $(LIB_DTBS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) -DFDT_TEST_DIR='"$(abspath $(B)/test)"' \
		tests/unit/test_fdt.c lib/fdt.c lib/fdt_info.c -o $@ $(LIB_HOST_LIBS)

HOST_TESTS += $(B)/host/test_string $(B)/host/test_printf $(B)/host/test_list \
	$(B)/host/test_fdt

$(B)/host/test_dirhash: tests/unit/test_dirhash.c lib/dirhash.c lib/dirhash.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) tests/unit/test_dirhash.c lib/dirhash.c -o $@ $(LIB_HOST_LIBS)

HOST_TESTS += $(B)/host/test_dirhash
