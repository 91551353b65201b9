// SPDX-License-Identifier: MIT
/* execve's argument vectors and the Linux initial user stack; see exec_stack.h. */
#include "kernel/proc/exec_stack.h"

#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/elf_load.h"
#include "kernel/random.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- copying argv / envp from the old image ------------------------------------ */

/* Grow a kmalloc'd buffer to new_size bytes, keeping the first `keep`. */
static int grow(void **buf, size_t keep, size_t new_size)
{
	void *n = kmalloc(new_size);

	if (!n)
		return -ENOMEM;
	if (keep)
		memcpy(n, *buf, keep);
	kfree(*buf);
	*buf = n;
	return 0;
}

/*
 * Strings are gathered into a buffer that doubles as needed (a string that
 * does not fit is copied again after growing; the cost stays linear), with
 * their offsets in a second array; both are packed into one block at the end.
 */
int exec_copy_strings_from_user(struct as *as, uintptr_t uvec, char ***out, size_t *total)
{
	char *strs = NULL, **vec;
	size_t *offs = NULL;
	size_t cap = 0, used = 0, ocap = 0, n = 0, cost = 0;
	int err = 0;

	for (; uvec; n++) {
		uint64_t uptr;

		err = copy_from_user(as, &uptr, uvec + n * sizeof(uptr), sizeof(uptr));
		if (err)
			goto out_free;
		if (!uptr)
			break;
		cost += sizeof(char *);
		if (n >= EXEC_MAX_STRINGS || cost > EXEC_ARG_MAX) {
			err = -E2BIG;
			goto out_free;
		}
		if (n == ocap) {
			ocap = ocap ? 2 * ocap : 16;
			err = grow((void **)&offs, n * sizeof(*offs), ocap * sizeof(*offs));
			if (err)
				goto out_free;
		}
		for (;;) {
			size_t room = cap - used;
			/* No string may be longer than MAX_ARG_STRLEN with its NUL. */
			size_t lim = room < EXEC_MAX_ARG_STRLEN + 1 ? room : EXEC_MAX_ARG_STRLEN + 1;
			long len = lim ? strncpy_from_user(as, strs + used, uptr, lim)
				   : -ENAMETOOLONG;

			if (len >= (long)EXEC_MAX_ARG_STRLEN ||
			    (len == -ENAMETOOLONG && lim == EXEC_MAX_ARG_STRLEN + 1)) {
				err = -E2BIG;
				goto out_free;
			}

			if (len >= 0) {
				offs[n] = used;
				used += (size_t)len + 1;
				cost += (size_t)len + 1;
				if (cost > EXEC_ARG_MAX) {
					err = -E2BIG;
					goto out_free;
				}
				break;
			}
			if (len != -ENAMETOOLONG) {
				err = (int)len;
				goto out_free;
			}
			/* The string is longer than room - 1 bytes. */
			size_t new_cap = cap ? 2 * cap : PAGE_SIZE;

			if (cost + room + 1 > EXEC_ARG_MAX) {
				err = -E2BIG;
				goto out_free;
			}
			if (new_cap > EXEC_ARG_MAX)
				new_cap = EXEC_ARG_MAX;
			err = grow((void **)&strs, used, new_cap);
			if (err)
				goto out_free;
			cap = new_cap;
		}
	}

	size_t vec_bytes = (n + 1) * sizeof(char *);

	vec = kmalloc(vec_bytes + used);
	if (!vec) {
		err = -ENOMEM;
		goto out_free;
	}
	char *s = (char *)vec + vec_bytes;

	if (used)
		memcpy(s, strs, used);
	for (size_t i = 0; i < n; i++)
		vec[i] = s + offs[i];
	vec[n] = NULL;
	*out = vec;
	*total = cost;
out_free:
	kfree(strs);
	kfree(offs);
	return err;
}

void exec_free_strings(char **vec)
{
	kfree(vec);
}

/* ---- the initial stack ------------------------------------------------------------ */

/* Words go to user memory through a small buffer: one copy per 32 words. */
struct word_writer {
	struct as *as;
	uintptr_t at;           /* user address of words[0] */
	unsigned n;
	int err;
	uint64_t words[32];
};

static void ww_flush(struct word_writer *w)
{
	if (w->n && !w->err)
		w->err = copy_to_user(w->as, w->at, w->words, w->n * sizeof(uint64_t));
	w->at += w->n * sizeof(uint64_t);
	w->n = 0;
}

static void ww_put(struct word_writer *w, uint64_t v)
{
	w->words[w->n++] = v;
	if (w->n == sizeof(w->words) / sizeof(w->words[0]))
		ww_flush(w);
}

static size_t vec_count(const char *const *v, size_t *bytes)
{
	size_t n = 0;

	for (; v && v[n]; n++)
		*bytes += strlen(v[n]) + 1;
	return n;
}

/* Write each string of v at *at, upwards; put its address into the pointer area. */
static int put_strings(struct as *as, const char *const *v, size_t n, uintptr_t *at,
		       struct word_writer *w)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		int err = copy_to_user(as, *at, v[i], len);

		if (err)
			return err;
		ww_put(w, *at);
		*at += len;
	}
	ww_put(w, 0);
	return 0;
}

#define NR_AUXV 17 /* pairs written below, AT_NULL included */

int exec_build_stack(struct as *as, const char *const *argv, const char *const *envp,
		     const struct elf_image_info *info, const char *execfn,
		     const struct exec_ids *ids, uintptr_t *sp_out)
{
	static const struct exec_ids root = { 0 };
	size_t strbytes = 0, argc, envc, fnlen = execfn ? strlen(execfn) + 1 : 0;
	/* What may live above sp: the argument quota plus room for auxv and padding. */
	const size_t limit = EXEC_ARG_MAX + PAGE_SIZE;
	uint8_t rnd[16];
	long top;
	int err;

	if (!ids)
		ids = &root;
	argc = vec_count(argv, &strbytes);
	envc = vec_count(envp, &strbytes);
	strbytes += fnlen;
	/* Checked before any address arithmetic, so nothing below can wrap. */
	if (strbytes > limit || argc + envc > limit / sizeof(uint64_t))
		return -E2BIG;

	size_t nwords = 1 + (argc + 1) + (envc + 1) + 2 * NR_AUXV;

	top = as_stack_init(as, ids->stack_size ? ids->stack_size : AS_STACK_DEFAULT_SIZE);
	if (top < 0)
		return (int)top;
	uintptr_t str_lo = (uintptr_t)top - strbytes;
	uintptr_t rand_at = (str_lo - sizeof(rnd)) & ~(uintptr_t)15;
	uintptr_t sp = (rand_at - nwords * sizeof(uint64_t)) & ~(uintptr_t)15;

	if ((uintptr_t)top - sp > limit)
		return -E2BIG;

	random_bytes(rnd, sizeof(rnd));
	err = copy_to_user(as, rand_at, rnd, sizeof(rnd));
	if (err)
		return err;

	struct word_writer w = { .as = as, .at = sp };
	uintptr_t at = str_lo;

	ww_put(&w, argc);
	err = put_strings(as, argv, argc, &at, &w);
	if (!err)
		err = put_strings(as, envp, envc, &at, &w);
	if (err)
		return err;
	if (execfn) {
		err = copy_to_user(as, at, execfn, fnlen);
		if (err)
			return err;
	}

	const uint64_t auxv[][2] = {
		{ AT_PHDR, info->phdr },
		{ AT_PHENT, info->phent },
		{ AT_PHNUM, info->phnum },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, 0 },          /* no interpreter */
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, info->entry },
		{ AT_UID, ids->uid },
		{ AT_EUID, ids->euid },
		{ AT_GID, ids->gid },
		{ AT_EGID, ids->egid },
		{ AT_HWCAP, EXEC_HWCAP_RV64GC },
		{ AT_CLKTCK, 100 },      /* times() ticks per second */
		{ AT_SECURE, ids->secure },
		{ AT_RANDOM, rand_at },
		{ AT_EXECFN, execfn ? at : 0 },
		{ AT_NULL, 0 },
	};
	_Static_assert(sizeof(auxv) / sizeof(auxv[0]) == NR_AUXV, "NR_AUXV counts auxv");

	for (size_t i = 0; i < NR_AUXV; i++) {
		if (auxv[i][0] == AT_EXECFN && !execfn)
			continue;
		ww_put(&w, auxv[i][0]);
		ww_put(&w, auxv[i][1]);
	}
	ww_flush(&w);
	if (w.err)
		return w.err;
	*sp_out = sp;
	return 0;
}
