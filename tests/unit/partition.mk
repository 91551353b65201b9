# SPDX-License-Identifier: MIT
# Host test of lib/partition.c over disk images that sfdisk (util-linux) and mkfs.vfat make.
PART_IMGS := $(addprefix $(B)/test/part-,mbr.img gpt.img gpt-bad-primary.img gpt-bad-both.img \
	fat.img zero.img)

# Primaries in slots 1 and 3, an extended one in slot 2 with logical partitions 5 and 6 in it.
$(B)/test/part-mbr.img: tests/unit/partition.mk
	@mkdir -p $(dir $@)
	rm -f $@ && truncate -s 8M $@
	printf 'label: dos\nstart=2048, size=4096, type=83\nstart=6144, size=8192, type=5\nstart=14336, size=2048, type=c\nstart=6400, size=2048, type=83\nstart=8704, size=4096, type=83\n' | \
		sfdisk -q --no-reread --no-tell-kernel $@ >/dev/null

$(B)/test/part-gpt.img:
	@mkdir -p $(dir $@)
	rm -f $@ && truncate -s 8M $@
	printf 'label: gpt\nstart=2048, size=4096\nstart=8192, size=4096\n' | \
		sfdisk -q --no-reread --no-tell-kernel $@ >/dev/null

# The primary header's my_lba byte changed (its CRC no longer matches): the backup is used.
$(B)/test/part-gpt-bad-primary.img: $(B)/test/part-gpt.img
	cp $< $@ && printf '\177' | dd of=$@ bs=1 seek=$$((512 + 24)) conv=notrunc status=none

# Both headers damaged: no partitions.
$(B)/test/part-gpt-bad-both.img: $(B)/test/part-gpt-bad-primary.img
	cp $< $@ && printf '\177' | dd of=$@ bs=1 seek=$$((8 * 1024 * 1024 - 512 + 24)) \
		conv=notrunc status=none

$(B)/test/part-fat.img:
	@mkdir -p $(dir $@)
	rm -f $@ && mkfs.vfat -C $@ 4096 >/dev/null

$(B)/test/part-zero.img:
	@mkdir -p $(dir $@)
	rm -f $@ && truncate -s 1M $@

$(B)/host/test_partition: tests/unit/test_partition.c lib/partition.c lib/partition.h $(PART_IMGS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_HOST_CFLAGS) -DPART_TEST_DIR='"$(abspath $(B)/test)"' \
		tests/unit/test_partition.c lib/partition.c -o $@ $(LIB_HOST_LIBS)

HOST_TESTS += $(B)/host/test_partition
