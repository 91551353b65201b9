// SPDX-License-Identifier: MIT
/*
 * insnprof: a QEMU TCG plugin counting executed guest instructions per
 * virtual address (an inline add on each instruction, so it costs the guest
 * nothing and -icount figures are unchanged). At exit it writes "vaddr count"
 * lines, one per executed instruction address, to the file named by the
 * argument out=PATH. tools/profile/profile.sh turns two such dumps into a
 * per-function profile. One vCPU: the counters are not atomic.
 *
 * Built against qemu-plugin.h of the host's own QEMU (tools/profile/fetch-header.sh
 * takes it from Debian's qemu source package into .cache/).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define SLOTS (1u << 21) /* open addressing; far more than kernel + user text */

struct slot {
	uint64_t va;
	uint64_t count;
};

static struct slot *table;
static char out_path[512] = "insnprof.out";
static unsigned used;

static struct slot *slot_of(uint64_t va)
{
	uint64_t h = (va >> 1) * 0x9e3779b97f4a7c15ull;

	for (uint32_t i = (uint32_t)(h >> 43);; i = (i + 1) & (SLOTS - 1)) {
		struct slot *s = &table[i];

		if (s->va == va && (va || s->count))
			return s;
		if (!s->va && !s->count) {
			if (used + 1 >= SLOTS / 2) {
				fprintf(stderr, "insnprof: table full\n");
				exit(1);
			}
			used++;
			s->va = va;
			return s;
		}
	}
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							   &slot_of(qemu_plugin_insn_vaddr(insn))->count,
							   1);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	FILE *f = fopen(out_path, "w");

	(void)id;
	(void)p;
	if (!f) {
		perror(out_path);
		return;
	}
	for (uint32_t i = 0; i < SLOTS; i++)
		if (table[i].count)
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n", table[i].va, table[i].count);
	fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			snprintf(out_path, sizeof(out_path), "%s", argv[i] + 4);
	table = calloc(SLOTS, sizeof(*table));
	if (!table)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
