# SPDX-License-Identifier: MIT
# User space: the image's userland is Debian's busybox (ash as the shell, its applets as the
# tools); around it, our own static glibc programs and the initrd (cpio newc) that carries
# them all.
#
# Our programs (ordinary POSIX C against Debian's riscv64 glibc, no hand-written libc):
#   init       pid 1 (user/init.c): /etc/rc, then a login shell on the console; or `init=`
#   usertests  the usertests-style suite (user/tests/), also its own exec helper
#   bench      micro-benchmarks (user/bench/), `BENCH name value unit` lines
#   fuzz, fsload   the reliability tools (user/fuzz/)
#   user/tools/*.c one program each (asynctop)
# Busybox: $(B)/debian/busybox (tools/debian.mk: pinned, fetched, checked) at /bin/busybox
# and a hard link at each applet's own path (`busybox --list-full`: /bin/sh, /usr/bin/awk...),
# except /sbin/init, which is ours.
#
# Build outputs (unstripped, with debug info, runnable under qemu-riscv64 too):
#   $(B)/user/bin/<name>   every program of ours
# Archive: $(B)/initrd.cpio, rooted at $(B)/user/root (stripped copies of ours):
#   /sbin/init, /bin/{usertests,bench,...}, /bin/busybox and its applets, /etc, /dev/,
#   /tmp/, /proc/, /sys/, plus the files of $(ROOTFS_EXTRA) when it names a directory.
#
# Hard links in newc: entries that share c_ino have c_nlink > 1; GNU cpio writes the data with
# exactly one of them (the last) and c_filesize 0 on the others. An unpacker keyed on c_ino
# handles that (see user/README). ROOTFS_HARDLINKS=0 makes the applets symbolic links instead
# (for an unpacker that does not do hard links).

UCC      := $(UCROSS)gcc
USTRIP   := $(UCROSS)strip
UCFLAGS  := -std=gnu11 -D_GNU_SOURCE -static -O2 -g -Wall -Wextra -Werror -MMD -MP
UB       := $(B)/user

INIT_SRCS   := user/init.c
# Cases run in link order, then definition order (-fno-toplevel-reorder keeps it).
# The first files in a fixed order; every other user/tests/t_*.c after them, sorted by name,
# so a new test file needs no edit here.
UT_FIRST    := user/tests/usertests.c user/tests/t_proc.c user/tests/t_signal.c user/tests/t_pipe.c \
	user/tests/t_mem.c user/tests/t_sys.c user/tests/t_fs.c
UT_SRCS     := $(UT_FIRST) $(sort $(filter-out $(UT_FIRST),$(wildcard user/tests/t_*.c)))
BENCH_SRCS  := $(wildcard user/bench/*.c)
# The reliability tools (user/fuzz/): the syscall fuzzer and the fs workloads.
FUZZ_SRCS   := $(filter-out user/fuzz/fsload.c,$(wildcard user/fuzz/*.c))
FSLOAD_SRCS := user/fuzz/fsload.c

# user/tools: one program per file (asynctop: the live view of /proc/async).
TOOL_PROGS  := $(patsubst user/tools/%.c,%,$(wildcard user/tools/*.c))

uobjs = $(patsubst %.c,$(UB)/obj/%.o,$(1))
UPROGS := init $(if $(UT_SRCS),usertests) $(if $(BENCH_SRCS),bench) $(if $(FUZZ_SRCS),fuzz) fsload \
	$(TOOL_PROGS)

$(UB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) -c $< -o $@

$(call uobjs,$(UT_SRCS)): UCFLAGS += -fno-toplevel-reorder

$(UB)/bin/init: $(call uobjs,$(INIT_SRCS))
$(UB)/bin/usertests: $(call uobjs,$(UT_SRCS))
$(UB)/bin/bench: $(call uobjs,$(BENCH_SRCS))
$(UB)/bin/fuzz: $(call uobjs,$(FUZZ_SRCS))
$(UB)/bin/fsload: $(call uobjs,$(FSLOAD_SRCS))
$(foreach t,$(TOOL_PROGS),$(eval $(UB)/bin/$(t): $(call uobjs,user/tools/$(t).c)))
$(addprefix $(UB)/bin/,$(UPROGS)):
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $^ -o $@

# One program twice: static and dynamically linked (glibc's loader and libc from the cross
# toolchain's sysroot go to /lib), for the exec benchmark (user/true.c).
DYN_LIBS := ld-linux-riscv64-lp64d.so.1 libc.so.6
$(UB)/bin/true-static: user/true.c
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $< -o $@
$(UB)/bin/true-dyn: user/true.c
	@mkdir -p $(dir $@)
	$(UCC) $(filter-out -static -MMD -MP,$(UCFLAGS)) $< -o $@
UPROGS += true-static true-dyn

# Busybox's applets, one path a line (from the pinned binary itself, under qemu-user).
BUSYBOX := $(B)/debian/busybox
BUSYBOX_LIST := $(B)/debian/busybox.list
$(BUSYBOX_LIST): $(BUSYBOX)
	qemu-riscv64 $< --list-full | grep -vx 'sbin/init' | LC_ALL=C sort > $@.tmp
	test -s $@.tmp && mv $@.tmp $@

# The archive is rebuilt whenever ROOTFS_EXTRA names a directory (its contents are not tracked)
# or its value changes.
ROOTFS_HARDLINKS ?= 1
ROOTFS_EXTRA ?=
UROOT_CFG := $(UB)/rootfs.cfg
$(shell mkdir -p $(UB); echo '$(ROOTFS_EXTRA) $(ROOTFS_HARDLINKS)' | cmp -s - $(UROOT_CFG) || \
	echo '$(ROOTFS_EXTRA) $(ROOTFS_HARDLINKS)' > $(UROOT_CFG))

bblink = $(if $(filter 1,$(ROOTFS_HARDLINKS)),ln -f bin/busybox,ln -sf /bin/busybox)

# Users (user/etc/passwd, group, shadow): root and the unprivileged `user` (1000:1000), whose
# home is the one staged path not owned by root. ROOTFS_OWNED lists such paths as
# path:uid:gid; tools/mkfs.mk gives the ext2 image the same owners.
ROOTFS_ETC := rc profile passwd group shadow hosts
ROOTFS_OWNED := home/user:1000:1000

$(B)/initrd.cpio: $(addprefix $(UB)/bin/,$(UPROGS)) $(BUSYBOX) $(BUSYBOX_LIST) \
		$(addprefix user/etc/,$(ROOTFS_ETC)) \
		$(UROOT_CFG) user/user.mk $(if $(ROOTFS_EXTRA),FORCE)
	rm -rf $(UB)/root && mkdir -p $(UB)/root/bin $(UB)/root/sbin $(UB)/root/usr/bin \
		$(UB)/root/usr/sbin $(UB)/root/etc $(UB)/root/dev $(UB)/root/tmp $(UB)/root/proc \
		$(UB)/root/sys $(UB)/root/mnt
	install -m 755 $(BUSYBOX) $(UB)/root/bin/busybox
	cd $(UB)/root && while read -r a; do $(bblink) $$a; done < $(abspath $(BUSYBOX_LIST))
	$(if $(ROOTFS_EXTRA),cp -a $(ROOTFS_EXTRA)/. $(UB)/root/)
	for p in $(filter-out init,$(UPROGS)); do $(USTRIP) -o $(UB)/root/bin/$$p $(UB)/bin/$$p; done
	mkdir -p $(UB)/root/lib
	for l in $(DYN_LIBS); do $(USTRIP) -o $(UB)/root/lib/$$l $$($(UCC) -print-file-name=$$l); done
	$(USTRIP) -o $(UB)/root/sbin/init $(UB)/bin/init
	cp $(addprefix user/etc/,$(ROOTFS_ETC)) $(UB)/root/etc/
	chmod 0755 $(UB)/root/bin/* $(UB)/root/sbin/init $(UB)/root/etc/rc
	chmod 0644 $(UB)/root/etc/passwd $(UB)/root/etc/group $(UB)/root/etc/profile \
		$(UB)/root/etc/hosts
	chmod 0600 $(UB)/root/etc/shadow
	mkdir -p $(UB)/root/root $(UB)/root/home/user
	chmod 0700 $(UB)/root/root
	chmod 1777 $(UB)/root/tmp
	find $(UB)/root -exec touch -h -d @0 {} +
	cd $(UB)/root && find . -mindepth 1 | LC_ALL=C sort | \
		grep -vxF $(foreach o,$(ROOTFS_OWNED),-e ./$(word 1,$(subst :, ,$(o)))) | \
		cpio --quiet -o -H newc -R 0:0 --reproducible > $(abspath $@).tmp
	cd $(UB)/root && $(foreach o,$(ROOTFS_OWNED),echo ./$(word 1,$(subst :, ,$(o))) | \
		cpio --quiet -o -A -H newc -R $(word 2,$(subst :, ,$(o))):$(word 3,$(subst :, ,$(o))) \
		--reproducible -O $(abspath $@).tmp &&) true
	mv $@.tmp $@
	@echo "initrd: $$(stat -c %s $@) bytes"

user: $(B)/initrd.cpio

all: $(B)/initrd.cpio

QEMU_INITRD := $(B)/initrd.cpio

FORCE:

-include $(shell find $(UB)/obj -name '*.d' 2>/dev/null)

.PHONY: user FORCE
