/* SPDX-License-Identifier: MIT */
/* fsload's helpers shared by its workloads: pattern files that can be checked later. */
#ifndef USER_FUZZ_FSLOAD_H
#define USER_FUZZ_FSLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The pattern bytes of a file with seed at off..off+n. */
void fsload_fill(uint8_t *b, size_t n, uint64_t seed, uint64_t off);
/* Write size bytes of pattern seed to path (created, truncated): 0 or -1. */
int fsload_write_file(const char *path, size_t size, uint64_t seed);

#endif
