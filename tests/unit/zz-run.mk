# SPDX-License-Identifier: MIT
# `make test-host`: runs every host test binary that the other fragments put in
# HOST_TESTS (and HOST_TSAN_TESTS); sorted last so it sees all of them.

# Per binary: sum cmocka's "[  PASSED  ] N" and "[  FAILED  ] N" lines; a
# binary that exits non-zero without reporting a failure crashed: 1 failure.
test-host: $(HOST_TESTS) $(HOST_TSAN_TESTS)
	@mkdir -p $(B)/host; pass=0; fail=0; \
	for t in $(sort $(HOST_TESTS) $(HOST_TSAN_TESTS)); do \
		log=$(B)/host/$$(basename $$t).log; \
		CMOCKA_MESSAGE_OUTPUT=stdout $$t > $$log 2>&1; rc=$$?; \
		cat $$log; \
		p=$$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' $$log | awk '{s+=$$1} END {print s+0}'); \
		f=$$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' $$log | awk '{s+=$$1} END {print s+0}'); \
		if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then \
			echo "*** $$t exited with status $$rc without a cmocka failure: counted as 1 failure"; \
			f=1; \
		fi; \
		echo "$$t: $$p passed, $$f failed"; \
		pass=$$((pass + p)); fail=$$((fail + f)); \
	done; \
	echo "RESULT host $$pass $$fail" >> $(RESULTS); \
	echo "host: $$pass passed, $$fail failed"; \
	test $$fail -eq 0

.PHONY: test-host
