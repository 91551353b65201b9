# SPDX-License-Identifier: MIT
# The Linux Test Project's syscall tests, out of tree and not part of `make test` (docs/ltp.md):
#   make ltp-build LTP=/path/to/ltp-checkout   build it statically for riscv64 into $(B)/ltp-out
#   make ltp [LTP_LIST=tools/ltp/issue12.txt] [CPUS=4] [LTP_LIMIT=60]
#                                              run the listed tests in the kernel, a verdict each

LTP ?=
LTP_OUT   := $(B)/ltp-out
LTP_LIST  ?= tools/ltp/issue12.txt
LTP_LIMIT ?= 60

ltp-build:
	@test -n "$(LTP)" || { echo "make ltp-build LTP=/path/to/ltp-checkout"; exit 2; }
	tools/ltp/build.sh $(LTP) $(LTP_OUT)

ltp: $(DEPS_STAMP) all
	B=$(abspath $(B)) tools/ltp/run.sh $(LTP_OUT) $(LTP_LIST) $(CPUS) $(LTP_LIMIT)

.PHONY: ltp ltp-build
