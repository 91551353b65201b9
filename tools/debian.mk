# SPDX-License-Identifier: MIT
# Debian trixie riscv64 packages, fetched by tools/debian-fetch.sh as pinned in
# tools/debian-pins.txt into .cache/debian/ (kept across `make clean`: no network once there).
#
#   $(B)/debian/busybox     the checked busybox-static binary, for the root file system
#   make debian-fetch       fetch and unpack every pinned package
#   make busybox-linux      busybox's testsuite on Linux under qemu-riscv64, compared with
#                           tests/busybox/linux-failures.txt (about 5 minutes)

DEBIAN_FETCH := tools/debian-fetch.sh
DEBIAN_DEPS  := $(DEBIAN_FETCH) tools/debian-pins.txt

# The fetch is a no-op when the unpacked package matches its pin; the copy keeps build/
# self-contained, so `make clean` never reaches into the download cache.
$(B)/debian/busybox: $(DEBIAN_DEPS)
	$(DEBIAN_FETCH) busybox-static
	@mkdir -p $(dir $@)
	install -m 755 .cache/debian/deb/busybox-static/usr/bin/busybox $@

debian-fetch:
	$(DEBIAN_FETCH)

busybox-linux: $(DEPS_STAMP) $(DEBIAN_DEPS)
	tests/busybox/qemu-user-chroot.sh

.PHONY: debian-fetch busybox-linux
