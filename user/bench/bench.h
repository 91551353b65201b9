/* SPDX-License-Identifier: MIT */
/* What bench.c shares with the other benchmark files: the clock, the report line, the hart. */
#ifndef USER_BENCH_BENCH_H
#define USER_BENCH_BENCH_H

#include <stdint.h>

/* CLOCK_MONOTONIC in ns (guest instructions under -icount shift=0). */
int64_t now_ns(void);
/* "BENCH name ns/ops unit", flushed. */
void report(const char *name, int64_t ns, long ops, const char *unit);
/* The hart this process runs on (getcpu), or -1. */
int cur_cpu(void);

#endif
