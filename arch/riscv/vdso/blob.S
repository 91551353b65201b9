/* SPDX-License-Identifier: MIT */
/* The vDSO image (build/k/vdso/vdso.so), embedded in the kernel's read-only data for
 * kernel/mm/vdso.c to map into processes. Page-aligned: its pages are mapped as they are. */
	.section .rodata.vdso, "a"
	.balign 4096
	.globl vdso_image_start, vdso_image_end
vdso_image_start:
	.incbin VDSO_SO
vdso_image_end:
	.balign 4096
