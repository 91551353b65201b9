# SPDX-License-Identifier: MIT
# The course labs (docs/labs/): each lab's solution is marked in the source and
# cut out by lab-start; grade runs the tests its page lists (tools/labs/).
#   make labs                     list them
#   make lab-start LAB=name       write the lab's starting tree (LABDIR=dir, default
#                                 ../<this dir>-lab-<name>): a git repository, stubs in place
#   make grade [LAB=name]         grade that lab (in a lab tree: its lab; else every lab)
#   make test-labs                the CI check of make test: every stubbed tree builds,
#                                 boots and scores < 100, and this tree scores 100

LAB    ?=
LABDIR ?=

labs:
	@$(PYTHON) tools/labs/lab.py list

lab-start:
	@$(PYTHON) tools/labs/lab.py start $(LAB) $(if $(LABDIR),--dir $(LABDIR))

grade: $(DEPS_STAMP) all
	@$(PYTHON) tools/labs/lab.py grade $(LAB)

test-labs: $(DEPS_STAMP) all
	@$(PYTHON) tools/labs/lab.py ci --results $(RESULTS) $(LAB)

.PHONY: labs lab-start grade test-labs
