/* SPDX-License-Identifier: MIT */
/*
 * execve's argument handling: copying argv/envp out of the old image, and
 * writing the Linux initial stack of the new one.
 *
 * The initial stack, from sp (16-byte aligned) upwards:
 *
 *   sp ->  argc
 *          argv[0] .. argv[argc-1], NULL
 *          envp[0] .. envp[envc-1], NULL
 *          auxv: (type, value) pairs, ending with AT_NULL
 *          padding to 16 bytes
 *          16 AT_RANDOM bytes
 *          argv strings, envp strings, the execfn string (up to USER_TOP)
 */
#ifndef KERNEL_PROC_EXEC_STACK_H
#define KERNEL_PROC_EXEC_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct as;
struct elf_image_info;

/*
 * Linux's limit on what argv and envp together may cost (with the default
 * 8 MiB stack rlimit: a quarter of it): the bytes of every string with its
 * NUL, plus one pointer (8 bytes) per string. Over it, execve fails E2BIG.
 */
#define EXEC_ARG_MAX (2UL << 20)
/* Linux's ARG_MAX: the argument limit never goes below 128 KiB, however low
 * RLIMIT_STACK is. */
#define EXEC_MIN_ARG_LIMIT (128UL * 1024)
/* Linux's MAX_ARG_STRLEN: one string, its NUL included, is at most 32 pages
 * (128 KiB); a longer one is -E2BIG whatever the total. */
#define EXEC_MAX_ARG_STRLEN (32UL * 4096)
/* Linux's MAX_ARG_STRINGS: at most this many entries per vector. */
#define EXEC_MAX_STRINGS 0x7FFFFFFFUL

/* auxv types we supply (Linux's values). */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

/* RV64GC as AT_HWCAP: one bit per single-letter extension, 1 << (letter - 'a'). */
#define EXEC_HWCAP_RV64GC                                                      \
	((1UL << ('i' - 'a')) | (1UL << ('m' - 'a')) | (1UL << ('a' - 'a')) |  \
	 (1UL << ('f' - 'a')) | (1UL << ('d' - 'a')) | (1UL << ('c' - 'a')))

/*
 * Copy the user vector at uvec (a NULL-terminated array of string pointers,
 * as execve's argv or envp) into ONE kernel allocation: *out is a
 * NULL-terminated char *[] whose strings live in the same block. uvec == 0
 * gives an empty vector (Linux accepts a NULL argv/envp). *total receives
 * what the vector costs against EXEC_ARG_MAX (string bytes with NULs + 8 per
 * pointer): execve checks argv's + envp's total against EXEC_ARG_MAX.
 *
 * 0; -EFAULT for a bad pointer (the vector or a string); -E2BIG when this
 * vector alone passes EXEC_ARG_MAX or EXEC_MAX_STRINGS, or one string
 * EXEC_MAX_ARG_STRLEN; -ENOMEM. On error
 * nothing is left allocated. Free with exec_free_strings().
 */
int exec_copy_strings_from_user(struct as *as, uintptr_t uvec, char ***out, size_t *total);
/* Free a vector from exec_copy_strings_from_user (NULL is fine). */
void exec_free_strings(char **vec);

/* How the new program starts: who it runs as, for AT_UID, AT_EUID, AT_GID,
 * AT_EGID and AT_SECURE (set-id programs: glibc then ignores LD_* and the
 * like), and the size of its main stack (RLIMIT_STACK; 0: the default). */
struct exec_ids {
	uint32_t uid, euid, gid, egid;
	bool secure;
	size_t stack_size;
};

/*
 * Create the main stack (as_stack_init, ids->stack_size or
 * AS_STACK_DEFAULT_SIZE) in `as` and
 * write the initial stack above for the kernel vectors argv and envp
 * (NULL-terminated arrays of kernel strings; NULL means empty), the loaded
 * image `info`, execfn (AT_EXECFN; NULL omits it) and ids (NULL: root, not
 * secure). *sp_out gets the user sp (pointing at argc). The new program
 * starts with a0 = 0.
 *
 * 0; -E2BIG when the strings and pointers do not fit in the stack with room
 * to spare; -ENOMEM; the as_stack_init() error (e.g. -EEXIST).
 */
int exec_build_stack(struct as *as, const char *const *argv, const char *const *envp,
		     const struct elf_image_info *info, const char *execfn,
		     const struct exec_ids *ids, uintptr_t *sp_out);

#endif
